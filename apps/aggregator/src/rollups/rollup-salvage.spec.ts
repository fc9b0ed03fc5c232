import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { DEAD_LETTER_HEADERS, STREAMS, SUBJECTS, type StoredEventBatch } from '@tally/contracts';
import type { NatsConnection } from '@tally/nats';
import { waitFor } from '@tally/testkit';
import pg from 'pg';
import { register } from 'prom-client';
import { PrismaService } from '../database/prisma.service.js';
import { AggregatorTestBed } from '../test-support/aggregator-test-bed.fixture.js';
import { pageView, storedBatch } from '../test-support/stored-events.fixture.js';

// Random bytes do not compress, so the index entry stays over btree's 2704-byte row limit.
const HUGE_DIMENSION = randomBytes(6_000).toString('hex');

interface DeadRecord {
  reason: string;
  seq: string;
  event: string;
  deliveries: string;
  data: StoredEventBatch;
}

/**
 * The hostile review's finding 1: one event Postgres cannot store used to cost every event that
 * shared its stored message (dead-lettered whole after five retries with backoff, the partition
 * stalled meanwhile). Messages go straight into the events stream, as if ingest had let them by.
 */
describe('aggregator with events Postgres refuses', () => {
  let bed: AggregatorTestBed;
  let jsm: Awaited<ReturnType<NatsConnection['manager']>>;
  let app: INestApplicationContext;
  let prisma: PrismaService;

  before(async () => {
    bed = await AggregatorTestBed.start();
    jsm = await bed.connection.manager();
    await jsm.streams.add({ name: STREAMS.events.name, subjects: [...STREAMS.events.subjects] });
  });

  after(async () => {
    await app?.close();
    await bed?.stop();
  });

  const publish = async (data: StoredEventBatch): Promise<void> => {
    await bed.connection.js.publish(SUBJECTS.events(0), JSON.stringify(data), {
      msgID: data.batchId,
    });
  };

  const countsByProject = async (): Promise<Record<string, number>> => {
    const rows = await prisma.$queryRaw<{ project_id: string; count: bigint }[]>`
      SELECT project_id, sum(count)::bigint AS count FROM rollups
      WHERE granularity = 'minute' GROUP BY project_id`;
    return Object.fromEntries(rows.map((r) => [r.project_id, Number(r.count)]));
  };

  const deadRecords = async (): Promise<DeadRecord[]> => {
    const info = await jsm.streams.info(STREAMS.dead.name);
    const found: DeadRecord[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(STREAMS.dead.name, { seq });
      if (!msg) continue;
      found.push({
        reason: msg.header.get(DEAD_LETTER_HEADERS.reason),
        seq: msg.header.get(DEAD_LETTER_HEADERS.streamSequence),
        event: msg.header.get(DEAD_LETTER_HEADERS.eventIndex),
        deliveries: msg.header.get(DEAD_LETTER_HEADERS.deliveries),
        data: msg.json<StoredEventBatch>(),
      });
    }
    return found;
  };

  const retries = async (): Promise<number> => {
    const metric = await register.getSingleMetric('tally_jetstream_retries_total')?.get();
    return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
  };

  it('dead-letters only the refused events, applies the rest once and does not stall', async () => {
    // Stored (seq 1-3) before the aggregator starts, so they reach it together.
    await publish(
      storedBatch('p1-mixed', 'p1', [
        pageView('u1'),
        pageView('nul\u0000user'),
        pageView('u2'),
        pageView('u3', HUGE_DIMENSION),
        pageView('u4'),
      ]),
    );
    await publish(storedBatch('p2-mixed', 'p2', [pageView('v1'), pageView('v2', 'nul\u0000dim')]));
    await publish(storedBatch('p2-later', 'p2', [pageView('v3'), pageView('v4')]));

    app = await bed.startAggregator();
    prisma = app.get(PrismaService);

    const counts = await waitFor(
      async () => {
        const now = await countsByProject();
        return now.p1 === 3 && now.p2 === 3 ? now : undefined;
      },
      { timeoutMs: 20_000, what: 'the clean events of both projects' },
    );
    assert.deepEqual(counts, { p1: 3, p2: 3 });

    const dead = await waitFor(
      async () => {
        const records = await deadRecords();
        return records.length >= 3 ? records : undefined;
      },
      { timeoutMs: 10_000, what: 'three dead-lettered events' },
    );
    const summary = dead
      .map((d) => [d.seq, d.event, d.deliveries, d.data.projectId, d.data.events.length])
      .sort((a, b) => String(a).localeCompare(String(b)));
    assert.deepEqual(summary, [
      ['1', '1', '1', 'p1', 1],
      ['1', '3', '1', 'p1', 1],
      ['2', '1', '1', 'p2', 1],
    ]);
    const reasonOf = (seq: string, index: string) =>
      dead.find((d) => d.seq === seq && d.event === index)?.reason ?? '';
    assert.match(reasonOf('1', '1'), /22021/);
    assert.match(reasonOf('1', '3'), /54000/);
    assert.match(reasonOf('2', '1'), /22021/);
    assert.equal(dead.find((d) => d.event === '3')?.data.events[0]?.dimension, HUGE_DIMENSION);

    // Nothing was retried in place or redelivered: no backoff schedule held the partition.
    assert.equal(await retries(), 0);
    const consumers = await jsm.consumers.list(STREAMS.events.name).next();
    assert.deepEqual(
      consumers.map((c) => [c.num_redelivered, c.num_ack_pending, c.delivered.stream_seq]),
      [[0, 0, 3]],
    );
    const offsets = await prisma.$queryRaw<{ seq: bigint }[]>`
      SELECT seq FROM partition_offsets WHERE partition = 0`;
    assert.equal(offsets[0]?.seq, 3n);
  });

  it('counts a redelivered message with refused events once, and dead-letters them once', async () => {
    await app.close();
    // The consumer forgets it acked seq 1-3; the applied sequences in Postgres do not.
    await jsm.consumers.delete(STREAMS.events.name, 'aggregator-p0');
    app = await bed.startAggregator();
    prisma = app.get(PrismaService);
    await waitFor(
      async () => {
        const [info] = await jsm.consumers.list(STREAMS.events.name).next();
        return info && info.num_ack_pending === 0 && info.delivered.stream_seq === 3;
      },
      { timeoutMs: 10_000, what: 'the stream delivered again' },
    );
    assert.deepEqual(await countsByProject(), { p1: 3, p2: 3 });
    assert.equal((await deadRecords()).length, 3);
  });

  it('publishes the dead letters before COMMIT and stores them once when the commit is retried', async () => {
    // Holds the partition's offset row, so the aggregator's transaction waits just before COMMIT.
    const locker = new pg.Client({ connectionString: bed.db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT seq FROM partition_offsets WHERE partition = 0 FOR UPDATE');
      const retriesBefore = await retries();
      await publish(storedBatch('p3-mixed', 'p3', [pageView('w1'), pageView('nul\u0000w2')]));
      await waitFor(async () => (await deadRecords()).some((d) => d.seq === '4'), {
        timeoutMs: 10_000,
        what: 'the dead letter of seq 4 while its transaction is open',
      });
      assert.equal((await countsByProject()).p3, undefined);
      // The transaction dies before COMMIT: the aggregator retries the batch and publishes again.
      const killed = await locker.query(`
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`);
      assert.equal(killed.rowCount, 1);
      await locker.query('COMMIT');
      await waitFor(async () => (await countsByProject()).p3 === 1, {
        timeoutMs: 10_000,
        what: "p3's clean event after the retry",
      });
      assert.ok((await retries()) > retriesBefore);
    } finally {
      await locker.end();
    }
    const dead = (await deadRecords()).filter((d) => d.seq === '4');
    assert.deepEqual(
      dead.map((d) => [d.event, d.data.events[0]?.userId]),
      [['1', 'nul\u0000w2']],
    );
    assert.deepEqual(await countsByProject(), { p1: 3, p2: 3, p3: 1 });
  });
});
