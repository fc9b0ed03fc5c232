import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection as PeerConnection } from '@nats-io/transport-node';
import { NatsConnection } from '@tally/nats';
import { startNatsServer, waitFor, type NatsServerHandle } from '@tally/testkit';
import { startGateway, type GatewayUnderTest } from '../test-support/gateway-under-test.js';
import { clickBatch, standInServices } from '../test-support/service-stand-ins.js';

const RATE = 200;
const BURST = 50;
const SYNC_MS = 100;
/** Events per request. */
const COST = 50;
/** How late a peer's consumption may be seen: the sync interval plus scheduling on a busy box. */
const LAG_MS = SYNC_MS + 150;
const KEYS = [
  'write_key_shared_limit_01',
  'write_key_shared_limit_02',
  'write_key_shared_limit_03',
];

const limitEnv = (rate: number) => ({
  TALLY_API_KEYS: JSON.stringify(KEYS.map((key) => ({ key, projectId: 'p1', kind: 'write' }))),
  RATE_LIMIT_WRITE_EVENTS_PER_SECOND: String(rate),
  RATE_LIMIT_WRITE_BURST_EVENTS: String(BURST),
  RATE_LIMIT_SYNC_MS: String(SYNC_MS),
  INGEST_TIMEOUT_MS: '300',
});

const post = (gateway: GatewayUnderTest, key: string) =>
  fetch(`${gateway.base}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: clickBatch(COST),
  });

interface Run {
  admitted: number;
  offered: number;
  refusedBy: number[];
  seconds: number;
}

/** Sends one key's batches round-robin through the replicas, one at a time, for `ms`. */
async function drive(replicas: GatewayUnderTest[], key: string, ms: number): Promise<Run> {
  const run: Run = { admitted: 0, offered: 0, refusedBy: replicas.map(() => 0), seconds: 0 };
  const started = performance.now();
  for (let i = 0; performance.now() - started < ms; i++) {
    const replica = i % replicas.length;
    const res = await post(replicas[replica]!, key);
    await res.arrayBuffer();
    run.offered += COST;
    if (res.status === 202) run.admitted += COST;
    else {
      assert.equal(res.status, 429);
      run.refusedBy[replica]! += 1;
    }
  }
  run.seconds = (performance.now() - started) / 1_000;
  return run;
}

describe('rate limits shared by two gateway replicas on one real NATS', () => {
  let nats: NatsServerHandle;
  let peer: PeerConnection;
  let a: GatewayUnderTest;
  let b: GatewayUnderTest;

  before(async () => {
    nats = await startNatsServer();
    peer = await connect({ servers: nats.url });
    standInServices(peer);
    [a, b] = await Promise.all([
      startGateway(nats.url, limitEnv(RATE)),
      startGateway(nats.url, limitEnv(RATE)),
    ]);
  });

  after(async () => {
    await Promise.allSettled([a.close(), b.close()]);
    await peer.close();
    await nats.stop();
  });

  it('admits one global limit (within the sync bound), not one per replica', async (t) => {
    const run = await drive([a, b], KEYS[0]!, 2_000);
    const oneLimit = BURST + RATE * run.seconds;
    const bound = oneLimit + (2 - 1) * (BURST + (RATE * LAG_MS) / 1_000);
    const independent = 2 * oneLimit;
    const report = JSON.stringify({ ...run, oneLimit, bound, independent });
    t.diagnostic(report);
    assert.ok(run.offered > independent, `the load must exceed two separate limits: ${report}`);
    assert.ok(run.admitted <= bound, `over the documented bound: ${report}`);
    assert.ok(run.admitted < 0.75 * independent, `as much as separate limits: ${report}`);
    assert.ok(run.admitted >= 0.5 * RATE * run.seconds, `far below the rate: ${report}`);
    assert.ok(
      run.refusedBy.every((n) => n > 0),
      `each replica refuses: ${report}`,
    );
  });

  it('keeps limiting, and admitting at the rate, when its peer goes silent', async (t) => {
    await drive([a, b], KEYS[1]!, 300);
    await b.close();
    const run = await drive([a], KEYS[1]!, 1_500);
    const report = JSON.stringify(run);
    t.diagnostic(report);
    assert.ok(run.admitted <= BURST + RATE * run.seconds, `over one replica's limit: ${report}`);
    assert.ok(run.admitted >= 0.5 * RATE * run.seconds, `stalled: ${report}`);
    assert.ok(run.refusedBy[0]! > 0, `never refused: ${report}`);
  });

  it('refuses a key over its limit while NATS is down, without waiting on NATS', async () => {
    // A slow refill, so that the first (admitted) request's ingest timeout cannot refill it.
    const slow = await startGateway(nats.url, limitEnv(1));
    try {
      await nats.kill();
      await waitFor(async () => !slow.app.get(NatsConnection).isConnected(), {
        timeoutMs: 5_000,
        what: 'the gateway to notice NATS is gone',
      });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(slow, KEYS[2]!)).status);
      assert.deepEqual(statuses, [503, 429, 429], 'admitted (ingest unreachable), then limited');
    } finally {
      await nats.restart();
      await waitFor(async () => slow.app.get(NatsConnection).isConnected(), {
        timeoutMs: 10_000,
        what: 'the gateway to reconnect',
      });
      await slow.close();
    }
  });
});
