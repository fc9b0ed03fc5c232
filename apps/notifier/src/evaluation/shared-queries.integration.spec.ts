import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { SUBJECTS, type RollupDelta } from '@tally/contracts';
import { waitFor } from '@tally/testkit';
import { LoopbackReceiver } from '../test-support/loopback-receiver.fixture.js';
import { NotifierTestBed } from '../test-support/notifier-test-bed.fixture.js';
import { AggregatorStandIn } from './aggregator-stand-in.fixture.js';
import { insertRules, type RuleFixture } from './alert-rule.fixture.js';

// The built notifier (dist/main.js) on a private nats-server and a fresh database; the test
// plays the aggregator (publishing its rollup delta and answering metrics queries, counted) and
// the webhook receiver on loopback.
const PROJECT = 'busy';
const RULES = 1_000;
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };

describe('notifier: one rollup delta, one metrics query per distinct window', () => {
  let bed: NotifierTestBed;
  let aggregator: AggregatorStandIn;
  let receiver: LoopbackReceiver;

  before(async () => {
    bed = await NotifierTestBed.start();
    await bed.addRollupsStream();
    aggregator = new AggregatorStandIn(bed.nc);
    receiver = await LoopbackReceiver.start();
    const hookUrl = `${receiver.origin}/hook`;

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
    await insertRules(bed.sql, rules);
    await bed.startNotifier({ ALERT_POLL_INTERVAL: '50ms', WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32' });
  });

  after(async () => {
    aggregator?.stop();
    await bed?.stop(receiver);
  });

  const evaluatedRules = async () =>
    (
      await bed.sql.query<{ n: number }>(
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
    await jetstream(bed.nc).publish(SUBJECTS.rollups(PROJECT), JSON.stringify(delta));

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
    await waitFor(async () => receiver.requests === 3 * 5, {
      ...WAIT,
      what: '3 rules x 5 destinations',
    });
  });
});
