import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@tally/testkit';
import { AggregatorStandIn } from '../evaluation/aggregator-stand-in.fixture.js';
import { insertRules } from '../evaluation/alert-rule.fixture.js';
import { LoopbackReceiver } from '../test-support/loopback-receiver.fixture.js';
import { NotifierTestBed } from '../test-support/notifier-test-bed.fixture.js';

// The built notifier (dist/main.js) on a private nats-server and a fresh database, loopback
// allow-listed as in development; the test plays the gateway, the aggregator and the receiver.
const PROJECT = 'acme';
const WAIT = { timeoutMs: 20_000, intervalMs: 50 };

describe('notifier: hostile webhook destinations at create, patch and delivery', () => {
  let bed: NotifierTestBed;
  let aggregator: AggregatorStandIn;
  let receiver: LoopbackReceiver;

  /** Issue 12, finding 8: addresses that reach this receiver, metadata or a private network. */
  const hostile = () => [
    `http://[::7f00:1]:${receiver.port}/hook`,
    `http://[::a9fe:a9fe]/latest/meta-data/`,
    `http://[::a00:1]/`,
    `http://[::1:0:0:1]/`,
    `http://[::ffff:a9fe:a9fe]/`,
    `http://[64:ff9b::a9fe:a9fe]/`,
    `http://[2002:a9fe:a9fe::1]/`,
    `http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/`,
    `http://93.184.215.14:22/`,
  ];

  before(async () => {
    bed = await NotifierTestBed.start();
    aggregator = new AggregatorStandIn(bed.nc);
    receiver = await LoopbackReceiver.start();
    await bed.startNotifier({
      ALERT_EVAL_INTERVAL: '200ms',
      ALERT_POLL_INTERVAL: '50ms',
      WEBHOOK_RETRY_SCHEDULE: '0,100ms',
      WEBHOOK_RETRY_JITTER: '0',
      WEBHOOK_TIMEOUT: '700ms',
      WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32',
    });
  });

  after(async () => {
    aggregator?.stop();
    await bed?.stop(receiver);
  });

  const ruleWith = (url: string) => ({
    name: 'clicks',
    metric: 'count' as const,
    eventType: 'click' as const,
    windowSeconds: 60,
    comparison: 'above' as const,
    threshold: 10,
    cooldownSeconds: 0,
    hysteresisPct: 0,
    destinations: [{ url, format: 'standard' as const }],
    enabled: true,
  });

  it('refuses them when a rule is created or changed', async () => {
    for (const url of hostile()) {
      const reply = await bed.alertRules({ op: 'create', projectId: PROJECT, rule: ruleWith(url) });
      assert.equal(reply.ok ? 'created' : reply.code, 'destination_refused', url);
    }
    const local = `${receiver.origin}/hook`;
    const created = await bed.alertRules({
      op: 'create',
      projectId: PROJECT,
      rule: ruleWith(local),
    });
    assert.ok(created.ok, JSON.stringify(created));
    const id = created.rules[0]!.id;
    for (const url of hostile()) {
      const patch = { destinations: [{ url, format: 'standard' as const }] };
      const reply = await bed.alertRules({ op: 'update', projectId: PROJECT, id, patch });
      assert.equal(reply.ok ? 'changed' : reply.code, 'destination_refused', url);
    }
    const stored = await bed.alertRules({ op: 'get', projectId: PROJECT, id });
    assert.deepEqual(stored.ok && stored.rules[0]!.destinations.map((d) => d.url), [local]);
    await bed.alertRules({ op: 'delete', projectId: PROJECT, id });
  });

  it('refuses them at delivery, at once and for good, for rules stored before the policy knew them', async () => {
    aggregator.set('click', null, Date.now(), 50);
    const urls = hostile();
    await insertRules(bed.sql, [{ id: 'old-rule', projectId: PROJECT, threshold: 10, urls }]);

    const log = await waitFor(
      async () => {
        const done = (await bed.deliveries(PROJECT, 'old-rule')).filter((d) => d.status === 'dead');
        return done.length === urls.length ? done : undefined;
      },
      { ...WAIT, what: 'every delivery dead' },
    );
    // A refused address stays refused: the delivery is dead after its first attempt, although
    // the retry schedule of this app allows a second.
    for (const d of log) {
      assert.equal(d.log.length, 1, d.url);
      for (const attempt of d.log) {
        assert.equal(attempt.statusCode, null, d.url);
        assert.match(attempt.error ?? '', /refused: /, d.url);
      }
    }
    assert.equal(receiver.requests, 0, 'nothing reached the receiver');
  });
});
