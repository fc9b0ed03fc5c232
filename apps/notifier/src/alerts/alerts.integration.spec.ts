import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { MetricsQuery, SUBJECTS, type AlertRuleInput, type MetricsReply } from '@tally/contracts';
import { waitFor, type AppProcessHandle } from '@tally/testkit';
import { Webhook } from 'standardwebhooks';
import { LoopbackReceiver } from '../test-support/loopback-receiver.fixture.js';
import { NotifierTestBed } from '../test-support/notifier-test-bed.fixture.js';

// Two notifier replicas (built dist/main.js) on a private nats-server and a fresh database; the
// test plays the aggregator (it answers metrics queries with values it controls) and runs the
// webhook receiver on 127.0.0.1.
const WAIT = { timeoutMs: 20_000, intervalMs: 50 };
const PROJECT = 'acme';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

describe('notifier: alert rules, evaluation and signed webhook delivery', () => {
  let bed: NotifierTestBed;
  let replicas: AppProcessHandle[] = [];
  let receiver: LoopbackReceiver;
  const received: Received[] = [];
  /** Metric value the fake aggregator reports, per dimension. */
  const values = new Map<string, number>();
  /** Per path: what the receiver answers to the n-th request (then 200). */
  const scripts = new Map<string, ((res: ServerResponse) => void)[]>();

  before(async () => {
    bed = await NotifierTestBed.start();
    await bed.addRollupsStream();
    bed.nc.subscribe(SUBJECTS.metricsQuery, {
      callback: (_err, msg) => {
        const q = MetricsQuery.parse(msg.json());
        const v = values.get(q.dimension ?? '') ?? 0;
        // The evaluator must ask for the whole window as one point (unique users one union).
        const reply: MetricsReply = !q.total
          ? { ok: false, error: 'expected total=true' }
          : {
              ok: true,
              series:
                v === 0
                  ? []
                  : [
                      {
                        bucket: new Date(q.from).toISOString(),
                        count: v,
                        uniqueUsers: v,
                        revenue: {},
                      },
                    ],
            };
        msg.respond(JSON.stringify(reply));
      },
    });

    receiver = await LoopbackReceiver.start((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        received.push({
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
          at: Date.now(),
        });
        const next = scripts.get(path)?.shift();
        if (next) next(res);
        else res.writeHead(200).end('thanks');
      });
    });
    replicas = await Promise.all([startReplica('notifier-a'), startReplica('notifier-b')]);
  });

  after(async () => {
    await bed?.stop(receiver);
  });

  async function startReplica(name: string): Promise<AppProcessHandle> {
    const started = await bed.startNotifier(
      {
        ALERT_EVAL_INTERVAL: '200ms',
        ALERT_POLL_INTERVAL: '50ms',
        WEBHOOK_RETRY_SCHEDULE: '0,200ms,400ms,400ms',
        WEBHOOK_RETRY_JITTER: '0.1',
        WEBHOOK_TIMEOUT: '700ms',
        WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32',
      },
      name,
    );
    return started.handle;
  }

  async function createRule(
    dimension: string,
    path: string,
    over: Partial<AlertRuleInput> = {},
  ): Promise<{ id: string; secret: string }> {
    const reply = await bed.alertRules({
      op: 'create',
      projectId: PROJECT,
      rule: {
        name: `rule ${dimension}`,
        metric: 'count',
        eventType: 'click',
        dimension,
        windowSeconds: 60,
        comparison: 'above',
        threshold: 10,
        cooldownSeconds: 0,
        hysteresisPct: 0,
        destinations: [{ url: `${receiver.origin}${path}`, format: 'standard' }],
        enabled: true,
        ...over,
      },
    });
    assert.ok(reply.ok, JSON.stringify(reply));
    assert.ok(reply.secret);
    return { id: reply.rules[0]!.id, secret: reply.secret };
  }

  const at = (path: string) => received.filter((r) => r.path === path);
  const eventOf = (r: Received) => (JSON.parse(r.body) as { type: string }).type;

  it('fires once when the threshold is crossed and resolves when it recovers, signed', async () => {
    values.set('fire', 3);
    const { id, secret } = await createRule('fire', '/fire');
    await waitFor(
      async () => (await bed.alertRules({ op: 'get', projectId: PROJECT, id })).ok && true,
      {
        ...WAIT,
        what: 'rule stored',
      },
    );

    values.set('fire', 15);
    await jetstream(bed.nc).publish(
      SUBJECTS.rollups(PROJECT),
      JSON.stringify({ projectId: PROJECT, partition: 0, seq: 1, rows: [] }),
    );
    await waitFor(async () => at('/fire').length === 1, { ...WAIT, what: 'firing webhook' });
    // Both replicas keep evaluating the still-breaching rule; it must not notify again.
    const evaluated = async () =>
      (
        await bed.sql.query<{ t: Date }>(
          'SELECT last_evaluated_at t FROM alert_rules WHERE id=$1',
          [id],
        )
      ).rows[0]?.t;
    const firstEval = await evaluated();
    await waitFor(
      async () => ((await evaluated())?.getTime() ?? 0) > (firstEval?.getTime() ?? 0) + 600,
      {
        ...WAIT,
        what: 'several more evaluations',
      },
    );
    values.set('fire', 20);
    assert.equal(at('/fire').length, 1, 'a breaching rule notifies once');

    values.set('fire', 4);
    await waitFor(async () => at('/fire').length === 2, { ...WAIT, what: 'resolved webhook' });
    const [firing, resolved] = at('/fire');
    assert.equal(eventOf(firing!), 'alert.firing');
    assert.equal(eventOf(resolved!), 'alert.resolved');
    assert.equal((JSON.parse(firing!.body) as { data: { value: number } }).data.value, 15);
    assert.notEqual(firing!.headers['webhook-id'], resolved!.headers['webhook-id']);
    for (const r of [firing!, resolved!]) {
      const headers = {
        'webhook-id': String(r.headers['webhook-id']),
        'webhook-timestamp': String(r.headers['webhook-timestamp']),
        'webhook-signature': String(r.headers['webhook-signature']),
      };
      assert.ok(new Webhook(secret).verify(r.body, headers), 'signature verifies');
    }
    const stored = await bed.alertRules({ op: 'get', projectId: PROJECT, id });
    const rule = stored.ok ? stored.rules[0] : undefined;
    assert.equal(rule?.state, 'ok');
  });

  it('fires a "below" rule when no events arrive at all', async () => {
    const { id } = await createRule('silence', '/silence', { comparison: 'below', threshold: 1 });
    await waitFor(async () => at('/silence').length === 1, { ...WAIT, what: 'below webhook' });
    assert.equal(eventOf(at('/silence')[0]!), 'alert.firing');
    // The receiver answered before the notifier recorded it: wait for the record.
    await waitFor(async () => (await bed.deliveries(PROJECT, id))[0]?.status === 'succeeded', {
      ...WAIT,
      what: 'below delivery recorded as succeeded',
    });
  });

  it('retries a receiver that fails twice: one success, same webhook-id, attempts logged', async () => {
    scripts.set('/flaky', [
      (res) => res.writeHead(500).end('boom'),
      (res) => res.writeHead(502).end(),
    ]);
    values.set('flaky', 50);
    const { id } = await createRule('flaky', '/flaky');
    const [d] = await waitFor(
      async () => {
        const list = await bed.deliveries(PROJECT, id);
        return list[0]?.status === 'succeeded' ? list : undefined;
      },
      { ...WAIT, what: 'flaky delivery to succeed' },
    );
    const hits = at('/flaky');
    assert.equal(hits.length, 3);
    assert.equal(new Set(hits.map((h) => h.headers['webhook-id'])).size, 1);
    assert.equal(hits[0]!.headers['webhook-id'], d!.id);
    assert.equal(d!.attempts, 3);
    assert.deepEqual(
      d!.log.map((a) => a.statusCode),
      [500, 502, 200],
    );
    assert.equal(d!.log[0]!.responseExcerpt, 'boom');
    assert.ok(hits[1]!.at - hits[0]!.at >= 150, 'backoff between attempts');
  });

  it('logs an answer holding a NUL byte as text Postgres can store (issue 12, finding 9)', async () => {
    scripts.set('/nul', [(res) => res.writeHead(500).end('bad\u0000answer')]);
    values.set('nul', 50);
    const { id } = await createRule('nul', '/nul');
    const [d] = await waitFor(
      async () => {
        const list = await bed.deliveries(PROJECT, id);
        return list[0]?.status === 'succeeded' ? list : undefined;
      },
      { ...WAIT, what: 'delivery after an answer with a NUL byte' },
    );
    assert.deepEqual(
      d!.log.map((a) => [a.statusCode, a.responseExcerpt]),
      [
        [500, 'bad\ufffdanswer'],
        [200, 'thanks'],
      ],
    );
  });

  it('times out a receiver that hangs and retries it', async () => {
    scripts.set('/hang', [() => undefined]);
    values.set('hang', 50);
    const { id } = await createRule('hang', '/hang');
    const [d] = await waitFor(
      async () => {
        const list = await bed.deliveries(PROJECT, id);
        return list[0]?.status === 'succeeded' ? list : undefined;
      },
      { ...WAIT, what: 'hung delivery to succeed on retry' },
    );
    assert.equal(d!.log.length, 2);
    assert.match(d!.log[0]!.error ?? '', /timed out/);
    assert.equal(d!.log[1]!.statusCode, 200);
  });

  it('keeps a delivery as dead with its last error after the last attempt', async () => {
    const fail = (res: ServerResponse) => res.writeHead(500).end('still broken');
    scripts.set('/dead', [fail, fail, fail, fail, fail]);
    values.set('dead', 50);
    const { id } = await createRule('dead', '/dead');
    const [d] = await waitFor(
      async () => {
        const list = await bed.deliveries(PROJECT, id);
        return list[0]?.status === 'dead' ? list : undefined;
      },
      { ...WAIT, what: 'delivery to be dead' },
    );
    assert.equal(d!.attempts, 4, 'one attempt per schedule step');
    assert.equal(d!.lastError, 'HTTP 500');
    assert.equal(d!.nextAttemptAt, null);
    assert.equal(at('/dead').length, 4);
  });

  it('refuses private, loopback and metadata destinations at rule creation', async () => {
    for (const url of [
      'http://10.0.0.8/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:8080/hook',
      'http://100.64.1.1/hook',
      'http://[fd00:ec2::254]/',
    ]) {
      const reply = await bed.alertRules({
        op: 'create',
        projectId: PROJECT,
        rule: {
          name: 'ssrf',
          metric: 'count',
          eventType: 'click',
          windowSeconds: 60,
          comparison: 'above',
          threshold: 1,
          cooldownSeconds: 0,
          hysteresisPct: 0,
          destinations: [{ url, format: 'standard' }],
          enabled: true,
        },
      });
      assert.equal(reply.ok ? 'created' : reply.code, 'destination_refused', url);
    }
  });

  it('keeps rules per project', async () => {
    const { id } = await createRule('mine', '/mine', { enabled: false, cooldownSeconds: 900 });
    const patched = await bed.alertRules({
      op: 'update',
      projectId: PROJECT,
      id,
      patch: { threshold: 7 },
    });
    assert.ok(patched.ok);
    assert.deepEqual(
      [patched.rules[0]?.threshold, patched.rules[0]?.cooldownSeconds, patched.rules[0]?.enabled],
      [7, 900, false],
      'a patch leaves omitted fields alone',
    );
    const refused = await bed.alertRules({
      op: 'update',
      projectId: PROJECT,
      id,
      patch: { destinations: [{ url: 'http://192.168.0.10/', format: 'slack' }] },
    });
    assert.equal(refused.ok ? 'updated' : refused.code, 'destination_refused');
    const other = await bed.alertRules({ op: 'get', projectId: 'someone-else', id });
    assert.equal(other.ok ? 'found' : other.code, 'not_found');
    const list = await bed.alertRules({ op: 'list', projectId: 'someone-else', limit: 50 });
    assert.deepEqual(list.ok && list.rules, []);
  });

  it('resumes the retry schedule after every replica is killed with SIGKILL', async () => {
    // The first attempt gets a 503 asking for 3 s: long enough to kill and restart in between.
    scripts.set('/kill', [(res) => res.writeHead(503, { 'retry-after': '3' }).end()]);
    values.set('kill', 50);
    const { id } = await createRule('kill', '/kill');
    await waitFor(async () => at('/kill').length === 1, { ...WAIT, what: 'first attempt' });
    await waitFor(async () => (await bed.deliveries(PROJECT, id))[0]?.log.length === 1, {
      ...WAIT,
      what: 'first attempt recorded',
    });
    await Promise.all(replicas.map((r) => r.kill('SIGKILL')));

    const row = (
      await bed.sql.query<{ status: string; attempts: number; next_attempt_at: Date }>(
        'SELECT status, attempts, next_attempt_at FROM webhook_deliveries WHERE rule_id = $1',
        [id],
      )
    ).rows[0];
    assert.equal(row?.status, 'pending');
    assert.equal(row?.attempts, 1);
    const first = at('/kill')[0]!;
    assert.ok(row.next_attempt_at.getTime() >= first.at + 2_500, 'Retry-After honoured');

    replicas = [await startReplica('notifier-a')];
    await waitFor(async () => at('/kill').length === 2, { ...WAIT, what: 'resumed attempt' });
    const second = at('/kill')[1]!;
    assert.equal(second.headers['webhook-id'], first.headers['webhook-id']);
    assert.ok(second.at >= row.next_attempt_at.getTime() - 50, 'not before its time');
    const [d] = await waitFor(
      async () => {
        const list = await bed.deliveries(PROJECT, id);
        return list[0]?.status === 'succeeded' ? list : undefined;
      },
      { ...WAIT, what: 'resumed delivery to succeed' },
    );
    assert.equal(d!.attempts, 2);
  });
});
