import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@tally/testkit';
import { FakeGateway } from './testing/fake-gateway.js';
import { click, recordingClient } from './testing/recording-client.js';

const ids = (events: Array<{ id: string }>) => events.map((event) => event.id);

describe('Tally client against a local HTTP server', () => {
  let gateway: FakeGateway;
  before(async () => {
    gateway = await new FakeGateway().start();
  });
  after(async () => {
    await gateway.stop();
  });
  const fresh = () => {
    gateway.requests.length = 0;
    return gateway;
  };

  test('sends a batch as soon as flushAt events are queued, the rest on flush()', async () => {
    const server = fresh();
    const { tally } = recordingClient({
      endpoint: `${server.url}/`,
      flushAt: 3,
      flushIntervalMs: 60_000,
    });
    const tracked = Array.from({ length: 7 }, (_, i) => tally.track(click(`u${i}`)));
    await waitFor(async () => server.requests.length === 2, {
      timeoutMs: 5000,
      what: 'two full batches',
    });
    assert.deepEqual(
      server.requests.map((r) => r.events.length),
      [3, 3],
    );
    await tally.shutdown();
    assert.deepEqual(
      server.requests.map((r) => r.events.length),
      [3, 3, 1],
    );
    assert.deepEqual(
      server.requests.flatMap((r) => ids(r.events)),
      tracked,
    );
    assert.equal(server.requests[0]?.authorization, 'Bearer test-write-key');
    assert.equal(server.requests[0]?.path, '/v1/events');
    for (const event of server.requests.flatMap((r) => r.events)) {
      assert.ok(!Number.isNaN(Date.parse(event.timestamp)), 'every event carries a timestamp');
    }
  });

  test('cuts batches so that no request body exceeds 1 MiB', async () => {
    const server = fresh();
    const { tally } = recordingClient({
      endpoint: server.url,
      flushAt: 500,
      flushIntervalMs: 60_000,
    });
    const blob = 'x'.repeat(30_000);
    for (let i = 0; i < 40; i++) tally.track(click(`u${i}`, blob));
    await tally.shutdown();
    assert.equal(server.requests.flatMap((r) => r.events).length, 40);
    assert.ok(server.requests.length >= 2, `${server.requests.length} request(s) for ~1.2 MB`);
    for (const request of server.requests) {
      assert.ok(request.bodyBytes <= 1024 * 1024, `a body of ${request.bodyBytes} bytes`);
    }
  });

  test('sends a partial batch flushIntervalMs after its first event', async () => {
    const server = fresh();
    const { tally } = recordingClient({ endpoint: server.url, flushAt: 100, flushIntervalMs: 150 });
    const trackedAt = Date.now();
    tally.track(click('u1'));
    tally.track(click('u2'));
    await waitFor(async () => server.requests.length === 1, {
      timeoutMs: 5000,
      what: 'the timed batch',
    });
    const waited = (server.requests[0]?.at ?? 0) - trackedAt;
    assert.ok(waited >= 140, `sent after ${waited} ms, before the interval`);
    assert.equal(server.requests[0]?.events.length, 2);
    await tally.shutdown();
    assert.equal(server.requests.length, 1, 'nothing left to send');
  });

  test('a 503 with Retry-After is retried no sooner, with the same batch', async () => {
    const server = fresh();
    server.answerNext({
      status: 503,
      headers: { 'retry-after': '1' },
      body: { error: { code: 'not_stored', message: 'retry' } },
    });
    const { tally, retries, batches } = recordingClient({
      endpoint: server.url,
      flushAt: 3,
      retryBaseMs: 1,
    });
    for (let i = 0; i < 3; i++) tally.track(click(`u${i}`));
    await tally.flush();
    assert.equal(server.requests.length, 2, 'flush resolved only after the acknowledgement');
    const [first, second] = server.requests;
    assert.ok(first && second);
    const gap = second.at - first.at;
    assert.ok(gap >= 990, `retried after ${gap} ms despite Retry-After: 1`);
    assert.deepEqual(ids(second.events), ids(first.events));
    assert.deepEqual(second.events, first.events, 'the very same events, in the same order');
    assert.deepEqual(
      retries.map((r) => r.reason),
      ['503'],
    );
    assert.deepEqual(
      batches.map((b) => [b.outcome, b.accepted, b.attempts]),
      [['acknowledged', 3, 2]],
    );
  });

  test('429 and 500 are retried; a dropped connection is retried with the same ids', async () => {
    const server = fresh();
    server.answerNext(
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 500 },
      { drop: true },
    );
    const { tally, retries, errors } = recordingClient({ endpoint: server.url, retryBaseMs: 5 });
    tally.track(click('u1'));
    tally.track(click('u2'));
    await tally.flush();
    assert.equal(server.requests.length, 4);
    const first = ids(server.requests[0]?.events ?? []);
    for (const request of server.requests) assert.deepEqual(ids(request.events), first);
    assert.deepEqual(
      retries.map((r) => r.reason),
      ['429', '500', 'network'],
    );
    assert.deepEqual(errors, []);
  });

  test('a 400 is reported with its code and never retried', async () => {
    const server = fresh();
    server.answerNext({
      status: 400,
      body: { error: { code: 'invalid_body', message: 'events must be an array' } },
    });
    const { tally, errors, retries } = recordingClient({ endpoint: server.url, retryBaseMs: 1 });
    const id = tally.track(click('u1'));
    await tally.flush();
    assert.equal(server.requests.length, 1);
    assert.equal(retries.length, 0);
    const [error] = errors;
    assert.ok(error?.kind === 'refused', `got ${JSON.stringify(error)}`);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_body');
    assert.deepEqual(ids(error.events), [id]);
    await tally.shutdown();
    assert.equal(server.requests.length, 1, 'the refused batch was dropped');
  });

  test('per-event rejections in a 202 are surfaced with their event and not retried', async () => {
    const server = fresh();
    const errorsOf = [{ path: 'properties.amount', code: 'too_small', message: 'must be >= 0' }];
    server.answerNext({
      status: 202,
      body: { accepted: 1, rejected: [{ index: 1, errors: errorsOf }] },
    });
    const { tally, rejections, batches } = recordingClient({ endpoint: server.url });
    tally.track(click('u1'));
    const badId = tally.track({
      type: 'purchase',
      userId: 'u2',
      properties: { orderId: 'o1', amount: -1, currency: 'EUR' },
    });
    await tally.flush();
    assert.equal(server.requests.length, 1);
    assert.equal(rejections.length, 1);
    assert.equal(rejections[0]?.event.id, badId);
    assert.deepEqual(rejections[0]?.errors, errorsOf);
    assert.deepEqual(
      batches.map((b) => [b.accepted, b.rejected]),
      [[1, 1]],
    );
  });

  test('shutdown delivers everything once, with concurrent requests, and closes the client', async () => {
    const server = fresh();
    const { tally, errors } = recordingClient({
      endpoint: server.url,
      flushAt: 10,
      flushIntervalMs: 60_000,
      maxConcurrentRequests: 3,
    });
    const tracked = Array.from({ length: 95 }, (_, i) => tally.track(click(`u${i % 7}`)));
    await tally.shutdown();
    const received = server.requests.flatMap((r) => ids(r.events));
    assert.equal(received.length, 95);
    assert.deepEqual(new Set(received), new Set(tracked));
    assert.equal(tally.queueSize, 0);
    assert.equal(tally.track(click('late')), undefined);
    assert.deepEqual(
      errors.map((e) => e.kind),
      ['closed'],
    );
  });

  test('a full queue reports an overflow instead of growing', async () => {
    const server = fresh();
    const { tally, errors } = recordingClient({
      endpoint: server.url,
      maxQueueSize: 5,
      flushAt: 100,
    });
    const tracked = Array.from({ length: 7 }, (_, i) => tally.track(click(`u${i}`)));
    assert.equal(tracked.filter((id) => id === undefined).length, 2);
    assert.deepEqual(
      errors.map((e) => e.kind),
      ['overflow', 'overflow'],
    );
    assert.equal(tally.queueSize, 5);
    await tally.shutdown();
    assert.equal(server.requests.flatMap((r) => r.events).length, 5);
  });

  test('gives up after maxRetries and reports the dropped batch', async () => {
    const server = fresh();
    server.answerNext({ status: 503 }, { status: 503 }, { status: 503 });
    const { tally, errors } = recordingClient({
      endpoint: server.url,
      maxRetries: 2,
      retryBaseMs: 1,
    });
    tally.track(click('u1'));
    await tally.flush();
    assert.equal(server.requests.length, 3);
    const [error] = errors;
    assert.ok(error?.kind === 'gave_up', `got ${JSON.stringify(error)}`);
    assert.equal(error.attempts, 3);
    assert.equal(error.events.length, 1);
  });

  test('invalid events are reported and never sent', async () => {
    const server = fresh();
    const { tally, errors } = recordingClient({ endpoint: server.url });
    // @ts-expect-error: a custom event without a name, as untyped JavaScript could send it
    assert.equal(tally.track({ type: 'custom', userId: 'u1' }), undefined);
    await tally.shutdown();
    assert.equal(server.requests.length, 0);
    assert.deepEqual(
      errors.map((e) => e.kind),
      ['invalid_event'],
    );
  });
});
