import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { STREAMS, SUBJECTS, type RollupDelta } from '@tally/contracts';
import { applyMigrations } from '@tally/migrate';
import {
  appMigrations,
  createTestDatabase,
  startNatsServer,
  startServiceProcess,
  waitFor,
  type AppProcessHandle,
  type NatsServerHandle,
  type TestDatabaseHandle,
} from '@tally/testkit';
import pg from 'pg';
import { AggregatorStandIn } from './aggregator-stand-in.fixture.js';
import { insertRules, type RuleFixture } from './alert-rule.fixture.js';

// The built notifier (dist/main.js) on a private nats-server and a fresh database; the test
// plays the aggregator (publishing its rollup delta and answering metrics queries, counted) and
// the webhook receiver on loopback.
const PROJECT = 'busy';
const RULES = 1_000;
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };

describe('notifier: one rollup delta, one metrics query per distinct window', () => {
  let nats: NatsServerHandle;
  let db: TestDatabaseHandle;
  let app: AppProcessHandle;
  let nc: NatsConnection;
  let sql: pg.Client;
  let aggregator: AggregatorStandIn;
  let receiver: Server;
  let hooks = 0;

  before(async () => {
    [nats, db] = await Promise.all([startNatsServer(), createTestDatabase()]);
    await applyMigrations({ databaseUrl: db.url, migrationsDir: appMigrations('notifier') });
    nc = await connect({ servers: nats.url });
    await (
      await jetstreamManager(nc)
    ).streams.add({ name: STREAMS.rollups.name, subjects: [...STREAMS.rollups.subjects] });
    aggregator = new AggregatorStandIn(nc);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    receiver = createServer((req, res) => {
      hooks++;
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    // Issue 12, finding 6: 1,000 rules with 5 destinations each, all on `click`, over 1m or 5m,
    // with different metrics, comparisons and thresholds. Their timers are an hour away, so only
    // the rollup delta makes them due. Three of them fire.
    const metrics = ['count', 'unique_users', 'count'] as const;
    const rules: RuleFixture[] = Array.from({ length: RULES }, (_, i) => ({
      id: `rule-${i}`,
      projectId: PROJECT,
      metric: metrics[i % 3],
      comparison: 'above',
      windowSeconds: i % 2 === 0 ? 60 : 300,
      threshold: i < 3 ? 10 : 100 + i,
      urls: Array.from({ length: 5 }, (_, n) => `${hookUrl}/${n}`),
      nextEvalAt: new Date(Date.now() + 3_600_000),
    }));
    await insertRules(sql, rules);
    const started = await startServiceProcess('notifier', {
      env: {
        NATS_URL: nats.url,
        DATABASE_URL: db.url,
        LOG_LEVEL: 'info',
        ALERT_POLL_INTERVAL: '50ms',
        WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32',
      },
    });
    app = started.handle;
  });

  after(async () => {
    aggregator?.stop();
    await Promise.allSettled([app?.kill('SIGKILL'), sql?.end(), nc?.close()]);
    receiver?.closeAllConnections();
    await Promise.allSettled([
      new Promise((resolve) => receiver?.close(resolve)),
      nats?.stop(),
      db?.drop(),
    ]);
  });

  const evaluatedRules = async () =>
    (
      await sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM alert_rules WHERE last_evaluated_at IS NOT NULL',
      )
    ).rows[0]!.n;

  it('evaluates all 1,000 rules on two queries: click over 1m and over 5m', async () => {
    const now = Date.now();
    aggregator.set('click', null, now, 50);
    const delta: RollupDelta = {
      projectId: PROJECT,
      partition: 0,
      seq: 1,
      rows: [{ type: 'click', dimension: 'buy', bucket: now, count: 50, revenueMicros: {} }],
    };
    await jetstream(nc).publish(SUBJECTS.rollups(PROJECT), JSON.stringify(delta));

    await waitFor(async () => (await evaluatedRules()) === RULES, {
      ...WAIT,
      what: `all ${RULES} rules evaluated`,
    });
    assert.equal(aggregator.queries.length, 2, 'one query per distinct window');
    // Alert evaluation runs in its own share on the aggregator, apart from users' queries.
    assert.deepEqual(aggregator.classes, ['alert', 'alert']);
    // The minutes over the last 1m and 5m: each one minute longer (see ruleWindows).
    const minutes = aggregator.queries.map((q) => (q.to - q.from) / 60_000);
    assert.deepEqual(minutes.sort(), [2, 6]);
    await waitFor(async () => hooks === 3 * 5, { ...WAIT, what: '3 rules x 5 destinations' });
  });
});
