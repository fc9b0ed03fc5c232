import { performance } from 'node:perf_hooks';
import hdr from 'hdr-histogram-js';
import { Pool } from 'undici';
import { getSeries } from './api.js';
import { dbTimeAround, type DbTime } from './db-time.js';
import type { BenchStack } from './stack.js';

export interface QueryResult {
  queries: number;
  buckets: number;
  seededRows: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /**
   * The database time (each query's read-only transaction) of the timed queries, from the
   * aggregator's own histogram; its count includes any other metrics query answered meanwhile.
   */
  dbTime: DbTime;
}

const HOUR = 3_600_000;
const DAYS = 30;
const DIMENSIONS = 10;
const USERS_PER_ROW = 100;

/**
 * Seeds 30 days of hourly `page_view` rollups (10 paths, a 100-user HLL sketch per row) for the
 * bench's project straight into the rollups table (and their sums into rollup_totals, as the
 * aggregator writes them), then times the 30-day hourly series through `GET /v1/metrics` one
 * query at a time, and reads the database's share of that time off the aggregator's `/metrics`.
 */
export async function runQueryBench(
  stack: BenchStack,
  opts: { projectId: string; readKey: string; queries: number },
): Promise<QueryResult> {
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  const start = end - DAYS * 24 * HOUR;
  const seeded = await stack.pg.query(
    `INSERT INTO rollups (project_id, event_type, dimension, currency, granularity, bucket, count, revenue, users)
     SELECT $1, 'page_view', '/page/' || d, '', 'hour', h, 50 + (d * 7 + extract(hour FROM h)::int) % 50, 0,
            (SELECT hll_add_agg(hll_hash_integer(u + d * 100003 + (extract(epoch FROM h)::bigint / 3600)::int % 1000 * 37))
             FROM generate_series(1, $4::int) AS u)
     FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 hour', interval '1 hour') AS h,
          generate_series(1, $5::int) AS d
     ON CONFLICT DO NOTHING`,
    [opts.projectId, new Date(start), new Date(end), USERS_PER_ROW, DIMENSIONS],
  );
  // What the aggregator writes beside every batch of rollups: their sums over all dimensions.
  await stack.pg.query(
    `INSERT INTO rollup_totals (project_id, event_type, currency, granularity, bucket, count, revenue, users, users_estimate)
     SELECT project_id, event_type, currency, granularity, bucket, sum(count), sum(revenue), hll_union_agg(users),
            hll_cardinality(hll_union_agg(users))
     FROM rollups WHERE project_id = $1 AND event_type = 'page_view' AND granularity = 'hour'
     GROUP BY 1, 2, 3, 4, 5
     ON CONFLICT DO NOTHING`,
    [opts.projectId],
  );
  await stack.pg.query('ANALYZE rollups, rollup_totals');
  const pool = new Pool(stack.gatewayOrigin, { connections: 1 });
  const params = {
    type: 'page_view',
    granularity: 'hour',
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
  };
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
  let buckets = 0;
  /** One `GET /v1/metrics` of the series, in µs. */
  const timeSeriesQuery = async () => {
    const t0 = performance.now();
    const series = await getSeries(pool, opts.readKey, params);
    buckets = series.length;
    return Math.max(1, Math.round((performance.now() - t0) * 1000));
  };
  let dbTime: DbTime;
  try {
    for (let i = 0; i < Math.min(20, opts.queries); i++) await timeSeriesQuery();
    dbTime = await dbTimeAround(stack, async () => {
      for (let i = 0; i < opts.queries; i++) histogram.recordValue(await timeSeriesQuery());
    });
  } finally {
    await pool.close();
  }
  if (buckets !== DAYS * 24) {
    throw new Error(`the 30-day hourly series answered ${buckets} buckets, expected ${DAYS * 24}`);
  }
  const ms = (us: number) => us / 1000;
  return {
    dbTime,
    queries: histogram.totalCount,
    buckets,
    seededRows: seeded.rowCount ?? 0,
    p50: ms(histogram.getValueAtPercentile(50)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}
