import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../database/prisma.service.js';
import type { RollupRow } from './bucket-fold.js';

type Tx = Prisma.TransactionClient;

/** The only place that writes rollups, applied sequences and partition offsets. */
@Injectable()
export class RollupRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * In one transaction: records the batch's stream sequences in `applied_batches`, lets `plan`
   * fold only the sequences that were not there yet, upserts the rows and raises the partition's
   * offset. A sequence is applied at most once however often, and in whatever order, it comes.
   */
  async applyOnce<T>(
    partition: number,
    seqs: number[],
    /** Gets the sequences not applied before; it may consume the set. */
    plan: (fresh: Set<number>) => { rows: RollupRow[]; result: T } | undefined,
  ): Promise<T | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const fresh = await this.recordSeqs(tx, partition, seqs);
      const highest = Math.max(0, ...fresh);
      const work = plan(fresh);
      if (!work) return undefined;
      await this.upsert(tx, work.rows);
      await tx.$executeRaw`
        INSERT INTO partition_offsets (partition, seq) VALUES (${partition}, ${highest})
        ON CONFLICT (partition) DO UPDATE
        SET seq = GREATEST(partition_offsets.seq, excluded.seq), updated_at = now()`;
      return work.result;
    });
  }

  /** Forgets applied sequences older than the retention; redeliveries come within minutes. */
  async pruneAppliedBefore(cutoff: Date): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM applied_batches WHERE applied_at < ${cutoff}`;
  }

  private async recordSeqs(tx: Tx, partition: number, seqs: number[]): Promise<Set<number>> {
    // NOTE: a concurrent transaction inserting the same sequence waits for ours on the primary
    // key and then sees a conflict, so exactly one of them folds it.
    const rows = await tx.$queryRaw<{ seq: bigint }[]>`
      INSERT INTO applied_batches (partition, seq)
      SELECT ${partition}, unnest(${seqs.map(String)}::bigint[])
      ON CONFLICT (partition, seq) DO NOTHING
      RETURNING seq`;
    return new Set(rows.map((row) => Number(row.seq)));
  }

  /**
   * One statement for the whole batch: rows and their users travel as parallel arrays through
   * `unnest` (Prisma has no bulk upsert). Rows are sorted so concurrent partitions lock rows in
   * the same order and do not deadlock.
   */
  private async upsert(tx: Tx, rows: RollupRow[]): Promise<void> {
    if (rows.length === 0) return;
    const a = toColumns(rows);
    await tx.$executeRaw`
      WITH r AS (
        SELECT * FROM unnest(
          ${a.idx}::int[], ${a.projectId}::text[], ${a.eventType}::text[], ${a.dimension}::text[],
          ${a.currency}::text[], ${a.granularity}::text[], ${a.bucket}::timestamptz[],
          ${a.count}::bigint[], ${a.revenueMicros}::numeric[]
        ) AS r(idx, project_id, event_type, dimension, currency, granularity, bucket, count, revenue_micros)
      ), u AS (
        SELECT idx, hll_add_agg(hll_hash_text(user_id)) AS users
        FROM unnest(${a.userIdx}::int[], ${a.userId}::text[]) AS u(idx, user_id)
        GROUP BY idx
      )
      INSERT INTO rollups (project_id, event_type, dimension, currency, granularity, bucket, count, revenue, users)
      SELECT r.project_id, r.event_type, r.dimension, r.currency, r.granularity, r.bucket,
             r.count, r.revenue_micros / 1000000, coalesce(u.users, hll_empty())
      FROM r LEFT JOIN u USING (idx)
      ORDER BY r.project_id, r.event_type, r.granularity, r.bucket, r.dimension, r.currency
      ON CONFLICT (project_id, event_type, granularity, bucket, dimension, currency) DO UPDATE
      SET count = rollups.count + excluded.count,
          revenue = rollups.revenue + excluded.revenue,
          users = hll_union(rollups.users, excluded.users)`;
  }
}

function toColumns(rows: RollupRow[]) {
  const columns = {
    idx: [] as number[],
    projectId: [] as string[],
    eventType: [] as string[],
    dimension: [] as string[],
    currency: [] as string[],
    granularity: [] as string[],
    bucket: [] as string[],
    count: [] as string[],
    revenueMicros: [] as string[],
    userIdx: [] as number[],
    userId: [] as string[],
  };
  rows.forEach((row, idx) => {
    columns.idx.push(idx);
    columns.projectId.push(row.projectId);
    columns.eventType.push(row.eventType);
    columns.dimension.push(row.dimension);
    columns.currency.push(row.currency);
    columns.granularity.push(row.granularity);
    columns.bucket.push(new Date(row.bucket).toISOString());
    columns.count.push(String(row.count));
    columns.revenueMicros.push(row.revenueMicros.toString());
    for (const user of row.users) {
      columns.userIdx.push(idx);
      columns.userId.push(user);
    }
  });
  return columns;
}
