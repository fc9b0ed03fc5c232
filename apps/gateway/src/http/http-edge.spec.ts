import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { waitFor } from '@tally/testkit';
import { register } from 'prom-client';
import { errorCode } from '../test-support/gateway-under-test.js';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';
import {
  openSocket as connectTo,
  rawExchange,
  readResponse,
  socketClosed,
  type RawResponse,
} from '../test-support/raw-http.js';

const WRITE = 'write_key_for_tests_0001';
const READ = 'read_key_for_tests_00001';
const KEYS = JSON.stringify([
  { key: WRITE, projectId: 'p1', kind: 'write' },
  { key: READ, projectId: 'p1', kind: 'read' },
]);
const EVENT = '{"type":"click","userId":"u1","properties":{}}';
const EVENTS = `{"events":[${EVENT},${EVENT}]}`;

/** Short timeouts, so that the hostile clients of issue 12 are cut off quickly. */
const SHORT_TIMEOUTS = {
  TALLY_API_KEYS: KEYS,
  HTTP_HEADERS_TIMEOUT_MS: '300',
  HTTP_REQUEST_TIMEOUT_MS: '600',
  HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
  HTTP_IDLE_TIMEOUT_MS: '1000',
  LIVE_HEARTBEAT_MS: '200',
  INGEST_TIMEOUT_MS: '500',
  QUERY_TIMEOUT_MS: '500',
};

/** The API's error body, and nothing else: `{ error: { code, message, details? } }`. */
function assertApiError(response: RawResponse, status: number, code: string): void {
  assert.equal(response.status, status, response.body);
  assert.match(response.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['error'], response.body);
  const error = body.error as Record<string, unknown>;
  assert.equal(error.code, code, response.body);
  assert.equal(typeof error.message, 'string');
  assert.ok(!JSON.stringify(body).includes('FST_'), response.body);
}

const request = (head: string, body = '') =>
  `${head}\r\nHost: gateway\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const opened: Socket[] = [];
/** A raw connection that is destroyed after the test, whatever its outcome. */
async function openSocket(base: string): Promise<Socket> {
  const socket = await connectTo(base);
  opened.push(socket);
  return socket;
}
afterEach(() => {
  for (const socket of opened.splice(0)) socket.destroy();
});

/** Writes one byte every 50 ms until the connection is closed. */
function trickle(socket: Socket): void {
  const timer = setInterval(() => {
    if (socketClosed(socket)) clearInterval(timer);
    else socket.write('x');
  }, 50);
}

/**
 * A counter or gauge the gateway serves on `/metrics`, for the labels given, read from the
 * registry in this process: a request for it would be one more connection.
 */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = (await register.getSingleMetric(name)?.get())?.values ?? [];
  const matches = (l: object) =>
    Object.entries(labels).every(([k, v]) => l[k as keyof object] === v);
  return values.filter((v) => matches(v.labels)).reduce((sum, v) => sum + v.value, 0);
}

/** How many requests the gateway refused with `code` before routing, by its `/metrics`. */
const refusals = (code: string) => metric('tally_gateway_http_requests_refused_total', { code });

describe('the gateway HTTP edge against slow, idle and hostile clients (issue 12: 3, 9, 13, 14)', () => {
  let setup: GatewayWithStandIns;
  let base: string;

  before(async () => {
    setup = await gatewayWithStandIns(SHORT_TIMEOUTS);
    base = setup.gateway.base;
  });
  after(() => setup.close());

  const track = (headers: Record<string, string>, body: string | Uint8Array = EVENT) =>
    fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE}`, 'content-type': 'application/json', ...headers },
      body,
    });

  it('closes idle, trickling and stalled connections in time while serving other clients', async () => {
    const timedOut = (reason: string) =>
      metric('tally_gateway_http_connections_closed_total', { reason });
    const before = { request: await timedOut('request_timeout'), idle: await timedOut('idle') };
    // Connects and says nothing.
    const idle = await openSocket(base);
    // Never finishes its headers, one byte at a time.
    const slowHeaders = await openSocket(base);
    slowHeaders.write('POST /v1/events HTTP/1.1\r\nHost: gateway\r\nX-Slow: ');
    trickle(slowHeaders);
    // A valid key and a 1 MiB body that arrives one byte at a time.
    const slowBody = await openSocket(base);
    slowBody.write(
      `POST /v1/events HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${WRITE}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\n',
    );
    trickle(slowBody);
    // A finished keep-alive request, then silence.
    const keptAlive = await openSocket(base);
    const healthz = await readResponse(keptAlive, () =>
      keptAlive.write('GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n'),
    );
    assert.equal(healthz.status, 200);

    const served = await track({});
    assert.equal(served.status, 202, await served.text());

    const sockets = { idle, slowHeaders, slowBody, keptAlive };
    await waitFor(async () => Object.values(sockets).every(socketClosed), {
      timeoutMs: 5_000,
      what: `closed: ${Object.entries(sockets)
        .map(([k, s]) => `${k}=${socketClosed(s)}`)
        .join()}`,
    });
    assert.ok((await timedOut('request_timeout')) >= before.request + 2, 'request timeouts');
    assert.ok((await timedOut('idle')) >= before.idle + 1, 'idle timeouts');
  });

  // NOTE: a gateway that waits for the body never answers; the test's timeout says so.
  it(
    'refuses POST /v1/events without a valid key before reading its body',
    { timeout: 10_000 },
    async () => {
      for (const [authorization, code] of [
        ['', 'missing_key'],
        ['Authorization: Bearer not_a_key_of_any_project\r\n', 'invalid_key'],
        [`Authorization: Bearer ${READ}\r\n`, 'wrong_key_kind'],
      ] as const) {
        const socket = await openSocket(base);
        // Announces 1 MiB and sends none of it: the answer cannot wait for the body.
        const response = await readResponse(socket, () =>
          socket.write(
            `POST /v1/events HTTP/1.1\r\nHost: gateway\r\n${authorization}` +
              'Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\n',
          ),
        );
        assertApiError(response, code === 'wrong_key_kind' ? 403 : 401, code);
        assert.equal(response.headers.connection, 'close');
      }
    },
  );

  it('refuses NUL and other control characters in paths, query strings and headers with 400', async () => {
    const read = `Authorization: Bearer ${READ}`;
    const counted = { invalid: await refusals('invalid_characters') };
    const refused = [
      `GET /v1/alerts/%00 HTTP/1.1\r\n${read}`,
      `GET /v1/metrics?type=click&name=%00 HTTP/1.1\r\n${read}`,
      `GET /v1/metrics?type=click&na%00me=x HTTP/1.1\r\n${read}`,
      `GET /v1/rejected?limit=1%0a2 HTTP/1.1\r\n${read}`,
    ];
    for (const head of refused) {
      assertApiError(await rawExchange(base, request(head)), 400, 'invalid_characters');
    }
    assert.equal(await refusals('invalid_characters'), counted.invalid + refused.length);
    // Node's HTTP parser refuses them in header values, before any route.
    for (const header of ['X-Trace: a\x01b', 'X-Trace: a\x00b', `${read}\x7f`]) {
      const head = `GET /v1/rejected HTTP/1.1\r\n${header}`;
      assertApiError(await rawExchange(base, request(head)), 400, 'malformed_request');
    }
  });

  it('answers every framework and parser error in the API error shape, and counts it', async () => {
    const codes = ['bad_url', 'url_too_long', 'headers_too_large', 'malformed_request'];
    const before = await Promise.all(codes.map((code) => refusals(code)));
    const read = `Authorization: Bearer ${READ}`;
    assertApiError(
      await rawExchange(base, request(`GET /v1/alerts/%FF HTTP/1.1\r\n${read}`)),
      400,
      'bad_url',
    );
    const longId = 'a'.repeat(3_000);
    const admin = 'Authorization: Bearer admin_token_for_tests_000001';
    assertApiError(
      await rawExchange(
        base,
        request(`GET /v1/admin/projects/${longId}/keys HTTP/1.1\r\n${admin}`),
      ),
      414,
      'url_too_long',
    );
    const hugeKey = `Authorization: Bearer ${'k'.repeat(30 * 1024)}`;
    assertApiError(
      await rawExchange(base, request(`GET /v1/rejected HTTP/1.1\r\n${hugeKey}`)),
      431,
      'headers_too_large',
    );
    const twoLengths =
      `POST /v1/events HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${WRITE}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${EVENT.length}\r\nContent-Length: 2\r\n\r\n${EVENT}`;
    assertApiError(await rawExchange(base, twoLengths), 400, 'malformed_request');
    const after = await Promise.all(codes.map((code) => refusals(code)));
    assert.deepEqual(
      after.map((count, i) => count - before[i]!),
      codes.map(() => 1),
    );
  });

  it('reads gzip, deflate and br bodies, and refuses encodings it does not read with 415', async () => {
    for (const [encoding, body] of [
      ['gzip', gzipSync(EVENTS)],
      ['x-gzip', gzipSync(EVENTS)],
      ['deflate', deflateSync(EVENTS)],
      ['br', brotliCompressSync(EVENTS)],
      ['identity', EVENTS],
    ] as const) {
      const res = await track({ 'content-encoding': encoding }, body);
      assert.equal(res.status, 202, encoding);
      assert.deepEqual(await res.json(), { accepted: 2, rejected: [] }, encoding);
    }
    for (const encoding of ['compress', 'gzip, br', 'zstd']) {
      const res = await track({ 'content-encoding': encoding }, EVENT);
      assert.equal(await errorCode(res), '415 unsupported_encoding', encoding);
    }
  });

  it('refuses a body that lies about its encoding, and one that inflates past 1 MiB', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await track({ 'content-encoding': encoding }, EVENTS);
      assert.equal(await errorCode(res), '400 invalid_encoding', encoding);
    }
    // About 20 KB on the wire, 20 MiB once inflated, then bytes that are not gzip at all.
    const bomb = Buffer.concat([
      gzipSync(Buffer.alloc(20 * 1024 * 1024, ' ')),
      Buffer.alloc(64, 1),
    ]);
    const res = await track({ 'content-encoding': 'gzip' }, bomb);
    assert.equal(await errorCode(res), '413 body_too_large');
    // An encoding header without a body decodes nothing, and the gateway stays up.
    const noBody = await fetch(`${base}/v1/rejected`, {
      headers: { authorization: `Bearer ${READ}`, 'content-encoding': 'gzip' },
    });
    assert.equal(noBody.status, 200, await noBody.text());
    assert.equal((await track({})).status, 202);
  });

  it('counts every error answer of the routes by status and code', async () => {
    const errors = (status: string, code: string) =>
      metric('tally_gateway_http_errors_total', { status, code });
    const before = [await errors('404', 'not_found'), await errors('400', 'invalid_query')];
    const read = { headers: { authorization: `Bearer ${READ}` } };
    assert.equal(await errorCode(await fetch(`${base}/v1/nope`, read)), '404 not_found');
    const query = await fetch(`${base}/v1/metrics?type=nope`, read);
    assert.equal(await errorCode(query), '400 invalid_query');
    assert.deepEqual(
      [await errors('404', 'not_found'), await errors('400', 'invalid_query')],
      before.map((n) => n + 1),
    );
  });
});

describe('the gateway connection cap (issue 12: 3)', () => {
  let setup: GatewayWithStandIns;
  let base: string;
  const CAP = 3;

  // Default timeouts: a connection closed here was closed by the cap, not by a timeout.
  before(async () => {
    setup = await gatewayWithStandIns({
      TALLY_API_KEYS: KEYS,
      HTTP_MAX_CONNECTIONS: String(CAP),
      LIVE_MAX_STREAMS: String(CAP - 1),
    });
    base = setup.gateway.base;
  });
  after(() => setup.close());

  const refused = () => metric('tally_gateway_http_connections_refused_total');
  const open = () => metric('tally_gateway_http_connections_open');

  it('refuses connections over the cap, counts them, and serves again once below it', async () => {
    const refusedBefore = await refused();
    const openBefore = await open();
    const held = await Promise.all(Array.from({ length: CAP }, () => openSocket(base)));
    await waitFor(async () => (await open()) === openBefore + CAP, {
      timeoutMs: 5_000,
      what: 'the gateway to count the connections it holds',
    });
    const over = await openSocket(base);
    await waitFor(async () => socketClosed(over), {
      timeoutMs: 5_000,
      what: 'the connection over the cap to be closed by the gateway',
    });
    assert.ok(
      held.every((socket) => !socketClosed(socket)),
      'connections under the cap stay open',
    );
    assert.equal(await refused(), refusedBefore + 1);
    for (const socket of held) socket.destroy();
    await waitFor(async () => (await open()) === openBefore, {
      timeoutMs: 5_000,
      what: 'the gateway to count the connections closed',
    });
    const served = await rawExchange(base, request('GET /healthz HTTP/1.1'));
    assert.equal(served.status, 200);
  });
});
