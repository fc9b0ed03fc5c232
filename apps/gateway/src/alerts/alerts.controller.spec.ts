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
  type Delivery,
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
const MANAGE = 'manage_key_p1_for_alerts_1';
const SLACK_URL = 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX';

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

const delivery: Delivery = {
  id: 'msg_1',
  ruleId: 'r1',
  url: SLACK_URL,
  event: 'alert.firing',
  status: 'succeeded',
  attempts: 1,
  nextAttemptAt: null,
  lastError: null,
  createdAt: '2026-11-25T10:00:00.000Z',
  log: [],
};

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
            ? { ok: true, deliveries: [delivery] }
            : { ok: false, code: 'not_found', message: 'no such rule' };
        msg.respond(JSON.stringify(answer));
      },
    });
    gateway = await startGateway(nats.url, {
      TALLY_API_KEYS: JSON.stringify([
        { key: READ, projectId: 'p1', kind: 'read' },
        { key: WRITE, projectId: 'p1', kind: 'write' },
        { key: MANAGE, projectId: 'p1', kind: 'manage' },
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

  it('creates with a manage key, translating durations, and returns the secret once', async () => {
    reply = { ok: true, rules: [rule()], secret: 'whsec_c2VjcmV0' };
    const res = await call('POST', '', MANAGE, body);
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

  it('refuses a write key everything: it only sends events (issue 12, finding 7)', async () => {
    const before = requests.length;
    assert.equal(await errorCode(await call('POST', '', WRITE, body)), '403 wrong_key_kind');
    assert.equal(await errorCode(await call('PATCH', '/r1', WRITE, {})), '403 wrong_key_kind');
    assert.equal(await errorCode(await call('DELETE', '/r1', WRITE)), '403 wrong_key_kind');
    assert.equal(await errorCode(await call('GET', '', WRITE)), '403 wrong_key_kind');
    assert.equal(await errorCode(await call('GET', '/r1', WRITE)), '403 wrong_key_kind');
    assert.equal(requests.length, before, 'the notifier was never asked');
  });

  it('lets a read key read but not change, and a manage key do both', async () => {
    assert.equal(await errorCode(await call('POST', '', READ, body)), '403 wrong_key_kind');
    assert.equal(await errorCode(await call('PATCH', '/r1', READ, {})), '403 wrong_key_kind');
    assert.equal(await errorCode(await call('DELETE', '/r1', READ)), '403 wrong_key_kind');
    assert.equal(await errorCode(await call('GET', '', 'nope_nope_nope_nope')), '401 invalid_key');
    reply = { ok: true, rules: [rule()] };
    const list = await call('GET', '', MANAGE);
    assert.equal(list.status, 200);
    assert.deepEqual(await list.json(), { rules: [rule()], nextCursor: null });
    reply = { ok: true, rules: [] };
    assert.equal((await call('DELETE', '/r1', MANAGE)).status, 204);
    assert.deepEqual(requests.at(-1), { op: 'delete', projectId: 'p1', id: 'r1' });
  });

  it('shows a read key webhook URLs masked, a manage key in full', async () => {
    const secretful = rule({
      destinations: [
        { url: SLACK_URL, format: 'slack' },
        { url: 'https://user:pw@hooks.example.com:8443/x?token=abc', format: 'standard' },
      ],
    });
    reply = { ok: true, rules: [secretful] };
    const listed = (await (await call('GET', '', READ)).json()) as { rules: AlertRule[] };
    const one = (await (await call('GET', '/r1', READ)).json()) as { rule: AlertRule };
    for (const shown of [listed.rules[0], one.rule]) {
      assert.deepEqual(shown?.destinations, [
        { url: 'https://hooks.slack.com/***', format: 'slack' },
        { url: 'https://hooks.example.com:8443/***', format: 'standard' },
      ]);
    }
    const full = (await (await call('GET', '/r1', MANAGE)).json()) as { rule: AlertRule };
    assert.deepEqual(full.rule, secretful);
  });

  it('passes the page to the notifier and returns its next cursor', async () => {
    reply = { ok: true, rules: [rule()], nextCursor: 'next_page_1' };
    const res = await call('GET', '?limit=1&cursor=abc_1', READ);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { nextCursor: string }).nextCursor, 'next_page_1');
    assert.deepEqual(requests.at(-1), { op: 'list', projectId: 'p1', limit: 1, cursor: 'abc_1' });
    for (const bad of ['?limit=0', '?limit=101', '?cursor=not%20a%20cursor']) {
      assert.equal(await errorCode(await call('GET', bad, READ)), '400 invalid_query');
    }
  });

  it("says when the project's rule limit is reached", async () => {
    reply = { ok: false, code: 'rule_limit_reached', message: 'at most 3 rules per project' };
    const res = await call('POST', '', MANAGE, body);
    assert.equal(await errorCode(res), '409 rule_limit_reached');
  });

  it('refuses rule text Postgres cannot store with 400 invalid_rule naming the field', async () => {
    const before = requests.length;
    const hostile = [
      { body: { ...body, name: 'n\u0000' }, field: 'name' },
      { body: { ...body, name: 'lone \ud800 surrogate' }, field: 'name' },
      { body: { ...body, dimension: '\udc00' }, field: 'dimension' },
      {
        body: { ...body, destinations: [{ url: 'https://a.example/\u0000' }] },
        field: 'destinations.0.url',
      },
    ];
    for (const { body: b, field } of hostile) {
      const res = await call('POST', '', MANAGE, b);
      const answer = (await res.json()) as { error: { code: string; details: { path: string }[] } };
      assert.equal(res.status, 400);
      assert.equal(answer.error.code, 'invalid_rule');
      assert.deepEqual(
        answer.error.details.map((d) => d.path),
        [field],
      );
    }
    const patched = await call('PATCH', '/r1', MANAGE, { name: 'n\u0000' });
    assert.equal(await errorCode(patched), '400 invalid_rule');
    assert.equal(requests.length, before, 'the notifier was never asked');
  });

  it('masks the delivery log URLs for a read key', async () => {
    const res = await call('GET', '/r1/deliveries', READ);
    const { deliveries } = (await res.json()) as { deliveries: Delivery[] };
    assert.equal(deliveries[0]?.url, 'https://hooks.slack.com/***');
    const full = await call('GET', '/r1/deliveries', MANAGE);
    assert.equal(((await full.json()) as { deliveries: Delivery[] }).deliveries[0]?.url, SLACK_URL);
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
      assert.equal(await errorCode(await call('POST', '', MANAGE, b)), '400 invalid_rule');
    }
    assert.equal(requests.length, before);
  });

  it("maps the notifier's refusals to API errors", async () => {
    reply = { ok: false, code: 'destination_refused', message: '10.0.0.1 is a private address' };
    assert.equal(await errorCode(await call('POST', '', MANAGE, body)), '400 destination_refused');
    reply = { ok: false, code: 'not_found', message: 'no alert rule' };
    assert.equal(
      await errorCode(await call('PATCH', '/r9', MANAGE, { threshold: 3 })),
      '404 not_found',
    );
    const sent = requests.at(-1);
    assert.deepEqual(sent, { op: 'update', projectId: 'p1', id: 'r9', patch: { threshold: 3 } });
  });

  it('serves the delivery log of a rule of the project', async () => {
    const res = await call('GET', '/r1/deliveries', READ);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      deliveries: [{ ...delivery, url: 'https://hooks.slack.com/***' }],
    });
    assert.equal(await errorCode(await call('GET', '/r2/deliveries', READ)), '404 not_found');
    assert.equal(
      await errorCode(await call('GET', '/r1/deliveries?limit=0', READ)),
      '400 invalid_query',
    );
  });
});
