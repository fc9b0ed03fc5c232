import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ApiErrorBody, TrackReply } from '@tally/contracts';
import {
  startNatsServer,
  startServiceProcess,
  type AppProcessHandle,
  type NatsServerHandle,
} from '@tally/testkit';
import {
  errorCode,
  startGateway,
  type GatewayUnderTest,
} from '../test-support/gateway-under-test.js';
import { fuzzRequest, mustBeRefused, type FuzzRequest } from '../test-support/hostile-requests.js';

const WRITE = 'write_key_for_fuzz_tests_001';
const RUNS = 2_000;
/** A request that takes longer than this counts as a hang. */
const REQUEST_TIMEOUT_MS = 10_000;

/** The events of a body the gateway could read as JSON (one event, or the batch's list). */
function eventsOf(request: FuzzRequest): unknown[] {
  const body: unknown = JSON.parse(
    typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString(),
  );
  const events = (body as { events?: unknown }).events;
  return Array.isArray(events) ? events : [body];
}

describe('POST /v1/events under random and hostile bodies (real gateway, ingest, JetStream)', () => {
  let nats: NatsServerHandle;
  let ingest: AppProcessHandle;
  let ingestReady: string;
  let gateway: GatewayUnderTest;
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  const outcomes = new Map<string, number>();

  before(async () => {
    nats = await startNatsServer();
    const started = await startServiceProcess('ingest', {
      env: { NATS_URL: nats.url, LOG_LEVEL: 'warn', TALLY_PARTITIONS: '2' },
    });
    ingest = started.handle;
    ingestReady = started.readyUrl;
    gateway = await startGateway(nats.url, {
      TALLY_API_KEYS: JSON.stringify([{ key: WRITE, projectId: 'fuzz', kind: 'write' }]),
    });
  });

  after(async () => {
    await gateway?.close();
    await ingest?.kill();
    await nats?.stop();
  });

  const send = (request: FuzzRequest) =>
    fetch(`${gateway.base}/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${WRITE}`,
        ...(request.contentType === undefined ? {} : { 'content-type': request.contentType }),
      },
      body: request.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });

  async function checkAnswer(request: FuzzRequest): Promise<void> {
    const res = await send(request);
    const text = await res.text();
    if (res.status === 202) {
      const reply = TrackReply.parse(JSON.parse(text));
      const events = eventsOf(request);
      assert.equal(reply.accepted + reply.rejected.length, events.length, text);
      const indexes = new Set(reply.rejected.map((r) => r.index));
      assert.equal(indexes.size, reply.rejected.length, 'one rejection per event');
      assert.ok(
        [...indexes].every((i) => i < events.length),
        'rejections point into the request',
      );
      events.forEach((event, i) => {
        if (mustBeRefused(event)) assert.ok(indexes.has(i), `event ${i} must be refused: ${text}`);
      });
      const key = reply.rejected.length === 0 ? '202 all accepted' : '202 some rejected';
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      return;
    }
    assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${text.slice(0, 300)}`);
    const body = ApiErrorBody.parse(JSON.parse(text));
    const key = `${res.status} ${body.error.code}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }

  it(`answers ${RUNS} random bodies with a 202 that accounts for every event or a 4xx error body`, async (t) => {
    const seed = Date.now() ^ (Math.random() * 0x7fffffff);
    t.diagnostic(`fast-check seed ${seed}`);
    await fc.assert(fc.asyncProperty(fuzzRequest, checkAnswer), { numRuns: RUNS, seed });
    t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
    assert.ok((outcomes.get('202 all accepted') ?? 0) > RUNS / 20, 'valid batches were generated');
    assert.ok(
      (outcomes.get('202 some rejected') ?? 0) > RUNS / 20,
      'invalid events were generated',
    );
  });

  it('refuses a body nested 5,000 levels deep with 400 too_deep (it used to be a 500)', async () => {
    const deep = '['.repeat(5_000) + ']'.repeat(5_000);
    const body = `{"events":[{"type":"custom","name":"n","userId":"u","properties":{"deep":${deep}}}]}`;
    assert.equal(
      await errorCode(await send({ contentType: 'application/json', body })),
      '400 too_deep',
    );
  });

  it('leaves both services healthy, Object.prototype clean, and a valid batch accepted', async () => {
    assert.equal((await fetch(`${gateway.base}/readyz`)).status, 200);
    assert.equal((await fetch(ingestReady)).status, 200);
    const metrics = await (await fetch(new URL('/metrics', ingestReady))).text();
    for (const code of ['unstorable_text', 'reserved_key']) {
      const line = new RegExp(
        `^tally_ingest_rejected_events_total\\{code="${code}"\\} (\\d+)$`,
        'm',
      );
      assert.ok(Number(line.exec(metrics)?.[1] ?? 0) > 0, `ingest counted ${code} rejections`);
    }
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys);
    for (const key in {}) assert.fail(`Object.prototype gained an enumerable ${key}`);
    const events = [
      { id: randomUUID(), type: 'click', userId: 'u1', properties: { element: 'buy' } },
      { id: randomUUID(), type: 'page_view', userId: 'u2', properties: { path: '/' } },
      {
        id: randomUUID(),
        type: 'purchase',
        userId: 'u3',
        properties: { orderId: 'o1', amount: 9.5, currency: 'EUR' },
      },
    ];
    const res = await send({ contentType: 'application/json', body: JSON.stringify({ events }) });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { accepted: 3, rejected: [] });
  });
});
