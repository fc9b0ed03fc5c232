import { request } from 'undici';
import {
  bucketDeltas,
  bucketQuantile,
  parseHistogram,
  type HistogramBucket,
} from './prometheus-histogram.js';
import type { BenchStack } from './stack.js';

/** The aggregator's histogram of each metrics query's database time (its read-only transaction). */
const DB_TIME_HISTOGRAM = 'tally_aggregator_metrics_query_db_seconds';

/**
 * The database's share of the timed queries, from the aggregator's histogram: p50 and p99 are
 * the upper bounds (ms) of the buckets that hold them (`Infinity`, `null` in JSON, past the last
 * one); `queries` is how many metrics queries it counted in the window, the timed ones and any
 * other. `unavailable` says why there is none.
 */
export type DbTime = { queries: number; p50: number; p99: number } | { unavailable: string };

const SCRAPE_TIMEOUT_MS = 5_000;
const toMs = (seconds: number) => Number((seconds * 1000).toPrecision(6));
const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The aggregator's `/metrics` origin, from the port the stack recorded for it. */
function aggregatorOrigin(stack: BenchStack): string {
  const aggregator = stack.apps.find((a) => a.name === 'aggregator');
  if (!aggregator) throw new Error('the aggregator is not running');
  if (!Number.isInteger(aggregator.port)) {
    throw new Error('no HTTP port recorded for the aggregator');
  }
  return `http://127.0.0.1:${aggregator.port}`;
}

async function scrape(stack: BenchStack): Promise<HistogramBucket[]> {
  const origin = aggregatorOrigin(stack);
  const res = await request(`${origin}/metrics`, {
    headersTimeout: SCRAPE_TIMEOUT_MS,
    bodyTimeout: SCRAPE_TIMEOUT_MS,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${origin}/metrics answered ${res.statusCode}`);
  const buckets = parseHistogram(text, DB_TIME_HISTOGRAM);
  if (!buckets) throw new Error(`${origin}/metrics has no ${DB_TIME_HISTOGRAM}`);
  return buckets;
}

/**
 * Runs `timed` between two scrapes of the aggregator's `/metrics` and reads p50 and p99 of the
 * database time off the histogram's bucket deltas. A stack whose aggregator cannot be scraped
 * (a reused one without the port or the histogram) gets `unavailable`, never a failed run.
 */
export async function dbTimeAround(stack: BenchStack, timed: () => Promise<void>): Promise<DbTime> {
  const before = await scrape(stack).catch(reason);
  await timed();
  if (typeof before === 'string') return { unavailable: before };
  try {
    const between = bucketDeltas(before, await scrape(stack));
    const p50 = bucketQuantile(between, 0.5);
    const p99 = bucketQuantile(between, 0.99);
    if (p50 === undefined || p99 === undefined) {
      return { unavailable: 'the aggregator recorded no query' };
    }
    return { queries: between.at(-1)?.count ?? 0, p50: toMs(p50), p99: toMs(p99) };
  } catch (err) {
    return { unavailable: reason(err) };
  }
}
