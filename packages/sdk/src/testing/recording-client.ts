import { Tally } from '../tally-client.js';
import type {
  BatchReport,
  RetryReport,
  TallyError,
  TallyOptions,
  TallyRejection,
} from '../sdk-types.js';

/** A Tally client whose callbacks record into arrays, for assertions. */
export function recordingClient(options: Omit<TallyOptions, 'writeKey'> & { writeKey?: string }) {
  const errors: TallyError[] = [];
  const rejections: TallyRejection[] = [];
  const retries: RetryReport[] = [];
  const batches: BatchReport[] = [];
  const tally = new Tally({
    writeKey: 'test-write-key',
    ...options,
    onError: (error) => errors.push(error),
    onRejected: (rejected) => rejections.push(...rejected),
    onRetry: (retry) => retries.push(retry),
    onBatch: (report) => batches.push(report),
  });
  return { tally, errors, rejections, retries, batches };
}

export function click(userId: string, element = 'buy-button') {
  return { type: 'click' as const, userId, properties: { element } };
}
