import { performance } from 'node:perf_hooks';
import hdr from 'hdr-histogram-js';
import { Pool } from 'undici';
import { getSeries } from './api.js';
import type { BenchStack } from './stack.js';

export interface QueryResult {
  queries: number;
  buckets: number;
  seededRows: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The same SQL on the bench's own connection: the database's share of the time. */
  sqlOnly: { p50: number; p99: number };
  /** The same SQL with `SET enable_hashagg = off` (sorted aggregation). */
  sqlSorted: { p50: number; p99: number };
}

// NOTE: mirrors MetricsQueryRepository.series() in apps/aggregator (type filter, no dimension
// grouping), to split the API's time into database and the rest, and to try a planner setting.
const SERIES_SQL = `
  WITH per_currency AS (
    SELECT bucket, NULL::text AS dimension, currency,
           sum(count) AS count, sum(revenue) AS revenue, hll_union_agg(users) AS users
    FROM rollups
    WHERE project_id = $1 AND granularity = 'hour' AND bucket >= $2 AND bucket < $3
      AND event_type = 'page_view'
    GROUP BY bucket, currency
  )
  SELECT bucket, dimension, sum(count)::bigint AS count,
         round(hll_cardinality(hll_union_agg(users)))::float8 AS users,
         jsonb_object_agg(currency, revenue::text) FILTER (WHERE currency <> '') AS revenue
  FROM per_currency
  GROUP BY bucket, dimension
  ORDER BY bucket, dimension`;

async function timeSql(
  stack: BenchStack,
  args: unknown[],
  runs: number,
): Promise<{ p50: number; p99: number }> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    await stack.pg.query(SERIES_SQL, args);
    if (i >= 3) histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
  }
  return {
    p50: histogram.getValueAtPercentile(50) / 1000,
    p99: histogram.getValueAtPercentile(99) / 1000,
  };
}

const HOUR = 3_600_000;
const DAYS = 30;
const DIMENSIONS = 10;
const USERS_PER_ROW = 100;

/**
 * Seeds 30 days of hourly `page_view` rollups (10 paths, a 100-user HLL sketch per row) for the
 * bench's project straight into the rollups table, then times the 30-day hourly series through
 * `GET /v1/metrics` one query at a time.
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
  await stack.pg.query('ANALYZE rollups');
  const pool = new Pool(stack.gatewayOrigin, { connections: 1 });
  const params = {
    type: 'page_view',
    granularity: 'hour',
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
  };
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
  let buckets = 0;
  try {
    const warmUp = Math.min(20, opts.queries);
    for (let i = 0; i < warmUp + opts.queries; i++) {
      const t0 = performance.now();
      const series = await getSeries(pool, opts.readKey, params);
      const us = Math.max(1, Math.round((performance.now() - t0) * 1000));
      buckets = series.length;
      if (i >= warmUp) histogram.recordValue(us);
    }
  } finally {
    await pool.close();
  }
  if (buckets !== DAYS * 24) {
    throw new Error(`the 30-day hourly series answered ${buckets} buckets, expected ${DAYS * 24}`);
  }
  const sqlArgs = [opts.projectId, new Date(start), new Date(end)];
  const sqlRuns = Math.max(5, Math.min(100, opts.queries));
  const sqlOnly = await timeSql(stack, sqlArgs, sqlRuns);
  await stack.pg.query('SET enable_hashagg = off');
  const sqlSorted = await timeSql(stack, sqlArgs, sqlRuns).finally(() =>
    stack.pg.query('RESET enable_hashagg'),
  );
  const ms = (us: number) => us / 1000;
  return {
    sqlOnly,
    sqlSorted,
    queries: histogram.totalCount,
    buckets,
    seededRows: seeded.rowCount ?? 0,
    p50: ms(histogram.getValueAtPercentile(50)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}
