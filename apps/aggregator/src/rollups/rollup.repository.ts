import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PrismaService } from '../database/prisma.service.js';
import type { MinuteRollup } from './bucket-fold.js';

// Named, so each pooled connection parses and plans them once.
const RECORD_SEQS = `
  INSERT INTO applied_batches (partition, seq)
  SELECT $1, unnest($2::bigint[])
  ON CONFLICT (partition, seq) DO NOTHING
  RETURNING seq`;

// One statement for the whole batch. The minute rows and their users travel as parallel arrays
// through `unnest`; their hour and day rows are unions of them (sketches merged, no user hashed
// twice); all of them go to `rollups`, and summed over dimensions to `rollup_totals`. Rows are
// sorted so concurrent partitions lock them in the same order and do not deadlock.
const UPSERT_ROLLUPS = `
  WITH r AS (
    SELECT * FROM unnest(
      $1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::bigint[],
      $8::numeric[]
    ) AS r(idx, project_id, event_type, dimension, currency, bucket, count, revenue_micros)
  ), u AS (
    SELECT idx, hll_add_agg(hll_hash_text(user_id)) AS users
    FROM unnest($9::int[], $10::text[]) AS u(idx, user_id)
    GROUP BY idx
  ), minute AS (
    SELECT r.project_id, r.event_type, r.dimension, r.currency, r.bucket, r.count,
           r.revenue_micros / 1000000 AS revenue, coalesce(u.users, hll_empty()) AS users
    FROM r LEFT JOIN u USING (idx)
  ), rows AS (
    SELECT project_id, event_type, dimension, currency, 'minute' AS granularity, bucket, count,
           revenue, users
    FROM minute
    UNION ALL
    SELECT project_id, event_type, dimension, currency, g.granularity,
           date_trunc(g.granularity, bucket, 'UTC'), sum(count), sum(revenue), hll_union_agg(users)
    FROM minute CROSS JOIN (VALUES ('hour'), ('day')) AS g(granularity)
    GROUP BY project_id, event_type, dimension, currency, g.granularity,
             date_trunc(g.granularity, bucket, 'UTC')
  ), per_dimension AS (
    INSERT INTO rollups (project_id, event_type, dimension, currency, granularity, bucket, count, revenue, users)
    SELECT project_id, event_type, dimension, currency, granularity, bucket, count, revenue, users
    FROM rows
    ORDER BY project_id, event_type, granularity, bucket, dimension, currency
    ON CONFLICT (project_id, event_type, granularity, bucket, dimension, currency) DO UPDATE
    SET count = rollups.count + excluded.count,
        revenue = rollups.revenue + excluded.revenue,
        users = hll_union(rollups.users, excluded.users)
  )
  INSERT INTO rollup_totals (project_id, event_type, currency, granularity, bucket, count, revenue, users, users_estimate)
  SELECT *, coalesce(hll_cardinality(users), 0) FROM (
    SELECT project_id, event_type, currency, granularity, bucket, sum(count), sum(revenue),
           hll_union_agg(users) AS users
    FROM rows
    GROUP BY project_id, event_type, granularity, bucket, currency
  ) AS totals
  ORDER BY project_id, event_type, granularity, bucket, currency
  ON CONFLICT (project_id, event_type, granularity, bucket, currency) DO UPDATE
  SET count = rollup_totals.count + excluded.count,
      revenue = rollup_totals.revenue + excluded.revenue,
      users = hll_union(rollup_totals.users, excluded.users),
      users_estimate = coalesce(hll_cardinality(hll_union(rollup_totals.users, excluded.users)), 0)`;

const RAISE_OFFSET = `
  INSERT INTO partition_offsets (partition, seq) VALUES ($1, $2)
  ON CONFLICT (partition) DO UPDATE
  SET seq = GREATEST(partition_offsets.seq, excluded.seq), updated_at = now()`;

/** Upserts minute rows (and their hour, day and total rows) inside `applyOnce`'s transaction. */
export type UpsertRollups = (rows: MinuteRollup[]) => Promise<void>;

export interface ApplyOptions {
  /**
   * Each upsert runs under a savepoint: one that Postgres refuses is undone on its own and the
   * transaction goes on, so the caller can apply what it can and leave the rest out.
   */
  isolateUpserts?: boolean;
}

/**
 * The only place that writes rollups (per dimension and totals), applied sequences and
 * partition offsets. The apply path
 * runs on the `pg` pool under Prisma's adapter rather than a Prisma interactive transaction:
 * three statements per batch, hundreds of batches a second (see docs/decisions.md).
 */
@Injectable()
export class RollupRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * In one transaction: records the batch's stream sequences in `applied_batches`, lets `work`
   * fold and upsert only the sequences that were not there yet, and raises the partition's
   * offset. A sequence is applied at most once however often, and in whatever order, it comes.
   * Whatever `work` awaits (e.g. dead-letter publishes) happens before COMMIT.
   */
  async applyOnce<T>(
    partition: number,
    seqs: number[],
    /** Gets the sequences not applied before (it may consume the set); undefined: nothing to do. */
    work: (fresh: Set<number>, upsert: UpsertRollups) => Promise<T | undefined>,
    options: ApplyOptions = {},
  ): Promise<T | undefined> {
    return this.inTransaction(async (client) => {
      // NOTE: a concurrent transaction inserting the same sequence waits for ours on the primary
      // key and then sees a conflict, so exactly one of them folds it.
      const recorded = await client.query<{ seq: string }>({
        name: 'record-seqs',
        text: RECORD_SEQS,
        values: [partition, seqs],
      });
      const fresh = new Set(recorded.rows.map((row) => Number(row.seq)));
      const highest = Math.max(0, ...fresh);
      const upsert = options.isolateUpserts
        ? (rows: MinuteRollup[]) => upsertUnderSavepoint(client, rows)
        : (rows: MinuteRollup[]) => upsertRollups(client, rows);
      const result = await work(fresh, upsert);
      if (result === undefined) return undefined;
      await client.query({
        name: 'raise-offset',
        text: RAISE_OFFSET,
        values: [partition, highest],
      });
      return result;
    });
  }

  /** Forgets applied sequences older than the retention; redeliveries come within minutes. */
  async pruneAppliedBefore(cutoff: Date): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM applied_batches WHERE applied_at < ${cutoff}`;
  }

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.prisma.pool.connect();
    let broken: Error | undefined;
    // NOTE: pg-pool listens for errors on idle clients only. A connection lost while checked out
    // (Postgres restarting, the backend terminated) also emits on the client, which unheard
    // exits the process; the failed query is what we act on, the event only marks it broken.
    const lost = (err: Error): void => void (broken = err);
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
      throw err;
    } finally {
      client.off('error', lost);
      // A connection that was lost or cannot even roll back is dropped rather than reused.
      client.release(broken);
    }
  }
}

async function upsertRollups(client: pg.PoolClient, rows: MinuteRollup[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query({ name: 'upsert-rollups', text: UPSERT_ROLLUPS, values: toColumns(rows) });
}

async function upsertUnderSavepoint(client: pg.PoolClient, rows: MinuteRollup[]): Promise<void> {
  await client.query('SAVEPOINT upsert');
  try {
    await upsertRollups(client, rows);
  } catch (err) {
    // Released too, so that savepoints do not pile up when many attempts fail.
    await client.query('ROLLBACK TO SAVEPOINT upsert');
    await client.query('RELEASE SAVEPOINT upsert');
    throw err;
  }
  await client.query('RELEASE SAVEPOINT upsert');
}

function toColumns(rows: MinuteRollup[]): unknown[] {
  const idx: number[] = [];
  const projectId: string[] = [];
  const eventType: string[] = [];
  const dimension: string[] = [];
  const currency: string[] = [];
  const bucket: string[] = [];
  const count: number[] = [];
  const revenueMicros: string[] = [];
  const userIdx: number[] = [];
  const userId: string[] = [];
  rows.forEach((row, i) => {
    idx.push(i);
    projectId.push(row.projectId);
    eventType.push(row.eventType);
    dimension.push(row.dimension);
    currency.push(row.currency);
    bucket.push(new Date(row.bucket).toISOString());
    count.push(row.count);
    revenueMicros.push(row.revenueMicros.toString());
    for (const user of row.users) {
      userIdx.push(i);
      userId.push(user);
    }
  });
  return [
    idx,
    projectId,
    eventType,
    dimension,
    currency,
    bucket,
    count,
    revenueMicros,
    userIdx,
    userId,
  ];
}
