export { Tally } from './tally-client.js';
export { installShutdownHooks } from './shutdown-hooks.js';
export { parseRetryAfter, retryDelayMs, type BackoffPolicy } from './retry-delay.js';
export type {
  BatchReport,
  QueuedEvent,
  RetryReport,
  TallyError,
  TallyOptions,
  TallyRejection,
  TrackInput,
} from './sdk-types.js';
