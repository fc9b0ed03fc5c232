import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import {
  METRICS_QUERY_HEADERS,
  MetricsReply,
  SUBJECTS,
  type MetricsQuery,
  type QueryClass,
  type StoredEvent,
} from '@tally/contracts';
import { NatsModule, NatsRequester } from '@tally/nats';
import {
  startNatsServer,
  waitFor,
  type NatsServerHandle,
  type TestDatabaseHandle,
} from '@tally/testkit';
import pg from 'pg';
import { PrismaService } from '../database/prisma.service.js';
import { foldBatches } from '../rollups/bucket-fold.js';
import { RollupRepository } from '../rollups/rollup.repository.js';
import { migratedDatabase } from '../test-support/aggregator-test-bed.fixture.js';
import { blockedQueries, databaseQueries } from '../test-support/query-metrics.fixture.js';
import { MetricsQueryModule } from './metrics-query.module.js';

const DAY = { from: Date.parse('2026-11-24T00:00:00Z'), to: Date.parse('2026-11-25T00:00:00Z') };
/** One running query per project and class, none waiting: a second query is refused at once. */
const SHARE = { concurrency: 1, queue: 0 };
const ATTEMPTS = 5;

const breakdown: MetricsQuery = {
  projectId: 'p1',
  ...DAY,
  granularity: 'hour',
  groupByDimension: true,
};
/** Reads `rollup_totals`, which the test's lock on `rollups` does not block. */
const plainSeries: MetricsQuery = { ...breakdown, groupByDimension: false };

const clicks = (n: number): StoredEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    id: crypto.randomUUID(),
    type: 'click',
    dimension: `d${i % 3}`,
    userId: `u${i}`,
    timestamp: DAY.from + i * 60_000,
    receivedAt: DAY.from,
  }));

describe('metrics query attempts and classes on real NATS and Postgres', () => {
  let db: TestDatabaseHandle;
  let nats: NatsServerHandle;
  let app: INestApplicationContext;
  let requester: NatsRequester;
  let lock: pg.Client;

  before(async () => {
    db = await migratedDatabase();
    nats = await startNatsServer();
    const config = { databaseUrl: db.url, queries: { interactive: SHARE, alert: SHARE } };
    @Module({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
        NatsModule.forRootAsync({
          useFactory: () => ({ servers: [nats.url], name: 'query-attempts-test' }),
        }),
        MetricsQueryModule,
      ],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    await app.init();
    requester = app.get(NatsRequester);
    const batch = foldBatches([
      { v: 1, batchId: 'b', projectId: 'p1', partition: 0, events: clicks(30) },
    ]);
    await new RollupRepository(app.get(PrismaService)).applyOnce(0, [1], (_fresh, upsert) =>
      upsert(batch),
    );
  });

  after(async () => {
    await app.close();
    await nats.stop();
    await db.drop();
  });

  /** Holds every read of `rollups` (breakdowns) until `release`. */
  async function lockRollups(): Promise<{ release(): Promise<void> }> {
    lock = new pg.Client({ connectionString: db.url });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE rollups IN ACCESS EXCLUSIVE MODE');
    return {
      async release() {
        await lock.query('COMMIT');
        await lock.end();
      },
    };
  }

  const ask = (query: MetricsQuery, headers: Record<string, string> = {}) =>
    requester.request(SUBJECTS.metricsQuery, query, MetricsReply, { timeoutMs: 10_000, headers });
  const withClass = (queryClass: QueryClass) => ({
    [METRICS_QUERY_HEADERS.queryClass]: queryClass,
  });

  it('runs the attempts of one query (one id) once, in one slot of the share', async () => {
    const held = await lockRollups();
    const queriesBefore = await databaseQueries();
    const sameId = { [METRICS_QUERY_HEADERS.queryId]: 'query-1' };
    const first = ask(breakdown, sameId);
    await waitFor(async () => (await blockedQueries(lock)) === 1, {
      timeoutMs: 10_000,
      what: 'the first attempt running',
    });
    const later = Array.from({ length: ATTEMPTS - 1 }, () => ask(breakdown, sameId));
    // The share is full (1 running, none waiting): a query with another id is refused at once.
    const other = await ask(breakdown, { [METRICS_QUERY_HEADERS.queryId]: 'query-2' });
    assert.equal(other.ok ? 'ok' : other.code, 'too_many_queries');
    await held.release();
    const replies = await Promise.all([first, ...later]);
    assert.ok(replies[0]?.ok);
    assert.equal(replies[0].series.length > 0, true);
    for (const reply of replies) assert.deepEqual(reply, replies[0]);
    assert.equal(await databaseQueries(), queriesBefore + 1, 'the database ran the query once');
  });

  it("gives alert evaluation its own share: a project's busy users cannot starve it", async () => {
    const held = await lockRollups();
    try {
      const running = ask(breakdown, withClass('interactive'));
      await waitFor(async () => (await blockedQueries(lock)) === 1, {
        timeoutMs: 10_000,
        what: "a user's query holding the project's share",
      });
      const user = await ask(plainSeries, withClass('interactive'));
      assert.equal(user.ok ? 'ok' : user.code, 'too_many_queries');
      const alert = await ask(plainSeries, withClass('alert'));
      assert.ok(alert.ok, 'the alert evaluation query was refused');
      assert.equal(
        alert.series.reduce((sum, p) => sum + p.count, 0),
        30,
      );
      await held.release();
      assert.ok((await running).ok);
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end().catch(() => undefined);
    }
  });
});
