/** What the load generator counts, in events unless named otherwise. */
export interface LoadCounters {
  tracked: number;
  /** track() did not queue it (queue full). */
  dropped: number;
  acknowledged: number;
  rejected: number;
  /** In batches refused with a 4xx or given up on after the last retry. */
  failed: number;
  /** Retried requests. */
  retries: number;
  /** The first error of each kind, for the summary. */
  firstErrors: Map<string, string>;
}

export function emptyCounters(): LoadCounters {
  return {
    tracked: 0,
    dropped: 0,
    acknowledged: 0,
    rejected: 0,
    failed: 0,
    retries: 0,
    firstErrors: new Map(),
  };
}

/** Tracked events the gateway neither acknowledged nor rejected. */
export function lostEvents(c: LoadCounters): number {
  return c.tracked - c.acknowledged - c.rejected;
}
