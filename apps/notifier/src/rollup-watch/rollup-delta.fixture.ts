import type { RollupDelta } from '@tally/contracts';

/** A delta of partition 0 with one `click`/`buy` row per bucket (epoch ms). */
export function rollupDelta(projectId: string, seq: number, buckets: number[]): RollupDelta {
  return {
    projectId,
    partition: 0,
    seq,
    rows: buckets.map((bucket) => ({
      type: 'click',
      dimension: 'buy',
      bucket,
      count: 1,
      revenueMicros: {},
    })),
  };
}
