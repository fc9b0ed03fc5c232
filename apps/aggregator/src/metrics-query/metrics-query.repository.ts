import { Injectable } from '@nestjs/common';
import { seriesCap, type MetricsPoint, type MetricsQuery } from '@tally/contracts';
import { Histogram } from 'prom-client';
import { PrismaService } from '../database/prisma.service.js';
import { isWholeHourZone } from './time-zones.js';

interface SeriesRow {
  bucket: Date;
  dimension: string | null;
  count: string;
  users: number;
  revenue: Record<string, string> | null;
}

// NOTE: fine buckets from 0.5 ms to 1 s, at most a third apart from 1 to 50 ms, so that a p50 or
// p99 read off them is close (the bench reports the database's share of the query time from it).
const dbSeconds = new Histogram({
  name: 'tally_aggregator_metrics_query_db_seconds',
  help: 'Database time of each successful metrics query: its read-only transaction, BEGIN to COMMIT',
  buckets: [
    0.0005, 0.00075, 0.001, 0.00125, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.006, 0.007,
    0.008, 0.01, 0.012, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1,
  ],
});

/** Positional parameters for one statement: `add` returns the placeholder of a value. */
class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Reads rollup series; unique users are merged with HLL unions, never summed. Runs on the `pg`
 * pool in a read-only transaction that turns hash aggregation off: the planner underestimates
 * HLL aggregate states, hashes, spills to disk and takes 2–3× as long as aggregating rows in the
 * primary key's bucket order (BENCHMARKS.md, query benchmark). The transaction's time goes into
 * the `tally_aggregator_metrics_query_db_seconds` histogram on `/metrics`.
 */
@Injectable()
export class MetricsQueryRepository {
  constructor(private readonly prisma: PrismaService) {}

  async series(query: MetricsQuery): Promise<MetricsPoint[]> {
    const { text, values } = seriesSql(query);
    const client = await this.prisma.pool.connect();
    try {
      const endTimer = dbSeconds.startTimer();
      await client.query('BEGIN READ ONLY');
      await client.query('SET LOCAL enable_hashagg = off');
      const { rows } = await client.query<SeriesRow>(text, values);
      await client.query('COMMIT');
      endTimer();
      return rows.map((row) => ({
        bucket: row.bucket.toISOString(),
        ...(query.groupByDimension ? { dimension: row.dimension ?? '' } : {}),
        count: Number(row.count),
        uniqueUsers: row.users ?? 0,
        revenue: row.revenue ?? {},
      }));
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

/**
 * Counts and users aggregate once per bucket over the rollup rows; revenue, kept per currency,
 * comes from the (few) rows that have a currency and is joined on. Without a dimension filter or
 * breakdown the rows are the totals over all dimensions, one per bucket and currency. A bucket of
 * one row reads its sketch's cardinality without a union (a union per bucket costs ~40 µs even
 * for one sketch), from the totals' stored estimate where there is one.
 */
function seriesSql(query: MetricsQuery): { text: string; values: unknown[] } {
  const p = new SqlParams();
  const granularity = sourceGranularity(query);
  const bucket = query.total
    ? `${p.add(new Date(query.from))}::timestamptz`
    : bucketExpression(query, p);
  const perDimension = query.groupByDimension || query.dimension !== undefined;
  const table = perDimension ? 'rollups' : 'rollup_totals';
  const estimate = perDimension ? 'NULL::float8' : 'users_estimate';
  const dimension = query.groupByDimension ? 'dimension' : 'NULL::text';
  const where = [
    `project_id = ${p.add(query.projectId)}`,
    `granularity = ${p.add(granularity)}`,
    `bucket >= ${p.add(new Date(query.from))}`,
    `bucket < ${p.add(new Date(query.to))}`,
    ...(query.type !== undefined ? [`event_type = ${p.add(query.type)}`] : []),
    ...(query.dimension !== undefined ? [`dimension = ${p.add(query.dimension)}`] : []),
  ].join(' AND ');
  // NOTE: a breakdown always has a cap on its series (`top`, or its default), so its cost is
  // known before it runs (`metricsQueryCost`) however many dimensions the project has.
  const top = query.groupByDimension
    ? `AND dimension IN (SELECT dimension FROM rollups WHERE ${where}
           GROUP BY dimension ORDER BY sum(count) DESC, dimension LIMIT ${p.add(seriesCap(query))})`
    : '';
  const text = `
    WITH picked AS NOT MATERIALIZED (
      SELECT ${bucket} AS bucket, ${dimension} AS dimension, currency, count, revenue, users,
             ${estimate} AS estimate
      FROM ${table} WHERE ${where} ${top}
    ), revenue AS (
      SELECT bucket, dimension, jsonb_object_agg(currency, revenue::text) AS revenue
      FROM (SELECT bucket, dimension, currency, sum(revenue) AS revenue
            FROM picked WHERE currency <> '' GROUP BY 1, 2, 3) per_currency
      GROUP BY 1, 2
    ), counted AS (
      SELECT bucket, dimension, count, users, estimate,
             count(*) OVER (PARTITION BY bucket, dimension) AS n
      FROM picked
    ), totals AS (
      SELECT bucket, dimension, count, round(coalesce(estimate, hll_cardinality(users)))::float8 AS users
      FROM counted WHERE n = 1
      UNION ALL
      SELECT bucket, dimension, sum(count)::bigint, round(hll_cardinality(hll_union_agg(users)))::float8
      FROM counted WHERE n > 1 GROUP BY 1, 2
    )
    SELECT t.bucket, t.dimension, t.count, t.users, r.revenue
    FROM totals t
    LEFT JOIN revenue r ON r.bucket = t.bucket AND r.dimension IS NOT DISTINCT FROM t.dimension
    ORDER BY t.bucket, t.dimension`;
  return { text, values: p.values };
}

/** Day buckets in a time zone other than UTC are cut from local midnight to local midnight. */
function inZone(query: MetricsQuery): string | undefined {
  const zone = query.timeZone;
  return query.granularity === 'day' && zone !== undefined && zone !== 'UTC' ? zone : undefined;
}

/**
 * The rollups a query reads. Day buckets in a time zone are unions of the UTC hour buckets (or
 * minute buckets, for zones with half-hour offsets) between two local midnights; HLL unions keep
 * unique users exact to the sketch's error rather than summed.
 */
function sourceGranularity(query: MetricsQuery): string {
  const zone = inZone(query);
  if (zone === undefined) return query.granularity;
  return isWholeHourZone(zone) ? 'hour' : 'minute';
}

function bucketExpression(query: MetricsQuery, p: SqlParams): string {
  const zone = inZone(query);
  if (zone === undefined) return 'bucket';
  // NOTE: `AT TIME ZONE` takes text or an interval: an untyped parameter would be ambiguous.
  const z = `${p.add(zone)}::text`;
  return `(date_trunc('day', bucket AT TIME ZONE ${z}) AT TIME ZONE ${z})`;
}
