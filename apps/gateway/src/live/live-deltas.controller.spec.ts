import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SUBJECTS, type RollupDelta } from '@tally/contracts';
import { waitFor } from '@tally/testkit';
import { errorCode, startGateway } from '../test-support/gateway-under-test.js';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';
import { SseClient } from '../test-support/sse-client.js';

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

  it('hands one delta to every stream of the project as the same frame, over one subscription', async () => {
    const streams = await Promise.all(
      Array.from({ length: 5 }, () => SseClient.open(`${setup.gateway.base}/v1/live`, READ_P1)),
    );
    const clients = streams.map((s) => s.client);
    try {
      assert.deepEqual(
        streams.map((s) => s.res.status),
        [200, 200, 200, 200, 200],
      );
      await waitFor(async () => (await liveSubscriptions()).length === 1, {
        timeoutMs: 5_000,
        what: 'the live subscription',
      });
      // NOTE: one subscription per project on the replica, however many streams follow it.
      assert.deepEqual(await liveSubscriptions(), [SUBJECTS.live('p1')]);
      setup.peer.publish(SUBJECTS.live('p1'), JSON.stringify(delta('p1', 7)));
      await waitFor(async () => clients.every((c) => c.deltaFrames().length === 1), {
        timeoutMs: 5_000,
        what: 'the delta on all five streams',
      });
      const frames = new Set(clients.map((c) => c.deltaFrames()[0]));
      assert.equal(frames.size, 1);
      assert.deepEqual(clients[0]?.deltas(), [delta('p1', 7)]);
      await Promise.all(clients.slice(1).map((c) => c.close()));
      assert.deepEqual(await liveSubscriptions(), [SUBJECTS.live('p1')]);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    await waitFor(async () => (await liveSubscriptions()).length === 0, {
      timeoutMs: 5_000,
      what: 'the subscription dropped with the last stream',
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
