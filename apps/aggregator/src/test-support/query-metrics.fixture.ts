import assert from 'node:assert/strict';
import type pg from 'pg';
import { Histogram, register } from 'prom-client';

/** Metrics queries that reached Postgres so far (the count of the query-time histogram). */
export async function databaseQueries(): Promise<number> {
  const metric = register.getSingleMetric('tally_aggregator_metrics_query_db_seconds');
  assert.ok(metric instanceof Histogram);
  const { values } = await metric.get();
  return values.find((v) => v.metricName?.endsWith('_count'))?.value ?? NaN;
}

/** Queries of the aggregator's pool waiting for a lock. */
export async function blockedQueries(client: pg.Client): Promise<number> {
  // NOTE: within a transaction pg_stat_activity is a snapshot taken at its first read.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = 'tally-aggregator'
       AND wait_event_type = 'Lock'`,
  );
  return rows[0]?.n ?? 0;
}
