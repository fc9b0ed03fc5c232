import type { RollupDelta } from '@tally/contracts';

/** What a batch of deltas moves a project's watermark to. */
export interface WatermarkUpdate {
  projectId: string;
  /** Highest delta `seq` in the batch for this project. */
  lastSeq: number;
  /** Newest minute bucket (epoch ms) the project's deltas touched; undefined if they had no rows. */
  lastBucket: number | undefined;
}

/**
 * One update per project, sorted by project id. NOTE: an upsert statement may not touch the same
 * row twice, so a batch holding several deltas of one project must be folded first; the sort
 * makes concurrent replicas lock rows in the same order.
 */
export function foldWatermarks(deltas: readonly RollupDelta[]): WatermarkUpdate[] {
  const byProject = new Map<string, WatermarkUpdate>();
  for (const delta of deltas) {
    const newest = delta.rows.reduce<number | undefined>(
      (max, row) => (max === undefined || row.bucket > max ? row.bucket : max),
      undefined,
    );
    const current = byProject.get(delta.projectId);
    if (!current) {
      byProject.set(delta.projectId, {
        projectId: delta.projectId,
        lastSeq: delta.seq,
        lastBucket: newest,
      });
      continue;
    }
    current.lastSeq = Math.max(current.lastSeq, delta.seq);
    if (newest !== undefined && (current.lastBucket === undefined || newest > current.lastBucket)) {
      current.lastBucket = newest;
    }
  }
  return [...byProject.values()].sort((a, b) =>
    a.projectId < b.projectId ? -1 : a.projectId > b.projectId ? 1 : 0,
  );
}
