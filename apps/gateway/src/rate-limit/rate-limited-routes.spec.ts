import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiErrorBody } from '@tally/contracts';
import { waitFor } from '@tally/testkit';
import { errorCode } from '../test-support/gateway-under-test.js';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';
import { clickBatch } from '../test-support/service-stand-ins.js';

const WRITE = [
  'write_key_rate_limit_0001',
  'write_key_rate_limit_0002',
  'write_key_rate_limit_0003',
  'write_key_rate_limit_0004',
];
const READ = ['read_key_rate_limit_00001', 'read_key_rate_limit_00002'];

describe('rate-limited routes (one gateway on real NATS)', () => {
  let setup: GatewayWithStandIns;

  before(async () => {
    const keys = [
      ...WRITE.map((key) => ({ key, projectId: 'p1', kind: 'write' })),
      ...READ.map((key) => ({ key, projectId: 'p1', kind: 'read' })),
    ];
    setup = await gatewayWithStandIns({
      TALLY_API_KEYS: JSON.stringify(keys),
      RATE_LIMIT_WRITE_EVENTS_PER_SECOND: '4',
      RATE_LIMIT_WRITE_BURST_EVENTS: '20',
      RATE_LIMIT_READ_REQUESTS_PER_SECOND: '1',
      RATE_LIMIT_READ_BURST: '3',
    });
  });

  after(() => setup.close());

  const post = (key: string, events: number, prefix = '') =>
    fetch(`${setup.gateway.base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: prefix + clickBatch(events),
    });
  const read = (
    key: string,
    path = '/v1/metrics?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z',
  ) => fetch(`${setup.gateway.base}${path}`, { headers: { authorization: `Bearer ${key}` } });

  it('charges a write key per event: 202 up to the burst, then 429 with Retry-After', async () => {
    for (const expected of [15, 10, 5, 0]) {
      const res = await post(WRITE[0]!, 5);
      assert.equal(res.status, 202);
      assert.equal(res.headers.get('ratelimit-limit'), '20');
      // NOTE: the bucket refills 4 tokens/s while the requests run; a slow machine may see one more.
      const remaining = Number(res.headers.get('ratelimit-remaining'));
      assert.ok(remaining === expected || remaining === expected + 1, `${remaining} ~ ${expected}`);
    }

    const refused = await post(WRITE[0]!, 5);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '2', '5 events at 4/s');
    const body: unknown = await refused.json();
    assert.ok(ApiErrorBody.safeParse(body).success, 'the public error shape');
    assert.deepEqual(body, {
      error: {
        code: 'rate_limited',
        message: 'this key is over its rate limit of 4 events/s',
        details: [{ message: 'retry in 2 s', retryAfterSeconds: 2 }],
      },
    });

    assert.equal((await post(WRITE[1]!, 20)).status, 202, 'another key has its own bucket');
    const big = await post(WRITE[1]!, 20);
    assert.equal(big.status, 429);
    assert.equal(big.headers.get('retry-after'), '5', '20 events at 4/s');

    await waitFor(async () => (await post(WRITE[0]!, 5)).status === 202, {
      timeoutMs: 3_000,
      what: 'the first key to be admitted again after refilling',
    });
  });

  it('admits concurrent batches that fit the burst together, and no more', async () => {
    const statuses = await Promise.all(
      [5, 5, 5, 5].map(async (n) => (await post(WRITE[2]!, n)).status),
    );
    assert.deepEqual(statuses, [202, 202, 202, 202]);
    assert.equal((await post(WRITE[2]!, 5)).status, 429);
  });

  it('counts a body as ingest reads it: a byte-order mark does not make a batch cheap', async () => {
    const res = await post(WRITE[3]!, 20, '\uFEFF');
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { accepted: 20, rejected: [] });
    assert.equal((await post(WRITE[3]!, 1)).status, 429, 'the 20 events were charged');
  });

  it('charges a read key per request on metrics, rejected events and live connects', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await read(READ[0]!)).status, 200);
    const refused = await read(READ[0]!);
    assert.equal(await errorCode(refused), '429 rate_limited');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(await errorCode(await read(READ[0]!, '/v1/live')), '429 rate_limited');
    assert.equal(await errorCode(await read(READ[0]!, '/v1/rejected')), '429 rate_limited');
    assert.equal((await read(READ[1]!)).status, 200, 'another read key is unaffected');
  });

  it('refuses bad keys with 401/403, not 429', async () => {
    assert.equal(await errorCode(await post('unknown_key_0000000001', 1)), '401 invalid_key');
    assert.equal(await errorCode(await post(READ[1]!, 1)), '403 wrong_key_kind');
    assert.equal(await errorCode(await read(WRITE[1]!)), '403 wrong_key_kind');
  });

  it('counts refusals by key kind on /metrics', async () => {
    const text = await (await fetch(`${setup.gateway.base}/metrics`)).text();
    const count = (kind: string) =>
      Number(
        new RegExp(`tally_gateway_rate_limited_total\\{kind="${kind}"\\} (\\d+)`).exec(text)?.[1],
      );
    assert.ok(count('write') >= 2, text);
    assert.ok(count('read') >= 3, text);
  });
});
