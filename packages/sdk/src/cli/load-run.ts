import { Tally } from '../tally-client.js';
import { createEventGenerator } from './event-generator.js';
import { emptyCounters, type LoadCounters } from './load-counters.js';
import type { LoadOptions } from './load-options.js';

const TICK_MS = 10;

export interface LoadRunHooks {
  /** Called about every `everyMs` while the load runs, and once at the end. */
  progress(counters: LoadCounters, queued: number, elapsedS: number): void;
  everyMs: number;
  /** Resolves when the run should stop early (e.g. on Ctrl-C). */
  stopSignal?: Promise<void>;
}

/**
 * Tracks events at `rate` per second for `duration` seconds through the SDK, then shuts the
 * client down (everything tracked is acknowledged, rejected or reported as failed).
 */
export async function runLoad(opts: LoadOptions, hooks: LoadRunHooks): Promise<LoadCounters> {
  const counters = emptyCounters();
  const remember = (kind: string, message: string) => {
    if (!counters.firstErrors.has(kind)) counters.firstErrors.set(kind, message);
  };
  const tally = new Tally({
    endpoint: opts.endpoint,
    writeKey: opts.writeKey,
    flushAt: opts.flushAt,
    flushIntervalMs: 200,
    maxConcurrentRequests: opts.concurrency,
    maxQueueSize: opts.maxQueueSize,
    onBatch: (report) => {
      counters.acknowledged += report.accepted;
      if (report.outcome !== 'acknowledged') counters.failed += report.events;
    },
    onRejected: (rejections) => {
      counters.rejected += rejections.length;
      const first = rejections[0];
      if (first) remember('rejection', JSON.stringify(first.errors));
    },
    onRetry: (retry) => {
      counters.retries++;
      remember('retry', `${retry.reason}, waiting ${retry.delayMs} ms`);
    },
    onError: (error) => {
      if (error.kind === 'overflow') counters.dropped++;
      remember(error.kind, error.message);
    },
  });
  const nextEvent = createEventGenerator(opts.types, opts.users);
  const started = performance.now();
  const elapsedS = () => (performance.now() - started) / 1000;
  const reporter = setInterval(
    () => hooks.progress(counters, tally.queueSize, elapsedS()),
    hooks.everyMs,
  );
  let stopped = false;
  void hooks.stopSignal?.then(() => (stopped = true));
  try {
    await new Promise<void>((resolve) => {
      const pacer = setInterval(() => {
        const elapsed = Math.min(elapsedS(), opts.durationSeconds);
        const due = Math.floor(elapsed * opts.rate) - counters.tracked;
        for (let i = 0; i < due; i++) {
          counters.tracked++;
          tally.track(nextEvent());
        }
        if (stopped || elapsed >= opts.durationSeconds) {
          clearInterval(pacer);
          resolve();
        }
      }, TICK_MS);
    });
    await tally.shutdown();
  } finally {
    clearInterval(reporter);
  }
  hooks.progress(counters, tally.queueSize, elapsedS());
  return counters;
}
