import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { WatermarkUpdate } from './watermark-fold.js';

const ADVANCE = `
  INSERT INTO rollup_watermarks (project_id, last_seq, last_bucket, updated_at)
  SELECT project_id, last_seq, last_bucket, now()
  FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) AS u(project_id, last_seq, last_bucket)
  ORDER BY project_id
  ON CONFLICT (project_id) DO UPDATE
  SET last_seq = GREATEST(rollup_watermarks.last_seq, excluded.last_seq),
      last_bucket = GREATEST(rollup_watermarks.last_bucket, excluded.last_bucket),
      updated_at = now()`;

/**
 * The only place that reads or writes rollup watermarks. `advance` runs for every consumed batch
 * of rollup deltas, on the pool under Prisma (see PrismaService).
 */
@Injectable()
export class RollupWatermarkRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One statement for the whole batch (projects travel as parallel arrays through `unnest`).
   * NOTE: deltas may arrive out of order (redelivery, several partitions), so both marks only
   * move forward: GREATEST keeps the stored value when the new one is older, and ignores NULL.
   */
  async advance(updates: readonly WatermarkUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const projectIds = updates.map((u) => u.projectId);
    const lastSeqs = updates.map((u) => String(u.lastSeq));
    const lastBuckets = updates.map((u) =>
      u.lastBucket === undefined ? null : new Date(u.lastBucket).toISOString(),
    );
    await this.prisma.pool.query({
      name: 'advance-watermarks',
      text: ADVANCE,
      values: [projectIds, lastSeqs, lastBuckets],
    });
  }
}
