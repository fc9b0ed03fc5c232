import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { bucketDeltas, bucketQuantile, parseHistogram } from './prometheus-histogram.js';

const NAME = 'tally_aggregator_metrics_query_db_seconds';
const BUCKETS = [0.002, 0.005, 0.01, 0.02, 1];

/**
 * Two scrapes of prom-client's own exposition of a histogram (beside another metric): 3
 * observations before, then 60 queries in (2, 5] ms, 38 in (5, 10] ms, one in (10, 20] ms and
 * one in (20 ms, 1 s].
 */
async function twoScrapes(): Promise<{ before: string; after: string }> {
  const registry = new Registry();
  new Counter({ name: 'tally_jetstream_messages_total', help: 'other', registers: [registry] });
  const histogram = new Histogram({
    name: NAME,
    help: 'db',
    buckets: BUCKETS,
    registers: [registry],
  });
  const observe = (seconds: number, times: number) => {
    for (let i = 0; i < times; i++) histogram.observe(seconds);
  };
  observe(0.0035, 1);
  observe(0.0045, 2);
  const before = await registry.metrics();
  observe(0.0045, 60);
  observe(0.0055, 38);
  observe(0.013, 1);
  observe(0.7, 1);
  return { before, after: await registry.metrics() };
}

const { before: BEFORE, after: AFTER } = await twoScrapes();

describe('Prometheus histogram text', () => {
  test('parses the cumulative buckets of one histogram, +Inf included', () => {
    const buckets = parseHistogram(AFTER, NAME);
    assert.deepEqual(buckets, [
      { le: 0.002, count: 0 },
      { le: 0.005, count: 63 },
      { le: 0.01, count: 101 },
      { le: 0.02, count: 102 },
      { le: 1, count: 103 },
      { le: Infinity, count: 103 },
    ]);
    assert.equal(parseHistogram(AFTER, 'tally_aggregator_no_such_seconds'), undefined);
  });

  test('reads p50 and p99 of the queries between two scrapes as bucket upper bounds', () => {
    const before = parseHistogram(BEFORE, NAME);
    const after = parseHistogram(AFTER, NAME);
    assert.ok(before && after);
    const between = bucketDeltas(before, after);
    assert.equal(between.at(-1)?.count, 100);
    assert.equal(bucketQuantile(between, 0.5), 0.005);
    assert.equal(bucketQuantile(between, 0.98), 0.01);
    assert.equal(bucketQuantile(between, 0.99), 0.02);
    assert.equal(bucketQuantile(between, 1), 1);
    assert.equal(bucketQuantile(bucketDeltas(after, after), 0.5), undefined);
  });

  test('refuses a histogram that went backwards (a restart between the scrapes)', () => {
    const before = parseHistogram(BEFORE, NAME);
    const after = parseHistogram(AFTER, NAME);
    assert.ok(before && after);
    assert.throws(() => bucketDeltas(after, before), /restarted/);
  });

  test('sums label sets by bound and says when the quantile is past the last finite bound', () => {
    const gc = parseHistogram(
      [
        'nodejs_gc_duration_seconds_bucket{le="0.001",kind="major"} 0',
        'nodejs_gc_duration_seconds_bucket{le="0.1",kind="major"} 1',
        'nodejs_gc_duration_seconds_bucket{le="+Inf",kind="major"} 1',
        'nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 4',
        'nodejs_gc_duration_seconds_bucket{le="0.1",kind="minor"} 4',
        'nodejs_gc_duration_seconds_bucket{le="+Inf",kind="minor"} 9',
      ].join('\n'),
      'nodejs_gc_duration_seconds',
    );
    assert.ok(gc);
    assert.deepEqual(gc[0], { le: 0.001, count: 4 });
    assert.deepEqual(gc.at(-1), { le: Infinity, count: 10 });
    assert.equal(bucketQuantile(gc, 0.5), 0.1);
    assert.equal(bucketQuantile(gc, 0.99), Infinity);
  });

  test('rejects a bucket line it cannot read', () => {
    assert.throws(() => parseHistogram(`${NAME}_bucket{le="x"} 1`, NAME), /not a histogram/);
  });
});
