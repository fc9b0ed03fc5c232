import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigService } from '@nestjs/config';
import type { MetricsQuery, StoredEvent } from '@tally/contracts';
import type { TestDatabaseHandle } from '@tally/testkit';
import { Histogram, register } from 'prom-client';
import type { AggregatorConfig } from '../config/aggregator.config.js';
import { PrismaService } from '../database/prisma.service.js';
import { foldBatches } from '../rollups/bucket-fold.js';
import { RollupRepository } from '../rollups/rollup.repository.js';
import { migratedDatabase } from '../test-support/aggregator-test-bed.fixture.js';
import { MetricsQueryRepository } from './metrics-query.repository.js';

const at = (iso: string, dimension = 'x', userId = 'u'): StoredEvent => ({
  id: crypto.randomUUID(),
  type: 'click',
  dimension,
  userId,
  timestamp: Date.parse(iso),
  receivedAt: Date.parse(iso),
});

const purchase = (
  dimension: string,
  userId: string,
  currency: string,
  amountMicros: number,
): StoredEvent => ({
  ...at('2026-11-24T12:10:00Z', dimension, userId),
  type: 'purchase',
  revenue: { currency, amountMicros },
});

/** Count and sum of the database-time histogram, as `/metrics` exposes them. */
async function dbTime(): Promise<{ count: number; sum: number }> {
  const metric = register.getSingleMetric('tally_aggregator_metrics_query_db_seconds');
  assert.ok(metric instanceof Histogram, 'the histogram is not registered');
  const { values } = await metric.get();
  const value = (suffix: string) => values.find((v) => v.metricName?.endsWith(suffix))?.value;
  return { count: value('_count') ?? NaN, sum: value('_sum') ?? NaN };
}

describe('MetricsQueryRepository on real Postgres', () => {
  let db: TestDatabaseHandle;
  let prisma: PrismaService;
  let queries: MetricsQueryRepository;

  before(async () => {
    db = await migratedDatabase();
    prisma = new PrismaService(new ConfigService<AggregatorConfig, true>({ databaseUrl: db.url }));
    await prisma.onModuleInit();
    const events = [
      at('2026-11-24T22:30:00Z', 'a'), // Berlin: 24th 23:30
      at('2026-11-24T23:30:00Z', 'a'), // Berlin: 25th 00:30
      at('2026-11-24T18:45:00Z', 'a'), // Kolkata: 25th 00:15
      at('2026-11-24T12:00:00Z', 'b'),
      at('2026-11-24T12:01:00Z', 'b'),
      at('2026-11-24T12:02:00Z', 'c'),
    ];
    const rows = foldBatches([{ v: 1, batchId: 'b', projectId: 'p1', partition: 0, events }]);
    const purchases = [
      purchase('a', 'u1', 'EUR', 2_500_000),
      purchase('a', 'u2', 'EUR', 1_000_000),
      purchase('b', 'u2', 'USD', 4_000_000),
      purchase('b', 'u3', 'EUR', 500_000),
    ];
    const repository = new RollupRepository(prisma);
    await repository.applyOnce(0, [1], (_fresh, upsert) => upsert(rows).then(() => true));
    const shop = foldBatches([
      { v: 1, batchId: 's', projectId: 'shop', partition: 0, events: purchases },
    ]);
    await repository.applyOnce(0, [2], (_fresh, upsert) => upsert(shop).then(() => true));
    queries = new MetricsQueryRepository(prisma);
  });

  after(async () => {
    await prisma.onModuleDestroy();
    await db.drop();
  });

  const query = (extra: Partial<MetricsQuery>): MetricsQuery => ({
    projectId: 'p1',
    from: Date.parse('2026-11-23T00:00:00Z'),
    to: Date.parse('2026-11-27T00:00:00Z'),
    granularity: 'day',
    groupByDimension: false,
    ...extra,
  });

  const days = async (extra: Partial<MetricsQuery>) =>
    (await queries.series(query(extra))).map((p) => [p.bucket, p.count]);

  it('cuts day buckets at UTC midnight by default', async () => {
    assert.deepEqual(await days({}), [['2026-11-24T00:00:00.000Z', 6]]);
  });

  it('cuts day buckets at local midnight in a whole-hour time zone', async () => {
    assert.deepEqual(await days({ timeZone: 'Europe/Berlin' }), [
      ['2026-11-23T23:00:00.000Z', 5],
      ['2026-11-24T23:00:00.000Z', 1],
    ]);
  });

  it('uses minute buckets for a half-hour time zone', async () => {
    assert.deepEqual(await days({ timeZone: 'Asia/Kolkata' }), [
      ['2026-11-23T18:30:00.000Z', 3],
      ['2026-11-24T18:30:00.000Z', 3],
    ]);
  });

  it('keeps only the top N dimensions by count', async () => {
    const series = await queries.series(query({ groupByDimension: true, top: 2 }));
    assert.deepEqual(
      series.map((p) => [p.dimension, p.count]),
      [
        ['a', 3],
        ['b', 2],
      ],
    );
  });

  it('answers one point for the whole range with users merged across its buckets', async () => {
    const minutes = query({ granularity: 'minute', from: Date.parse('2026-11-24T12:00:00Z') });
    const perMinute = await queries.series(minutes);
    assert.equal(perMinute.length, 6);
    assert.deepEqual(await queries.series({ ...minutes, total: true }), [
      { bucket: '2026-11-24T12:00:00.000Z', count: 6, uniqueUsers: 1, revenue: {} },
    ]);
    const perDimension = await queries.series({ ...minutes, total: true, groupByDimension: true });
    assert.deepEqual(
      perDimension.map((p) => [p.dimension, p.count, p.uniqueUsers]),
      [
        ['a', 3, 1],
        ['b', 2, 1],
        ['c', 1, 1],
      ],
    );
  });

  it('answers a series without a breakdown from the totals over all dimensions', async () => {
    const shop = { projectId: 'shop', granularity: 'hour' as const, type: 'purchase' as const };
    const [total] = await queries.series(query(shop));
    const perDimension = await queries.series(query({ ...shop, groupByDimension: true }));
    assert.deepEqual(total, {
      bucket: '2026-11-24T12:00:00.000Z',
      count: 4,
      // u2 bought in both dimensions: merged, not summed (which would say 4)
      uniqueUsers: 3,
      revenue: { EUR: '4.000000', USD: '4.000000' },
    });
    assert.deepEqual(
      perDimension.map((p) => [p.dimension, p.count, p.uniqueUsers, p.revenue]),
      [
        ['a', 2, 2, { EUR: '3.500000' }],
        ['b', 2, 2, { EUR: '0.500000', USD: '4.000000' }],
      ],
    );
  });

  it('filters by one dimension on the per-dimension rollups', async () => {
    const series = await queries.series(
      query({ projectId: 'shop', granularity: 'day', dimension: 'b' }),
    );
    assert.deepEqual(
      series.map((p) => [p.count, p.uniqueUsers]),
      [[2, 2]],
    );
  });

  it('answers one point for a range between two local midnights', async () => {
    const berlin = {
      from: Date.parse('2026-11-23T23:00:00Z'),
      to: Date.parse('2026-11-25T23:00:00Z'),
      timeZone: 'Europe/Berlin',
      total: true,
    };
    assert.deepEqual(
      (await queries.series(query(berlin))).map((p) => [p.bucket, p.count]),
      [['2026-11-23T23:00:00.000Z', 6]],
    );
  });

  it('keeps the totals estimate of unique users right as batches add to a bucket', async () => {
    const repository = new RollupRepository(prisma);
    const visit = (userId: string) => at('2026-11-24T15:00:10Z', 'x', userId);
    for (const [seq, users] of [
      [10, ['a', 'b']],
      [11, ['b', 'c']],
    ] as const) {
      const events = users.map(visit);
      const rows = foldBatches([{ v: 1, batchId: 'r', projectId: 'repeat', partition: 0, events }]);
      await repository.applyOnce(0, [seq], (_fresh, upsert) => upsert(rows).then(() => true));
    }
    const series = await queries.series(
      query({
        projectId: 'repeat',
        granularity: 'minute',
        from: Date.parse('2026-11-24T15:00:00Z'),
      }),
    );
    assert.deepEqual(
      series.map((p) => [p.count, p.uniqueUsers]),
      [[4, 3]],
    );
  });

  it('times each query in the database into the histogram on /metrics', async () => {
    const before = await dbTime();
    await queries.series(query({}));
    await queries.series(query({ groupByDimension: true }));
    const after = await dbTime();
    assert.equal(after.count - before.count, 2);
    assert.ok(after.sum > before.sum, `the sum did not grow: ${before.sum} → ${after.sum}`);
  });
});
