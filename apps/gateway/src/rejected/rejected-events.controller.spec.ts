import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, SUBJECTS, type RejectedEvent } from '@tally/contracts';
import { errorCode } from '../test-support/gateway-under-test.js';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';

const READ_P1 = 'read_key_p1_for_rejected_01';
const READ_P2 = 'read_key_p2_for_rejected_01';
const READ_P3 = 'read_key_p3_for_rejected_01';
const WRITE_P1 = 'write_key_p1_for_rejected_1';

interface RejectedBody {
  rejected: Array<{ seq: number; requestId: string; index: number; receivedAt: string }>;
}

describe('GET /v1/rejected (TALLY_REJECTED on real NATS)', () => {
  let setup: GatewayWithStandIns;

  before(async () => {
    setup = await gatewayWithStandIns({
      TALLY_API_KEYS: JSON.stringify([
        { key: READ_P1, projectId: 'p1', kind: 'read' },
        { key: READ_P2, projectId: 'p2', kind: 'read' },
        { key: READ_P3, projectId: 'p3', kind: 'read' },
        { key: WRITE_P1, projectId: 'p1', kind: 'write' },
      ]),
    });
  });

  after(() => setup.close());

  const rejected = (key: string, query = '') =>
    fetch(`${setup.gateway.base}/v1/rejected${query}`, {
      headers: { authorization: `Bearer ${key}` },
    });

  async function requestIds(key: string, query = ''): Promise<string[]> {
    const res = await rejected(key, query);
    assert.equal(res.status, 200);
    return ((await res.json()) as RejectedBody).rejected.map((r) => r.requestId);
  }

  it('answers an empty list before ingest created the stream', async () => {
    assert.deepEqual(await requestIds(READ_P1), []);
  });

  it("returns only the key's project's newest rejections, newest first, up to ?limit", async () => {
    // The stream as ingest provisions it; ingest itself is not needed to fill it.
    const jsm = await jetstreamManager(setup.peer);
    await jsm.streams.add({
      name: STREAMS.rejected.name,
      subjects: [...STREAMS.rejected.subjects],
    });
    const js = jetstream(setup.peer);
    const record = (projectId: string, n: number): RejectedEvent => ({
      projectId,
      requestId: `${projectId}-${n}`,
      index: 0,
      receivedAt: Date.UTC(2026, 0, 1) + n,
      errors: [{ path: 'type', code: 'invalid_union', message: 'unknown event type' }],
      excerpt: '{"type":"hover"}',
    });
    // p1's rejections are a minority spread among p2's, as in a shared stream.
    const published: Promise<unknown>[] = [];
    for (let n = 0; n < 1_000; n++) {
      const projectId = n % 7 === 0 ? 'p1' : 'p2';
      published.push(
        js.publish(SUBJECTS.rejected(projectId), JSON.stringify(record(projectId, n))),
      );
    }
    await Promise.all(published);
    const p1All = Array.from({ length: 1_000 }, (_, n) => n)
      .filter((n) => n % 7 === 0)
      .map((n) => `p1-${n}`)
      .reverse();

    assert.deepEqual(await requestIds(READ_P1), p1All.slice(0, 50));
    assert.deepEqual(await requestIds(READ_P1, '?limit=7'), p1All.slice(0, 7));
    assert.deepEqual(await requestIds(READ_P1, '?limit=500'), p1All);
    const p2 = await requestIds(READ_P2, '?limit=500');
    assert.equal(p2.length, 500);
    assert.ok(p2.every((id) => id.startsWith('p2-')));
    assert.equal(p2[0], 'p2-999');
    assert.deepEqual(await requestIds(READ_P3), []);

    const body = (await (await rejected(READ_P1, '?limit=1')).json()) as RejectedBody;
    assert.equal(body.rejected[0]?.receivedAt, new Date(Date.UTC(2026, 0, 1) + 994).toISOString());
    // The probe and reader consumers are gone afterwards.
    assert.equal((await jsm.streams.info(STREAMS.rejected.name)).state.consumer_count, 0);
  });

  it('refuses bad limits and non-read keys with machine-readable errors', async () => {
    for (const q of ['?limit=0', '?limit=501', '?limit=abc']) {
      assert.equal(await errorCode(await rejected(READ_P1, q)), '400 invalid_query', q);
    }
    assert.equal(await errorCode(await rejected(WRITE_P1)), '403 wrong_key_kind');
    assert.equal(await errorCode(await rejected('unknown_key_0000000000')), '401 invalid_key');
  });
});
