import type { RollupDelta } from '@tally/contracts';
import type { MinuteRollup } from './bucket-fold.js';

/** Minute rows of one committed batch, grouped per project, as published after commit. */
export function rollupDeltas(rows: MinuteRollup[], partition: number, seq: number): RollupDelta[] {
  const byProject = new Map<string, RollupDelta>();
  for (const row of rows) {
    let delta = byProject.get(row.projectId);
    if (!delta) {
      delta = { projectId: row.projectId, partition, seq, rows: [] };
      byProject.set(row.projectId, delta);
    }
    delta.rows.push({
      type: row.eventType as RollupDelta['rows'][number]['type'],
      dimension: row.dimension,
      bucket: row.bucket,
      count: row.count,
      revenueMicros: row.currency ? { [row.currency]: Number(row.revenueMicros) } : {},
    });
  }
  return [...byProject.values()];
}
