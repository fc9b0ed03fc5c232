import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bucketDeltas, bucketQuantile, parseHistogram } from './prometheus-histogram.js';

const NAME = 'tally_aggregator_metrics_query_db_seconds';

// Two scrapes of prom-client 15's exposition of the aggregator's histogram (and the default GC
// histogram after it), trimmed to those metrics. Between them: 60 queries in (4, 5] ms, 38 in
// (5, 6] ms, one in (12, 15] ms and one in (0.5, 1] s.
const BEFORE = `# HELP tally_jetstream_messages_total Messages handled by JetStream consumers, by outcome
# TYPE tally_jetstream_messages_total counter

# HELP tally_aggregator_metrics_query_db_seconds Database time of each successful metrics query: its read-only transaction, BEGIN to COMMIT
# TYPE tally_aggregator_metrics_query_db_seconds histogram
tally_aggregator_metrics_query_db_seconds_bucket{le="0.0005"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.00075"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.001"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.00125"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.0015"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.002"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.0025"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.003"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.004"} 1
tally_aggregator_metrics_query_db_seconds_bucket{le="0.005"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.006"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.007"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.008"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.01"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.012"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.015"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.02"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.025"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.03"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.04"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.05"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.075"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.1"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.15"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.25"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="0.5"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="1"} 3
tally_aggregator_metrics_query_db_seconds_bucket{le="+Inf"} 3
tally_aggregator_metrics_query_db_seconds_sum 0.012
tally_aggregator_metrics_query_db_seconds_count 3

# HELP nodejs_gc_duration_seconds Garbage collection duration by kind, one of major, minor, incremental or weakcb.
# TYPE nodejs_gc_duration_seconds histogram
nodejs_gc_duration_seconds_bucket{le="0.001",kind="major"} 0
nodejs_gc_duration_seconds_bucket{le="0.01",kind="major"} 0
nodejs_gc_duration_seconds_bucket{le="0.1",kind="major"} 1
nodejs_gc_duration_seconds_bucket{le="1",kind="major"} 1
nodejs_gc_duration_seconds_bucket{le="2",kind="major"} 1
nodejs_gc_duration_seconds_bucket{le="5",kind="major"} 1
nodejs_gc_duration_seconds_bucket{le="+Inf",kind="major"} 1
nodejs_gc_duration_seconds_sum{kind="major"} 0.030534479000023568
nodejs_gc_duration_seconds_count{kind="major"} 1
`;

const AFTER = `# HELP tally_jetstream_messages_total Messages handled by JetStream consumers, by outcome
# TYPE tally_jetstream_messages_total counter

# HELP tally_aggregator_metrics_query_db_seconds Database time of each successful metrics query: its read-only transaction, BEGIN to COMMIT
# TYPE tally_aggregator_metrics_query_db_seconds histogram
tally_aggregator_metrics_query_db_seconds_bucket{le="0.0005"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.00075"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.001"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.00125"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.0015"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.002"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.0025"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.003"} 0
tally_aggregator_metrics_query_db_seconds_bucket{le="0.004"} 1
tally_aggregator_metrics_query_db_seconds_bucket{le="0.005"} 63
tally_aggregator_metrics_query_db_seconds_bucket{le="0.006"} 101
tally_aggregator_metrics_query_db_seconds_bucket{le="0.007"} 101
tally_aggregator_metrics_query_db_seconds_bucket{le="0.008"} 101
tally_aggregator_metrics_query_db_seconds_bucket{le="0.01"} 101
tally_aggregator_metrics_query_db_seconds_bucket{le="0.012"} 101
tally_aggregator_metrics_query_db_seconds_bucket{le="0.015"} 102
tally_aggregator_metrics_query_db_seconds_bucket{le="0.02"} 102
tally_aggregator_metrics_query_db_seconds_bucket{le="0.025"} 102
tally_aggregator_metrics_query_db_seconds_bucket{le="0.03"} 102
tally_aggregator_metrics_query_db_seconds_bucket{le="0.04"} 102
tally_aggregator_metrics_query_db_seconds_bucket{le="0.05"} 102
tally_aggregator_metrics_query_db_seconds_bucket{le="0.075"} 102
tally_aggregator_metrics_query_db_seconds_bucket{le="0.1"} 102
tally_aggregator_metrics_query_db_seconds_bucket{le="0.15"} 102
tally_aggregator_metrics_query_db_seconds_bucket{le="0.25"} 102
tally_aggregator_metrics_query_db_seconds_bucket{le="0.5"} 102
tally_aggregator_metrics_query_db_seconds_bucket{le="1"} 103
tally_aggregator_metrics_query_db_seconds_bucket{le="+Inf"} 103
tally_aggregator_metrics_query_db_seconds_sum 1.3040000000000003
tally_aggregator_metrics_query_db_seconds_count 103

# HELP nodejs_gc_duration_seconds Garbage collection duration by kind, one of major, minor, incremental or weakcb.
# TYPE nodejs_gc_duration_seconds histogram
nodejs_gc_duration_seconds_bucket{le="0.001",kind="major"} 0
nodejs_gc_duration_seconds_bucket{le="0.01",kind="major"} 0
nodejs_gc_duration_seconds_bucket{le="0.1",kind="major"} 1
nodejs_gc_duration_seconds_bucket{le="1",kind="major"} 1
nodejs_gc_duration_seconds_bucket{le="2",kind="major"} 1
nodejs_gc_duration_seconds_bucket{le="5",kind="major"} 1
nodejs_gc_duration_seconds_bucket{le="+Inf",kind="major"} 1
nodejs_gc_duration_seconds_sum{kind="major"} 0.030534479000023568
nodejs_gc_duration_seconds_count{kind="major"} 1
`;

describe('Prometheus histogram text', () => {
  test('parses the cumulative buckets of one histogram, +Inf included', () => {
    const buckets = parseHistogram(AFTER, NAME);
    assert.equal(buckets?.length, 28);
    assert.deepEqual(buckets?.slice(7, 10), [
      { le: 0.003, count: 0 },
      { le: 0.004, count: 1 },
      { le: 0.005, count: 63 },
    ]);
    assert.deepEqual(buckets?.at(-1), { le: Infinity, count: 103 });
    assert.equal(parseHistogram(AFTER, 'tally_aggregator_no_such_seconds'), undefined);
  });

  test('reads p50 and p99 of the queries between two scrapes as bucket upper bounds', () => {
    const before = parseHistogram(BEFORE, NAME);
    const after = parseHistogram(AFTER, NAME);
    assert.ok(before && after);
    const between = bucketDeltas(before, after);
    assert.equal(between.at(-1)?.count, 100);
    assert.equal(bucketQuantile(between, 0.5), 0.005);
    assert.equal(bucketQuantile(between, 0.98), 0.006);
    assert.equal(bucketQuantile(between, 0.99), 0.015);
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
        AFTER,
        'nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 4',
        'nodejs_gc_duration_seconds_bucket{le="0.01",kind="minor"} 4',
        'nodejs_gc_duration_seconds_bucket{le="0.1",kind="minor"} 4',
        'nodejs_gc_duration_seconds_bucket{le="1",kind="minor"} 4',
        'nodejs_gc_duration_seconds_bucket{le="2",kind="minor"} 4',
        'nodejs_gc_duration_seconds_bucket{le="5",kind="minor"} 4',
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
