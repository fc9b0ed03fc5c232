import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { NatsModule } from '@tally/nats';
import { notifierConfig } from '../config/notifier.config.js';
import { DatabaseModule } from '../database/database.module.js';
import { NotifierTestBed } from '../test-support/notifier-test-bed.fixture.js';
import { AggregatorStandIn } from './aggregator-stand-in.fixture.js';
import { insertRules, type RuleFixture } from './alert-rule.fixture.js';
import { EVALUATION_CLOCK } from './evaluation-clock.js';
import { RuleBatchEvaluator } from './rule-batch.evaluator.js';
import { RuleEvaluationRepository } from './rule-evaluation.repository.js';
import { WindowMetricsClient } from './window-metrics.client.js';

// The evaluator in this process with a clock the test sets, on a private nats-server (the test
// plays the aggregator, answering from minute buckets it controls) and a fresh database.
const PROJECT = 'acme';

describe('rule evaluation: firing and resolving read the same window', () => {
  let bed: NotifierTestBed;
  let app: INestApplicationContext;
  let aggregator: AggregatorStandIn;
  let now = 0;

  before(async () => {
    bed = await NotifierTestBed.start();
    aggregator = new AggregatorStandIn(bed.nc);
    const config = notifierConfig({
      NATS_URL: bed.nats.url,
      DATABASE_URL: bed.db.url,
      ALERT_EVAL_BATCH: '1000',
    });
    @Module({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => config] }),
        NatsModule.forRootAsync({ useFactory: () => ({ servers: [bed.nats.url], name: 'test' }) }),
        DatabaseModule,
      ],
      providers: [
        RuleEvaluationRepository,
        WindowMetricsClient,
        RuleBatchEvaluator,
        { provide: EVALUATION_CLOCK, useValue: () => now },
      ],
    })
    class EvaluationUnderTest {}
    app = await NestFactory.createApplicationContext(EvaluationUnderTest, { logger: false });
    await app.init();
  });

  after(async () => {
    aggregator?.stop();
    try {
      await app?.close();
    } finally {
      await bed?.stop();
    }
  });

  /** A rollup delta for the project arrives at `iso`: its rules are evaluated then. */
  async function deltaAt(iso: string): Promise<void> {
    now = Date.parse(iso);
    await app.get(RuleEvaluationRepository).markDue([PROJECT]);
    assert.equal(await app.get(RuleBatchEvaluator).evaluateDue(), true, `rules due at ${iso}`);
  }

  async function rule(id: string): Promise<{ state: string; value: number; sent: string[] }> {
    const row = await bed.sql.query<{ state: string; last_value: number }>(
      'SELECT state, last_value FROM alert_rules WHERE id = $1',
      [id],
    );
    const sent = await bed.sql.query<{ body: string }>(
      'SELECT body FROM webhook_deliveries WHERE rule_id = $1 ORDER BY created_at, id',
      [id],
    );
    const bodies = sent.rows.map(
      (r) => JSON.parse(r.body) as { type: string; data: { value: number } },
    );
    return {
      state: row.rows[0]!.state,
      value: row.rows[0]!.last_value,
      sent: bodies.map((b) => `${b.type} ${b.data.value}`),
    };
  }

  it('30 clicks at 10:33:06 fire a 1m `above 20` rule, which resolves at 10:35:00, not before', async () => {
    aggregator.set('click', null, Date.parse('2026-11-25T10:33:06Z'), 30);
    await insertRules(bed.sql, [{ id: 'clicks', projectId: PROJECT, threshold: 20 }]);

    await deltaAt('2026-11-25T10:33:06.500Z');
    assert.deepEqual(await rule('clicks'), {
      state: 'firing',
      value: 30,
      sent: ['alert.firing 30'],
    });

    // Issue 12, finding 11: this evaluation used to read the last complete minute (10:32, empty)
    // and resolve with 0 two seconds after firing.
    for (const at of ['10:33:08.600', '10:34:00.000', '10:34:30.000', '10:34:59.999']) {
      await deltaAt(`2026-11-25T${at}Z`);
      assert.deepEqual(
        await rule('clicks'),
        { state: 'firing', value: 30, sent: ['alert.firing 30'] },
        `still firing at ${at}`,
      );
    }

    await deltaAt('2026-11-25T10:35:00.000Z');
    assert.deepEqual(await rule('clicks'), {
      state: 'ok',
      value: 0,
      sent: ['alert.firing 30', 'alert.resolved 0'],
    });
  });

  it('evaluates 1,000 rules of a project with one query per distinct window', async () => {
    const project = 'busy';
    const at = Date.parse('2026-11-25T11:00:30Z');
    aggregator.set('click', null, at, 50);
    aggregator.set('click', 'buy', at, 7);
    const urls = [1, 2, 3, 4, 5].map((n) => `https://hooks.example.com/${n}`);
    const far = new Date(Date.now() + 3_600_000);
    // Issue 12, finding 6: 1,000 rules with 5 destinations each on two windows of `click`,
    // and a few on the `buy` dimension; metrics, comparisons and thresholds all differ.
    const metrics = ['count', 'unique_users', 'revenue'] as const;
    const rules: RuleFixture[] = Array.from({ length: 999 }, (_, i) => ({
      id: `busy-${i}`,
      projectId: project,
      metric: metrics[i % 3],
      comparison: i % 4 === 0 ? 'below' : 'above',
      windowSeconds: i % 2 === 0 ? 60 : 300,
      dimension: i % 100 < 2 ? 'buy' : null,
      threshold: i,
      urls,
      nextEvalAt: far,
    }));
    rules.push({ id: 'busy-pct', projectId: project, comparison: 'change_pct', threshold: 10 });
    await insertRules(bed.sql, rules);
    const before = aggregator.queries.length;

    now = at;
    await app.get(RuleEvaluationRepository).markDue([project]);
    while (await app.get(RuleBatchEvaluator).evaluateDue()) {
      /* every claim until nothing is due */
    }

    const asked = aggregator.queries.slice(before);
    const windows = new Set(asked.map((q) => `${q.dimension ?? ''} ${q.from} ${q.to}`));
    // 1m and 5m of `click`, 1m and 5m of `click`/`buy`, and change_pct's two 1m windows.
    assert.equal(windows.size, 6);
    assert.equal(asked.length, 6, 'one query per distinct window');
    const evaluated = await bed.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM alert_rules
       WHERE project_id = $1 AND last_evaluated_at IS NOT NULL`,
      [project],
    );
    assert.equal(evaluated.rows[0]!.n, 1_000);
    const fired = await bed.sql.query<{ rules: number; deliveries: number }>(
      `SELECT count(DISTINCT rule_id)::int AS rules, count(*)::int AS deliveries
       FROM webhook_deliveries WHERE project_id = $1`,
      [project],
    );
    assert.ok(fired.rows[0]!.rules > 0, 'some rules fired');
    assert.equal(fired.rows[0]!.deliveries, fired.rows[0]!.rules * 5);
  });
});
