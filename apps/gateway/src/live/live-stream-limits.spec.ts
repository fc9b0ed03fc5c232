import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SUBJECTS, type RollupDelta } from '@tally/contracts';
import { waitFor } from '@tally/testkit';
import {
  errorCode,
  startGateway,
  TEST_ADMIN_TOKEN,
  type GatewayUnderTest,
} from '../test-support/gateway-under-test.js';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';
import { SseClient } from '../test-support/sse-client.js';

const READ_A = 'read_key_a_for_live_limits_1';
const READ_B = 'read_key_b_for_live_limits_1';
const READ_C = 'read_key_c_for_live_limits_1';

const delta = (projectId: string, seq: number): RollupDelta => ({
  projectId,
  partition: 0,
  seq,
  rows: [
    { type: 'click', dimension: 'buy', bucket: Date.UTC(2026, 0, 1), count: 1, revenueMicros: {} },
  ],
});

const LIMITS = { LIVE_MAX_STREAMS_PER_KEY: '2', LIVE_MAX_STREAMS: '3' };
const STATIC_KEYS = JSON.stringify([
  { key: READ_A, projectId: 'p1', kind: 'read' },
  { key: READ_B, projectId: 'p1', kind: 'read' },
  { key: READ_C, projectId: 'p2', kind: 'read' },
]);

describe('GET /v1/live: stream limits, revoked keys and stream lifetime (real NATS)', () => {
  let setup: GatewayWithStandIns;
  const opened: SseClient[] = [];

  before(async () => {
    setup = await gatewayWithStandIns({ ...LIMITS, TALLY_API_KEYS: STATIC_KEYS });
  });

  after(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await setup.close();
  });

  async function open(key: string, gw: GatewayUnderTest = setup.gateway) {
    const opening = await SseClient.open(`${gw.base}/v1/live`, key);
    if (opening.res.ok) opened.push(opening.client);
    return opening;
  }

  /** Opens a stream once this replica has seen a slot freed by a client that left. */
  async function openOnceFreed(key: string): Promise<SseClient> {
    let client: SseClient | undefined;
    await waitFor(
      async () => {
        const opening = await open(key);
        if (opening.res.ok) client = opening.client;
        else await opening.res.body?.cancel();
        return opening.res.ok;
      },
      { timeoutMs: 5_000, what: 'a freed stream slot' },
    );
    return client as SseClient;
  }

  async function metric(line: RegExp): Promise<number> {
    const text = await (await fetch(`${setup.gateway.base}/metrics`)).text();
    const match = text.split('\n').find((l) => line.test(l));
    return Number(match?.split(' ').at(-1) ?? Number.NaN);
  }

  async function closeAll(): Promise<void> {
    await Promise.all(opened.splice(0).map((c) => c.close()));
    await waitFor(async () => (await metric(/^tally_gateway_live_streams /)) === 0, {
      timeoutMs: 5_000,
      what: 'every stream closed on the gateway',
    });
  }

  it('refuses a key more streams than its cap with 429, while its open streams keep streaming', async () => {
    const refusedBefore = await metric(
      /^tally_gateway_live_streams_refused_total\{reason="key_limit"\}/,
    );
    const a1 = await open(READ_A);
    const a2 = await open(READ_A);
    assert.equal(a1.res.status, 200);
    assert.equal(a2.res.status, 200);
    const a3 = await open(READ_A);
    assert.equal(a3.res.status, 429);
    assert.equal(a3.res.headers.get('retry-after'), '1');
    assert.deepEqual(await a3.res.json(), {
      error: {
        code: 'too_many_streams',
        message: 'this key already has 2 open streams on this server',
        details: [{ message: 'close one of its streams first', scope: 'key', limit: 2 }],
      },
    });
    assert.equal(
      await metric(/^tally_gateway_live_streams_refused_total\{reason="key_limit"\}/),
      refusedBefore + 1,
    );
    assert.equal(await metric(/^tally_gateway_live_streams /), 2);

    setup.peer.publish(SUBJECTS.live('p1'), JSON.stringify(delta('p1', 1)));
    await waitFor(async () => a1.client.deltas().length === 1 && a2.client.deltas().length === 1, {
      timeoutMs: 5_000,
      what: 'the delta on both admitted streams',
    });
    assert.deepEqual(a1.client.deltas(), [delta('p1', 1)]);

    await a1.client.close();
    const again = await openOnceFreed(READ_A);
    setup.peer.publish(SUBJECTS.live('p1'), JSON.stringify(delta('p1', 2)));
    await waitFor(async () => again.deltas().length === 1 && a2.client.deltas().length === 2, {
      timeoutMs: 5_000,
      what: 'the next delta on the reopened and the old stream',
    });
    await closeAll();
  });

  it('refuses any key once the replica holds its cap of streams, with Retry-After', async () => {
    await open(READ_A);
    await open(READ_A);
    const b1 = await open(READ_B);
    assert.equal(b1.res.status, 200);
    const c1 = await open(READ_C);
    assert.equal(c1.res.status, 429);
    assert.equal(c1.res.headers.get('retry-after'), '1');
    assert.deepEqual(await c1.res.json(), {
      error: {
        code: 'too_many_streams',
        message: 'this server holds its limit of 3 open streams',
        details: [{ message: 'retry in 1 s', scope: 'replica', limit: 3 }],
      },
    });
    assert.equal(
      await metric(/^tally_gateway_live_streams_refused_total\{reason="replica_limit"\}/),
      1,
    );

    await b1.client.close();
    const c2 = await openOnceFreed(READ_C);
    setup.peer.publish(SUBJECTS.live('p2'), JSON.stringify(delta('p2', 3)));
    await waitFor(async () => c2.deltas().length === 1, { timeoutMs: 5_000, what: 'p2 delta' });
    await closeAll();
  });

  it("closes a revoked key's streams on every replica, and only those", async () => {
    const replicaB = await startGateway(setup.nats.url, { TALLY_API_KEYS: STATIC_KEYS });
    try {
      const admin = (gw: GatewayUnderTest, method: string, path: string, body?: unknown) =>
        fetch(`${gw.base}/v1/admin/projects${path}`, {
          method,
          headers: {
            authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const project = (await (await admin(setup.gateway, 'POST', '', { name: 'Live' })).json()) as {
        id: string;
      };
      const issue = async () =>
        (await (
          await admin(setup.gateway, 'POST', `/${project.id}/keys`, { kind: 'read' })
        ).json()) as { key: string; keyId: string };
      const doomed = await issue();
      const kept = await issue();
      let onB: SseClient | undefined;
      await waitFor(
        async () => {
          const opening = await open(doomed.key, replicaB);
          if (opening.res.ok) onB = opening.client;
          return opening.res.ok;
        },
        { timeoutMs: 5_000, what: 'the new key on replica B' },
      );
      const onA = await open(doomed.key);
      const other = await open(kept.key);
      assert.equal(onA.res.status, 200);
      assert.equal(other.res.status, 200);

      const res = await admin(setup.gateway, 'DELETE', `/${project.id}/keys/${doomed.keyId}`);
      assert.equal(res.status, 200);
      await waitFor(async () => onA.client.ended && !!onB?.ended, {
        timeoutMs: 5_000,
        what: "the revoked key's streams to end on both replicas",
      });
      assert.match(onA.client.text, /: closing: key revoked\n\n$/);
      setup.peer.publish(SUBJECTS.live(project.id), JSON.stringify(delta(project.id, 4)));
      await waitFor(async () => other.client.deltas().length === 1, {
        timeoutMs: 5_000,
        what: "the other key's stream to go on",
      });
      assert.equal(other.client.ended, false);
      assert.deepEqual(onA.client.deltas(), []);
      assert.equal(await errorCode((await open(doomed.key)).res), '401 invalid_key');
    } finally {
      await Promise.all(opened.splice(0).map((c) => c.close()));
      await replicaB.close();
    }
  });

  it('ends a stream cleanly after its maximum lifetime, with a reconnect hint, and lets it reconnect', async () => {
    const short = await startGateway(setup.nats.url, {
      TALLY_API_KEYS: STATIC_KEYS,
      LIVE_MAX_STREAM_LIFETIME_MS: '300',
    });
    try {
      const first = await open(READ_A, short);
      assert.equal(first.res.status, 200);
      await waitFor(async () => first.client.ended, {
        timeoutMs: 5_000,
        what: 'the lifetime close',
      });
      assert.match(first.client.text, /^retry: \d+\n/);
      assert.match(first.client.text, /: closing: max lifetime reached\n\n$/);
      const second = await open(READ_A, short);
      assert.equal(second.res.status, 200);
      await waitFor(async () => second.client.ended, {
        timeoutMs: 5_000,
        what: 'the second close',
      });
    } finally {
      await Promise.all(opened.splice(0).map((c) => c.close()));
      await short.close();
    }
  });
});
