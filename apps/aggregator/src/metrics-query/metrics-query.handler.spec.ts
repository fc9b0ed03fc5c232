import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigService } from '@nestjs/config';
import {
  QUERY_LIMITS,
  type MetricsQuery,
  type MetricsReply,
  type StoredEvent,
} from '@tally/contracts';
import { waitFor, type TestDatabaseHandle } from '@tally/testkit';
import pg from 'pg';
import { aggregatorConfig, type AggregatorConfig } from '../config/aggregator.config.js';
import { PrismaService } from '../database/prisma.service.js';
import { foldBatches } from '../rollups/bucket-fold.js';
import { RollupRepository } from '../rollups/rollup.repository.js';
import { migratedDatabase } from '../test-support/aggregator-test-bed.fixture.js';
import { blockedQueries, databaseQueries } from '../test-support/query-metrics.fixture.js';
import { MetricsQueryHandler } from './metrics-query.handler.js';
import { MetricsQueryRepository } from './metrics-query.repository.js';
import { ProjectQueryLimiter } from './project-query-limiter.js';
import { SharedQueryRuns } from './shared-query-runs.js';

const DAY = { from: Date.parse('2026-11-24T00:00:00Z'), to: Date.parse('2026-11-25T00:00:00Z') };
const LIMITS = { concurrency: 2, queue: 3 };
/** A request without headers: no query id, the interactive class. */
const PLAIN = { header: () => undefined, data: new Uint8Array() };

const click = (dimension: string, minute: number): StoredEvent => ({
  id: crypto.randomUUID(),
  type: 'click',
  dimension,
  userId: `u${minute}`,
  timestamp: DAY.from + minute * 60_000,
  receivedAt: DAY.from,
});

/** 300 dimensions with one click each, and ten "hot" ones with five clicks each. */
function manyDimensions(): StoredEvent[] {
  const cold = Array.from({ length: 300 }, (_, i) => click(`cold-${i}`, i));
  const hot = Array.from({ length: 10 }, (_, i) =>
    Array.from({ length: 5 }, (_, n) => click(`hot-${i}`, 600 + n)),
  );
  return [...cold, ...hot.flat()];
}

describe('MetricsQueryHandler on real Postgres: cost limit, series cap, fair share', () => {
  let db: TestDatabaseHandle;
  let prisma: PrismaService;
  let handler: MetricsQueryHandler;

  before(async () => {
    db = await migratedDatabase();
    const config = new ConfigService<AggregatorConfig, true>({
      databaseUrl: db.url,
      queries: { interactive: LIMITS, alert: LIMITS },
    });
    prisma = new PrismaService(config);
    await prisma.onModuleInit();
    const rollups = new RollupRepository(prisma);
    const batch = (projectId: string, events: StoredEvent[]) =>
      foldBatches([{ v: 1, batchId: projectId, projectId, partition: 0, events }]);
    await rollups.applyOnce(0, [1], (_fresh, upsert) => upsert(batch('heavy', manyDimensions())));
    await rollups.applyOnce(0, [2], (_fresh, upsert) => upsert(batch('light', [click('x', 0)])));
    handler = new MetricsQueryHandler(
      new MetricsQueryRepository(prisma),
      new ProjectQueryLimiter(config),
      new SharedQueryRuns(),
    );
  });

  after(async () => {
    await prisma.onModuleDestroy();
    await db.drop();
  });

  const query = (extra: Partial<MetricsQuery> = {}): MetricsQuery => ({
    projectId: 'heavy',
    ...DAY,
    granularity: 'hour',
    groupByDimension: true,
    ...extra,
  });

  it('refuses a query whose buckets × series exceed the limit, before touching Postgres', async () => {
    const before = await databaseQueries();
    // A day of minutes (1,440 buckets) × the default 10 series = 14,400 points.
    const reply = await handler.answer(query({ granularity: 'minute' }), PLAIN);
    assert.deepEqual(reply, {
      ok: false,
      code: 'query_too_large',
      error:
        'the query covers 1440 minute buckets × 10 series = 14400 points; at most 10000: use a ' +
        'coarser granularity, a shorter range or fewer series (top, name)',
      details: { buckets: 1440, series: QUERY_LIMITS.defaultTop, points: 14_400 },
    });
    assert.equal(await databaseQueries(), before, 'the database was queried');
    const narrowed = await handler.answer(query({ granularity: 'minute', top: 6 }), PLAIN);
    assert.equal(narrowed.ok, true);
  });

  it('answers a breakdown over many dimensions with only the top ones', async () => {
    const reply = await handler.answer(query(), PLAIN);
    assert.ok(reply.ok);
    const dimensions = new Set(reply.series.map((p) => p.dimension));
    assert.deepEqual(
      [...dimensions].sort(),
      Array.from({ length: 10 }, (_, i) => `hot-${i}`),
    );
  });

  it("keeps a project's queries to its share while another project's query runs", async () => {
    // NOTE: blocks every read of `rollups` (the breakdowns) but not of `rollup_totals`, which
    // the light project's plain series reads: the heavy queries hold their connections.
    const lock = await lockRollups(db.url);
    try {
      const heavy = Array.from({ length: 30 }, () => handler.answer(query({ top: 5 }), PLAIN));
      const settled: MetricsReply[] = [];
      for (const reply of heavy) void reply.then((r) => settled.push(r));
      const share = LIMITS.concurrency + LIMITS.queue;
      await waitFor(async () => (await blockedQueries(lock)) >= LIMITS.concurrency, {
        timeoutMs: 10_000,
        what: `${LIMITS.concurrency} heavy queries waiting for the lock`,
      });
      let light: unknown;
      void handler
        .answer(query({ projectId: 'light', groupByDimension: false }), PLAIN)
        .then((r) => {
          light = r;
        });
      await waitFor(async () => light !== undefined, {
        timeoutMs: 10_000,
        what: 'the light project answered while the heavy ones hold their share',
      });
      assert.deepEqual(light, {
        ok: true,
        series: [{ bucket: '2026-11-24T00:00:00.000Z', count: 1, uniqueUsers: 1, revenue: {} }],
      });
      assert.equal(await blockedQueries(lock), LIMITS.concurrency, 'only the share ran');
      // Refused at once, without waiting for the lock.
      assert.deepEqual(
        settled.map((r) => (r.ok ? 'ok' : r.code)),
        new Array<string>(heavy.length - share).fill('too_many_queries'),
      );
      await lock.query('COMMIT');
      const accepted = await Promise.all(heavy.slice(0, share));
      assert.deepEqual(
        accepted.map((r) => r.ok),
        new Array<boolean>(share).fill(true),
      );
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end();
    }
  });

  it("queues a dashboard's burst of queries with the default share instead of refusing it", async () => {
    const defaults = aggregatorConfig({ DATABASE_URL: db.url, NATS_URL: 'nats://127.0.0.1:4222' });
    const config = new ConfigService<AggregatorConfig, true>({ queries: defaults.queries });
    const withDefaults = new MetricsQueryHandler(
      new MetricsQueryRepository(prisma),
      new ProjectQueryLimiter(config),
      new SharedQueryRuns(),
    );
    const lock = await lockRollups(db.url);
    try {
      // More than a dashboard's page of panels or the end-to-end suite's parallel reads.
      const burst = Array.from({ length: 30 }, () => withDefaults.answer(query({ top: 5 }), PLAIN));
      await waitFor(async () => (await blockedQueries(lock)) >= 2, {
        timeoutMs: 10_000,
        what: 'the share running while the rest of the burst waits',
      });
      await lock.query('COMMIT');
      const replies = await Promise.all(burst);
      assert.deepEqual(
        replies.map((r) => (r.ok ? 'ok' : r.code)),
        new Array<string>(burst.length).fill('ok'),
      );
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end();
    }
  });
});

/** Holds every read of `rollups` (the breakdowns) until the returned client commits. */
async function lockRollups(url: string): Promise<pg.Client> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  await lock.query('BEGIN');
  await lock.query('LOCK TABLE rollups IN ACCESS EXCLUSIVE MODE');
  return lock;
}
