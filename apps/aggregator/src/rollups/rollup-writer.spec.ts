import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigService } from '@nestjs/config';
import { STREAMS, SUBJECTS, type StoredEvent, type StoredEventBatch } from '@tally/contracts';
import {
  DeadLetters,
  JetStreamProvisioner,
  JetStreamPublisher,
  type ConsumedMessage,
} from '@tally/nats';
import type { AggregatorConfig } from '../config/aggregator.config.js';
import { PrismaService } from '../database/prisma.service.js';
import { MetricsQueryRepository } from '../metrics-query/metrics-query.repository.js';
import { AggregatorTestBed } from '../test-support/aggregator-test-bed.fixture.js';
import { RollupDeltaPublisher } from './rollup-delta.publisher.js';
import { RollupRepository } from './rollup.repository.js';
import { RollupWriter } from './rollup-writer.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-25T10:00:00.000Z');

function event(userId: string, timestamp: number, revenue?: StoredEvent['revenue']): StoredEvent {
  return {
    id: crypto.randomUUID(),
    type: 'purchase',
    dimension: '',
    userId,
    timestamp,
    receivedAt: timestamp,
    ...(revenue ? { revenue } : {}),
  };
}

function message(seq: number, events: StoredEvent[]): ConsumedMessage<StoredEventBatch> {
  const data: StoredEventBatch = {
    v: 1,
    batchId: `b${seq}`,
    projectId: 'p1',
    partition: 0,
    events,
  };
  return { data, seq, subject: SUBJECTS.events(0), deliveryCount: 1 };
}

describe('RollupWriter on real Postgres', () => {
  let bed: AggregatorTestBed;
  let prisma: PrismaService;
  let writer: RollupWriter;
  let queries: MetricsQueryRepository;

  before(async () => {
    bed = await AggregatorTestBed.start();
    await new JetStreamProvisioner(bed.connection).ensureStreams([STREAMS.rollups]);
    const config = new ConfigService<AggregatorConfig, true>({ databaseUrl: bed.db.url });
    prisma = new PrismaService(config);
    await prisma.onModuleInit();
    const repository = new RollupRepository(prisma);
    const publisher = new JetStreamPublisher(bed.connection);
    writer = new RollupWriter(
      repository,
      new RollupDeltaPublisher(bed.connection, publisher),
      new DeadLetters(publisher),
    );
    queries = new MetricsQueryRepository(prisma);
  });

  after(async () => {
    await prisma.onModuleDestroy();
    await bed.stop();
  });

  const hourly = () =>
    queries.series({
      projectId: 'p1',
      type: 'purchase',
      from: T0,
      to: T0 + 3 * HOUR,
      granularity: 'hour',
      groupByDimension: false,
    });
  const daily = () =>
    queries.series({
      projectId: 'p1',
      from: T0 - 10 * HOUR,
      to: T0 + 14 * HOUR,
      granularity: 'day',
      groupByDimension: false,
    });

  const eur = (amountMicros: number) => ({ currency: 'EUR', amountMicros });
  const first = message(1, [event('a', T0, eur(1_500_000)), event('b', T0 + 60_000)]);
  const second = message(2, [event('a', T0 + HOUR, eur(250_000)), event('c', T0 + HOUR)]);
  const third = message(3, [event('d', T0 + 2 * HOUR, eur(10))]);

  it('applies each stream sequence once, however often it is delivered', async () => {
    await writer.apply({ consumer: 'aggregator-p0', partition: 0, messages: [first, second] });
    await writer.apply({ consumer: 'aggregator-p0', partition: 0, messages: [first, second] });
    await writer.apply({ consumer: 'aggregator-p0', partition: 0, messages: [second, third] });
    const series = await hourly();
    assert.deepEqual(
      series.map((p) => [p.bucket, p.count, p.uniqueUsers, p.revenue]),
      [
        ['2026-11-25T10:00:00.000Z', 2, 2, { EUR: '1.500000' }],
        ['2026-11-25T11:00:00.000Z', 2, 2, { EUR: '0.250000' }],
        ['2026-11-25T12:00:00.000Z', 1, 1, { EUR: '0.000010' }],
      ],
    );
    const offsets = await prisma.$queryRaw<
      { seq: bigint }[]
    >`SELECT seq FROM partition_offsets WHERE partition = 0`;
    assert.equal(offsets[0]?.seq, 3n);
  });

  it('applies out-of-order redeliveries once, without skipping older sequences', async () => {
    const late = (seq: number) => message(seq, [event(`late-${seq}`, T0 + 2 * HOUR)]);
    // 10 arrives before 7 (7 was lost in flight and redelivered); then both come again.
    await writer.apply({ consumer: 'aggregator-p0', partition: 0, messages: [late(10), late(7)] });
    await writer.apply({ consumer: 'aggregator-p0', partition: 0, messages: [late(8)] });
    await writer.apply({
      consumer: 'aggregator-p0',
      partition: 0,
      messages: [late(7), late(8), late(10)],
    });
    const lastHour = (await hourly()).find((p) => p.bucket === '2026-11-25T12:00:00.000Z');
    assert.equal(lastHour?.count, 4);
    const offsets = await prisma.$queryRaw<{ seq: bigint }[]>`
      SELECT seq FROM partition_offsets WHERE partition = 0`;
    assert.equal(offsets[0]?.seq, 10n);
  });

  it('folds a sequence once when a redelivered copy shares the batch with its original', async () => {
    const twin = message(20, [event('twin', T0 + 2 * HOUR)]);
    await writer.apply({ consumer: 'aggregator-p0', partition: 0, messages: [twin, twin] });
    const lastHour = (await hourly()).find((p) => p.bucket === '2026-11-25T12:00:00.000Z');
    assert.equal(lastHour?.count, 5);
  });

  it('merges unique users across buckets instead of summing them', async () => {
    const [day] = await daily();
    assert.equal(day?.count, 9);
    // a appears in two hours; summing hourly uniques would give 9.
    assert.equal(day?.uniqueUsers, 8);
    assert.deepEqual(day?.revenue, { EUR: '1.750010' });
  });
});
