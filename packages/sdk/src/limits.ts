import type { INGEST_LIMITS } from '@tally/contracts';

type Limits = typeof INGEST_LIMITS;

/**
 * The gateway's limits, restated as values because the SDK imports `@tally/contracts` for types
 * only (a runtime import would pull zod into every browser bundle).
 * NOTE: each value is typed as the contract's literal type, so a change in contracts breaks
 * this file's build instead of drifting silently.
 */
export const SDK_LIMITS: {
  maxEventsPerBatch: Limits['maxEventsPerBatch'];
  maxBodyBytes: Limits['maxBodyBytes'];
  maxEventBytes: Limits['maxEventBytes'];
  maxUserIdLength: Limits['maxUserIdLength'];
} = {
  maxEventsPerBatch: 500,
  maxBodyBytes: 1048576,
  maxEventBytes: 32768,
  maxUserIdLength: 256,
};
