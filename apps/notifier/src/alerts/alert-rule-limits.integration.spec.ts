import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Msg } from '@nats-io/transport-node';
import {
  ALERT_LIST_LIMITS,
  AlertRuleReply,
  SUBJECTS,
  type AlertRule,
  type AlertRuleInput,
} from '@tally/contracts';
import { ERROR_HEADER } from '@tally/nats';
import { NotifierTestBed } from '../test-support/notifier-test-bed.fixture.js';

// Issue 12, findings 6 and 9: a notifier (built dist/main.js) on a private nats-server and a fresh
// database, asked over NATS as the gateway asks it. Rules are disabled, so nothing evaluates them.
const MAX_RULES = 100;
const NATS_MAX_PAYLOAD = 1024 * 1024;

/** A rule at its field limits: ~12 KiB of JSON, so 100 of them exceed one NATS message. */
const bigRule = (i: number): AlertRuleInput => ({
  name: `rule ${i} `.padEnd(200, 'n'),
  metric: 'count',
  eventType: 'click',
  dimension: 'd'.repeat(1024),
  windowSeconds: 60,
  comparison: 'above',
  threshold: 10,
  cooldownSeconds: 0,
  hysteresisPct: 0,
  destinations: Array.from({ length: 5 }, (_, d) => ({
    url: `http://127.0.0.1:9/${i}/${d}/`.padEnd(2048, 'x'),
    format: 'standard' as const,
  })),
  enabled: false,
});

describe('notifier: rule limit per project, paged list, text Postgres can store', () => {
  let bed: NotifierTestBed;
  let notifierOrigin: string;

  before(async () => {
    bed = await NotifierTestBed.start();
    const started = await bed.startNotifier(
      { WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32', ALERT_RULES_PER_PROJECT: String(MAX_RULES) },
      'notifier-limits',
    );
    notifierOrigin = started.origin;
  });

  after(async () => {
    await bed?.stop();
  });

  const ask = (request: unknown): Promise<Msg> =>
    bed.nc.request(SUBJECTS.alertRules, JSON.stringify(request), { timeout: 10_000 });

  async function rules(request: unknown): Promise<AlertRuleReply> {
    return AlertRuleReply.parse((await ask(request)).json());
  }

  const create = (projectId: string, rule: AlertRuleInput) =>
    rules({ op: 'create', projectId, rule });

  it('refuses rule N+1 of a project, also when creates race, and not other projects', async () => {
    for (let i = 0; i < MAX_RULES - 5; i++) {
      const reply = await create('big', bigRule(i));
      assert.ok(reply.ok, JSON.stringify(reply));
    }
    const racing = await Promise.all(
      Array.from({ length: 10 }, (_, i) => create('big', bigRule(MAX_RULES + i))),
    );
    assert.equal(racing.filter((r) => r.ok).length, 5, 'exactly up to the limit');
    for (const refused of racing.filter((r) => !r.ok)) {
      assert.equal(refused.ok ? 'created' : refused.code, 'rule_limit_reached');
    }
    const count = await bed.sql.query<{ n: string }>(
      "SELECT count(*) AS n FROM alert_rules WHERE project_id = 'big'",
    );
    assert.equal(Number(count.rows[0]?.n), MAX_RULES);
    const metrics = await (await fetch(`${notifierOrigin}/metrics`)).text();
    assert.match(metrics, /^tally_notifier_rules_refused_at_limit_total 5$/m);
    const elsewhere = await create('small', bigRule(0));
    assert.ok(elsewhere.ok, 'another project is not affected');
  });

  it('lists every rule exactly once, in pages that each fit in one NATS message', async () => {
    const seen: AlertRule[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const msg = await ask({ op: 'list', projectId: 'big', limit: 100, cursor });
      assert.ok(msg.data.length <= ALERT_LIST_LIMITS.maxPageBytes + 1024, `page ${pages} size`);
      assert.ok(msg.data.length < NATS_MAX_PAYLOAD);
      const reply = AlertRuleReply.parse(msg.json());
      assert.ok(reply.ok, JSON.stringify(reply));
      seen.push(...reply.rules);
      cursor = reply.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 20);
    assert.ok(pages > 1, 'a megabyte of rules takes more than one page');
    const ids = seen.map((r) => r.id);
    assert.equal(new Set(ids).size, MAX_RULES);
    const listed = await bed.sql.query<{ id: string }>(
      "SELECT id FROM alert_rules WHERE project_id = 'big' ORDER BY created_at, id",
    );
    assert.deepEqual(
      ids,
      listed.rows.map((r) => r.id),
      'oldest first, none skipped or repeated',
    );
  });

  it('pages by count when rules are small, and refuses a cursor it did not make', async () => {
    const first = await rules({ op: 'list', projectId: 'big', limit: 3 });
    assert.ok(first.ok && first.rules.length === 3 && first.nextCursor);
    const bad = await rules({ op: 'list', projectId: 'big', cursor: 'bm90LWEtY3Vyc29y' });
    assert.equal(bad.ok ? 'listed' : bad.code, 'invalid_cursor');
  });

  it('refuses a NUL or a lone surrogate in rule text as a bad request, storing nothing', async () => {
    const hostile: AlertRuleInput[] = [
      { ...bigRule(1), name: 'n\u0000' },
      { ...bigRule(2), dimension: 'x\ud800' },
      { ...bigRule(3), destinations: [{ url: 'http://127.0.0.1:9/\u0000', format: 'slack' }] },
    ];
    for (const rule of hostile) {
      const msg = await ask({ op: 'create', projectId: 'hostile', rule });
      assert.equal(msg.headers?.get(ERROR_HEADER), 'bad-request', JSON.stringify(rule.name));
    }
    const stored = await bed.sql.query("SELECT id FROM alert_rules WHERE project_id = 'hostile'");
    assert.equal(stored.rowCount, 0);
  });
});
