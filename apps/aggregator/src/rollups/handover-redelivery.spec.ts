import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { STREAMS, SUBJECTS, type StoredEvent, type StoredEventBatch } from '@tally/contracts';
import { applyMigrations } from '@tally/migrate';
import { JetStreamProvisioner, NatsConnection } from '@tally/nats';
import {
  createTestDatabase,
  startNatsServer,
  waitFor,
  type NatsServerHandle,
  type TestDatabaseHandle,
} from '@tally/testkit';
import { appModule } from '../app.module.js';
import { PrismaService } from '../database/prisma.service.js';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
/** More than CONSUMER_MAX_DELIVER's old default (5), which the aggregator applied to deliveries. */
const HANDOVERS = 6;

function event(userId: string): StoredEvent {
  const id = crypto.randomUUID();
  return { id, type: 'page_view', dimension: 'home', userId, timestamp: T0, receivedAt: T0 };
}

/**
 * Issue 12 follow-up: redeliveries are routine (a stop, a lost lease, a rebalance nak what a
 * replica had buffered), so an accepted batch handed over more often than CONSUMER_MAX_DELIVER
 * before it is applied must still be counted, not dead-lettered.
 */
describe('aggregator and a batch handed over many times', () => {
  let db: TestDatabaseHandle;
  let nats: NatsServerHandle;
  let connection: NatsConnection;
  let app: INestApplicationContext | undefined;

  before(async () => {
    db = await createTestDatabase();
    const migrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));
    await applyMigrations({ databaseUrl: db.url, migrationsDir });
    nats = await startNatsServer();
    connection = await NatsConnection.open({ servers: [nats.url], name: 'test' });
    await new JetStreamProvisioner(connection).ensureStreams([STREAMS.events, STREAMS.dead]);
  });

  after(async () => {
    await app?.close();
    await connection.onApplicationShutdown();
    await nats.stop();
    await db.drop();
  });

  it('applies the batch and dead-letters nothing', async () => {
    const batch: StoredEventBatch = {
      v: 1,
      batchId: 'handed-over',
      projectId: 'p1',
      partition: 0,
      events: [event('u1'), event('u2'), event('u3')],
    };
    await connection.js.publish(SUBJECTS.events(0), JSON.stringify(batch));
    // Replicas that had it buffered and gave it back unhandled, as a runner does on a stop.
    await new JetStreamProvisioner(connection).ensureConsumer({
      stream: STREAMS.events.name,
      durable: 'aggregator-p0',
      filterSubject: SUBJECTS.events(0),
      ackWaitMs: 10_000,
      maxAckPending: 1_000,
    });
    const consumer = await connection.js.consumers.get(STREAMS.events.name, 'aggregator-p0');
    for (let round = 1; round <= HANDOVERS; round++) {
      const msg = await consumer.next({ expires: 10_000 });
      assert.ok(msg, `delivery ${round}`);
      assert.equal(msg.info.deliveryCount, round);
      msg.nak();
    }

    const { module } = appModule({
      NATS_URL: nats.url,
      DATABASE_URL: db.url,
      TALLY_PARTITIONS: '1',
      LOG_LEVEL: 'silent',
      CONSUMER_LINGER_MS: '20',
    });
    app = await NestFactory.createApplicationContext(module, { logger: false });
    await app.init();
    const prisma = app.get(PrismaService);
    const jsm = await connection.manager();
    const outcome = await waitFor(
      async () => {
        const [row] = await prisma.$queryRaw<{ count: bigint | null }[]>`
          SELECT sum(count)::bigint AS count FROM rollups
          WHERE granularity = 'minute' AND project_id = 'p1'`;
        const dead = (await jsm.streams.info(STREAMS.dead.name)).state.messages;
        const counted = Number(row?.count ?? 0);
        return counted > 0 || dead > 0 ? { counted, dead } : undefined;
      },
      { timeoutMs: 20_000, what: 'the batch counted or dead-lettered' },
    );
    assert.deepEqual(outcome, { counted: 3, dead: 0 });
  });
});
