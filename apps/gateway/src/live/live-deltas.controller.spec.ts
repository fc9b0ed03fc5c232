import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SUBJECTS, type RollupDelta } from '@tally/contracts';
import { waitFor } from '@tally/testkit';
import { errorCode, startGateway } from '../test-support/gateway-under-test.js';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';

const READ_P1 = 'read_key_p1_for_live_00001';
const WRITE_P1 = 'write_key_p1_for_live_0001';

const delta = (projectId: string, seq: number): RollupDelta => ({
  projectId,
  partition: 0,
  seq,
  rows: [
    { type: 'click', dimension: 'buy', bucket: Date.UTC(2026, 0, 1), count: 2, revenueMicros: {} },
  ],
});

/** An SSE client over fetch that keeps everything received as text. */
class SseClient {
  text = '';
  private readonly abort = new AbortController();
  private reading?: Promise<void>;

  static async open(url: string, key: string): Promise<{ client: SseClient; res: Response }> {
    const client = new SseClient();
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
      signal: client.abort.signal,
    });
    if (res.ok && res.body) client.reading = client.read(res.body);
    return { client, res };
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) this.text += decoder.decode(chunk, { stream: true });
    } catch {
      // aborted by close()
    }
  }

  deltas(): RollupDelta[] {
    return [...this.text.matchAll(/^event: delta\ndata: (.*)\n\n/gm)].map(
      (m) => JSON.parse(m[1] ?? 'null') as RollupDelta,
    );
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }
}

describe('GET /v1/live (SSE of rollup deltas over real NATS)', () => {
  let setup: GatewayWithStandIns;

  before(async () => {
    setup = await gatewayWithStandIns({
      LIVE_HEARTBEAT_MS: '100',
      TALLY_API_KEYS: JSON.stringify([
        { key: READ_P1, projectId: 'p1', kind: 'read' },
        { key: WRITE_P1, projectId: 'p1', kind: 'write' },
      ]),
    });
  });

  after(() => setup.close());

  /** Subscriptions on live subjects, across all connections, as the server sees them. */
  async function liveSubscriptions(): Promise<string[]> {
    const res = await fetch(`http://127.0.0.1:${setup.nats.monitorPort}/connz?subs=1`);
    const connz = (await res.json()) as { connections: Array<{ subscriptions_list?: string[] }> };
    return connz.connections
      .flatMap((c) => c.subscriptions_list ?? [])
      .filter((s) => s.startsWith('tally.live.'));
  }

  it("streams only the key's project's deltas, with heartbeats, and unsubscribes on disconnect", async () => {
    const { client, res } = await SseClient.open(`${setup.gateway.base}/v1/live`, READ_P1);
    try {
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      await waitFor(async () => (await liveSubscriptions()).includes(SUBJECTS.live('p1')), {
        timeoutMs: 5_000,
        what: 'live subscription on the server',
      });
      setup.peer.publish(SUBJECTS.live('p2'), JSON.stringify(delta('p2', 1)));
      setup.peer.publish(SUBJECTS.live('p1'), JSON.stringify(delta('p1', 2)));
      setup.peer.publish(SUBJECTS.live('p1'), 'not json');
      setup.peer.publish(SUBJECTS.live('p1'), JSON.stringify(delta('p1', 3)));
      await waitFor(async () => client.deltas().length >= 2, { timeoutMs: 5_000, what: 'deltas' });
      assert.deepEqual(client.deltas(), [delta('p1', 2), delta('p1', 3)]);
      await waitFor(async () => client.text.includes(': ping\n\n'), {
        timeoutMs: 5_000,
        what: 'heartbeat',
      });
    } finally {
      await client.close();
    }
    await waitFor(async () => (await liveSubscriptions()).length === 0, {
      timeoutMs: 5_000,
      what: 'subscription dropped after disconnect',
    });
  });

  it('keeps one subscription per open stream and drops each as its client leaves', async () => {
    const a = await SseClient.open(`${setup.gateway.base}/v1/live`, READ_P1);
    const b = await SseClient.open(`${setup.gateway.base}/v1/live`, READ_P1);
    await waitFor(async () => (await liveSubscriptions()).length === 2, {
      timeoutMs: 5_000,
      what: 'two live subscriptions',
    });
    await a.client.close();
    await waitFor(async () => (await liveSubscriptions()).length === 1, {
      timeoutMs: 5_000,
      what: 'one live subscription left',
    });
    await b.client.close();
    await waitFor(async () => (await liveSubscriptions()).length === 0, {
      timeoutMs: 5_000,
      what: 'no live subscription left',
    });
  });

  it('ends open streams when the gateway shuts down, so shutdown does not hang', async () => {
    const second = await startGateway(setup.nats.url, {
      TALLY_API_KEYS: JSON.stringify([{ key: READ_P1, projectId: 'p1', kind: 'read' }]),
    });
    const { client, res } = await SseClient.open(`${second.base}/v1/live`, READ_P1);
    assert.equal(res.status, 200);
    await waitFor(async () => (await liveSubscriptions()).length === 1, {
      timeoutMs: 5_000,
      what: 'live subscription of the second gateway',
    });
    await second.close();
    await client.close();
    assert.deepEqual(await liveSubscriptions(), []);
  });

  it('refuses missing and non-read keys with the usual error body', async () => {
    const missing = await fetch(`${setup.gateway.base}/v1/live`);
    assert.equal(await errorCode(missing), '401 missing_key');
    const write = await SseClient.open(`${setup.gateway.base}/v1/live`, WRITE_P1);
    assert.equal(await errorCode(write.res), '403 wrong_key_kind');
    assert.deepEqual(await liveSubscriptions(), []);
  });
});
