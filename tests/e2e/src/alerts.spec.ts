import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@tally/testkit';
import { postExpect202 } from './client.js';
import { dumpProblems, startStack, type Stack } from './stack.js';

interface Hook {
  headers: IncomingMessage['headers'];
  body: string;
}

interface RuleView {
  id: string;
  state: string;
  lastValue: number | null;
  destinations: { url: string }[];
}

/*
 * An alert on the full pipeline: rule created through the gateway, events through ingest and
 * the aggregator, evaluated by the notifier from the real rollups, delivered to a local
 * receiver with a Standard Webhooks signature checked by hand (node:crypto only).
 */
describe('Tally end to end: an alert rule fires a signed webhook', () => {
  let stack: Stack;
  let receiver: Server;
  let hookUrl: string;
  const hooks: Hook[] = [];

  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/tally`;
    stack = await startStack(2);
  });

  after(async () => {
    await stack?.stop();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const api = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}/v1/alerts${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  async function rule(id: string): Promise<RuleView> {
    const res = await api('GET', `/${id}`, stack.readKey);
    assert.equal(res.status, 200);
    return ((await res.json()) as { rule: RuleView }).rule;
  }

  const logins = (n: number) => ({
    events: Array.from({ length: n }, (_, i) => ({
      type: 'login',
      userId: `u${i}`,
      properties: { method: 'password', success: true },
    })),
  });

  it('stays quiet below the threshold, then fires once above it', { timeout: 90_000 }, async () => {
    try {
      assert.ok(stack.notifier, `the notifier must run: ${stack.notes.join('; ')}`);
      const ruleBody = {
        name: 'login burst',
        metric: 'count',
        eventType: 'login',
        window: '5m',
        comparison: 'above',
        threshold: 5,
        cooldown: '1h',
        destinations: [{ url: hookUrl }],
      };
      const byWriteKey = await api('POST', '', stack.writeKey, ruleBody);
      assert.equal(byWriteKey.status, 403, 'a write key only sends events');
      const created = await api('POST', '', stack.manageKey, ruleBody);
      const createdText = await created.text();
      assert.equal(created.status, 201, createdText);
      const { rule: r, secret } = JSON.parse(createdText) as { rule: RuleView; secret: string };
      assert.equal(r.destinations[0]?.url, hookUrl, 'the manage key sees the URL in full');
      assert.equal((await rule(r.id)).destinations[0]?.url, `${new URL(hookUrl).origin}/***`);

      await postExpect202(stack.gatewayUrl, stack.writeKey, logins(3));
      await waitFor(async () => (await rule(r.id)).lastValue === 3, {
        timeoutMs: 30_000,
        what: 'the rule to see 3 logins',
      });
      assert.equal(hooks.length, 0, 'nothing fires below the threshold');

      await postExpect202(stack.gatewayUrl, stack.writeKey, logins(4));
      await waitFor(async () => hooks.length >= 1, { timeoutMs: 30_000, what: 'the webhook' });
      const [hook] = hooks;
      const body = JSON.parse(hook!.body) as { type: string; data: { value: number } };
      assert.equal(body.type, 'alert.firing');
      assert.equal(body.data.value, 7);

      const id = String(hook!.headers['webhook-id']);
      const ts = String(hook!.headers['webhook-timestamp']);
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      const expected = createHmac('sha256', key)
        .update(`${id}.${ts}.${hook!.body}`)
        .digest('base64');
      assert.equal(hook!.headers['webhook-signature'], `v1,${expected}`);

      const log = await waitFor(
        async () => {
          const res = await api('GET', `/${r.id}/deliveries`, stack.readKey);
          const list = ((await res.json()) as { deliveries: { id: string; status: string }[] })
            .deliveries;
          return list[0]?.status === 'succeeded' ? list : undefined;
        },
        { timeoutMs: 10_000, what: 'the delivery log' },
      );
      assert.deepEqual(
        log.map((d) => d.id),
        [id],
      );
      assert.equal((await rule(r.id)).state, 'firing');
      assert.equal(hooks.length, 1, 'one notification');
    } catch (err) {
      dumpProblems(stack);
      throw err;
    }
  });
});
