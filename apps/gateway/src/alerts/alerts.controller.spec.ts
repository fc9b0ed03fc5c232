import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AlertRuleRequest,
  DeliveryLogQuery,
  QUEUE_GROUPS,
  SUBJECTS,
  type AlertRule,
  type AlertRuleReply,
  type DeliveryLogReply,
} from '@tally/contracts';
import { startNatsServer, type NatsServerHandle } from '@tally/testkit';
import {
  errorCode,
  startGateway,
  type GatewayUnderTest,
} from '../test-support/gateway-under-test.js';

const READ = 'read_key_p1_for_alerts_001';
const WRITE = 'write_key_p1_for_alerts_01';

const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  id: 'r1',
  projectId: 'p1',
  name: 'signups',
  metric: 'count',
  eventType: 'login',
  windowSeconds: 300,
  comparison: 'below',
  threshold: 1,
  cooldownSeconds: 600,
  hysteresisPct: 0,
  destinations: [{ url: 'https://hooks.example.com/x', format: 'standard' }],
  enabled: true,
  state: 'ok',
  lastValue: null,
  lastEvaluatedAt: null,
  lastFiredAt: null,
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  ...over,
});

describe('/v1/alerts (gateway over real NATS, stand-in notifier)', () => {
  let nats: NatsServerHandle;
  let peer: NatsConnection;
  let gateway: GatewayUnderTest;
  const requests: AlertRuleRequest[] = [];
  let reply: AlertRuleReply = { ok: true, rules: [] };

  before(async () => {
    nats = await startNatsServer();
    peer = await connect({ servers: nats.url });
    peer.subscribe(SUBJECTS.alertRules, {
      queue: QUEUE_GROUPS.notifier,
      callback: (_err, msg) => {
        requests.push(AlertRuleRequest.parse(msg.json()));
        msg.respond(JSON.stringify(reply));
      },
    });
    peer.subscribe(SUBJECTS.alertDeliveries, {
      queue: QUEUE_GROUPS.notifier,
      callback: (_err, msg) => {
        const q = DeliveryLogQuery.parse(msg.json());
        const answer: DeliveryLogReply =
          q.ruleId === 'r1' && q.projectId === 'p1'
            ? { ok: true, deliveries: [] }
            : { ok: false, code: 'not_found', message: 'no such rule' };
        msg.respond(JSON.stringify(answer));
      },
    });
    gateway = await startGateway(nats.url, {
      TALLY_API_KEYS: JSON.stringify([
        { key: READ, projectId: 'p1', kind: 'read' },
        { key: WRITE, projectId: 'p1', kind: 'write' },
      ]),
    });
  });

  after(async () => {
    await gateway.close();
    await peer.close();
    await nats.stop();
  });

  const call = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${gateway.base}/v1/alerts${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const body = {
    name: 'signups',
    metric: 'count',
    eventType: 'login',
    window: '5m',
    comparison: 'below',
    threshold: 1,
    cooldown: '10m',
    destinations: [{ url: 'https://hooks.example.com/x' }],
  };

  it('creates with a write key, translating durations, and returns the secret once', async () => {
    reply = { ok: true, rules: [rule()], secret: 'whsec_c2VjcmV0' };
    const res = await call('POST', '', WRITE, body);
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { rule: rule(), secret: 'whsec_c2VjcmV0' });
    const sent = requests.at(-1);
    assert.equal(sent?.op, 'create');
    assert.equal(sent?.projectId, 'p1');
    if (sent?.op === 'create') {
      assert.equal(sent.rule.windowSeconds, 300);
      assert.equal(sent.rule.cooldownSeconds, 600);
      assert.equal(sent.rule.destinations[0]?.format, 'standard');
    }
  });

  it('needs a write key to change and a read key to read', async () => {
    assert.equal(await errorCode(await call('POST', '', READ, body)), '403 wrong_key_kind');
    assert.equal(await errorCode(await call('DELETE', '/r1', READ)), '403 wrong_key_kind');
    assert.equal(await errorCode(await call('GET', '', WRITE)), '403 wrong_key_kind');
    assert.equal(await errorCode(await call('GET', '', 'nope_nope_nope_nope')), '401 invalid_key');
    reply = { ok: true, rules: [rule()] };
    const list = await call('GET', '', READ);
    assert.equal(list.status, 200);
    assert.deepEqual(await list.json(), { rules: [rule()] });
  });

  it('refuses invalid rules before asking the notifier', async () => {
    const before = requests.length;
    const bad = [
      { ...body, window: '90s' },
      { ...body, window: 'soon' },
      { ...body, metric: 'median' },
      { ...body, destinations: [] },
      { ...body, destinations: [{ url: 'file:///etc/passwd' }] },
      { ...body, surprise: true },
    ];
    for (const b of bad) {
      assert.equal(await errorCode(await call('POST', '', WRITE, b)), '400 invalid_rule');
    }
    assert.equal(requests.length, before);
  });

  it("maps the notifier's refusals to API errors", async () => {
    reply = { ok: false, code: 'destination_refused', message: '10.0.0.1 is a private address' };
    assert.equal(await errorCode(await call('POST', '', WRITE, body)), '400 destination_refused');
    reply = { ok: false, code: 'not_found', message: 'no alert rule' };
    assert.equal(
      await errorCode(await call('PATCH', '/r9', WRITE, { threshold: 3 })),
      '404 not_found',
    );
    const sent = requests.at(-1);
    assert.deepEqual(sent, { op: 'update', projectId: 'p1', id: 'r9', patch: { threshold: 3 } });
  });

  it('serves the delivery log of a rule of the project', async () => {
    const res = await call('GET', '/r1/deliveries', READ);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { deliveries: [] });
    assert.equal(await errorCode(await call('GET', '/r2/deliveries', READ)), '404 not_found');
    assert.equal(
      await errorCode(await call('GET', '/r1/deliveries?limit=0', READ)),
      '400 invalid_query',
    );
  });
});
