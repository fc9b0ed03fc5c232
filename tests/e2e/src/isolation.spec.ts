import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@tally/testkit';
import { getSeries, postExpect202 } from './client.js';
import { dumpProblems, E2E_ADMIN_TOKEN, startStack, type Stack } from './stack.js';

interface Project {
  id: string;
}

/*
 * Two projects created through the admin API, each with its own keys, on the full pipeline
 * (gateway, ingest, aggregator as processes on real NATS and Postgres): what one project writes
 * is counted, rejected and streamed live for that project only.
 */
describe('Tally end to end: project isolation through the admin API', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack(2);
  });

  after(async () => {
    await stack?.stop();
  });

  async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${stack.gatewayUrl}/v1/admin/projects${path}`, {
      method,
      headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.equal(res.status, 201, `${method} ${path}: ${text}`);
    return JSON.parse(text) as T;
  }

  async function projectWithKeys(name: string) {
    const project = await admin<Project>('POST', '', { name });
    const write = await admin<{ key: string }>('POST', `/${project.id}/keys`, { kind: 'write' });
    const read = await admin<{ key: string }>('POST', `/${project.id}/keys`, { kind: 'read' });
    return { id: project.id, write: write.key, read: read.key };
  }

  async function rejectedOf(readKey: string): Promise<unknown[]> {
    const res = await fetch(`${stack.gatewayUrl}/v1/rejected`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { rejected: unknown[] }).rejected;
  }

  it(
    'one project can neither read nor write the data of another',
    { timeout: 60_000 },
    async () => {
      try {
        const a = await projectWithKeys('A');
        const b = await projectWithKeys('B');

        const live = new AbortController();
        const liveText = { a: '', b: '' };
        const follow = async (key: string, into: 'a' | 'b') => {
          const res = await fetch(`${stack.gatewayUrl}/v1/live`, {
            headers: { authorization: `Bearer ${key}` },
            signal: live.signal,
          });
          assert.equal(res.status, 200);
          const decoder = new TextDecoder();
          try {
            for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
              liveText[into] += decoder.decode(chunk, { stream: true });
            }
          } catch {
            // aborted at the end of the test
          }
        };
        const following = [follow(a.read, 'a'), follow(b.read, 'b')];
        await waitFor(
          async () => liveText.a.includes(': connected') && liveText.b.includes(': connected'),
          {
            timeoutMs: 10_000,
            what: 'both live streams open',
          },
        );

        const now = new Date();
        const answer = await postExpect202(stack.gatewayUrl, a.write, {
          events: [
            {
              type: 'click',
              userId: 'u1',
              timestamp: now.toISOString(),
              properties: { element: 'iso' },
            },
            { type: 'hover', userId: 'u1' },
          ],
        });
        assert.equal(answer.accepted, 1);

        const window = {
          type: 'click',
          granularity: 'day',
          from: new Date(now.getTime() - 86_400_000).toISOString(),
          to: new Date(now.getTime() + 86_400_000).toISOString(),
        };
        const countOf = async (key: string) =>
          (await getSeries(stack.gatewayUrl, key, window)).reduce((sum, p) => sum + p.count, 0);
        await waitFor(async () => (await countOf(a.read)) === 1, {
          timeoutMs: 20_000,
          what: "A's click counted",
        });
        await waitFor(async () => (await rejectedOf(a.read)).length === 1, {
          timeoutMs: 10_000,
          what: "A's rejection visible",
        });
        await waitFor(async () => liveText.a.includes('event: delta'), {
          timeoutMs: 10_000,
          what: "A's live delta",
        });

        // B sees none of it, and the static e2e project neither.
        assert.equal(await countOf(b.read), 0);
        assert.equal(await countOf(stack.readKey), 0);
        assert.deepEqual(await rejectedOf(b.read), []);
        assert.ok(!liveText.b.includes('event: delta'), 'B received a delta of A');

        // Keys do not cross projects or kinds.
        const readKeyWrites = await fetch(`${stack.gatewayUrl}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${a.read}`, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'click', userId: 'x' }),
        });
        assert.equal(readKeyWrites.status, 403);
        live.abort();
        await Promise.all(following);
      } catch (err) {
        dumpProblems(stack);
        throw err;
      }
    },
  );
});
