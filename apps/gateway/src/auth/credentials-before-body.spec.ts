import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { register } from 'prom-client';
import { TEST_ADMIN_TOKEN } from '../test-support/gateway-under-test.js';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';
import { readResponse, type RawResponse } from '../test-support/raw-http.js';

// Issue 12, finding 3, for every route with a body: the credential is checked from the headers
// before the body is read, and bodies other than POST /v1/events are small.
const MANAGE = 'manage_key_for_tests_001';
const WRITE = 'write_key_for_tests_0001';
const READ = 'read_key_for_tests_00001';
const KEYS = JSON.stringify([
  { key: MANAGE, projectId: 'p1', kind: 'manage' },
  { key: WRITE, projectId: 'p1', kind: 'write' },
  { key: READ, projectId: 'p1', kind: 'read' },
]);

const opened: Socket[] = [];
afterEach(() => {
  for (const socket of opened.splice(0)) socket.destroy();
});

/** A connection to the gateway at `base` from the local address `from` (127.0.0.0/8 is local). */
async function connectFrom(base: string, from: string): Promise<Socket> {
  const { hostname, port } = new URL(base);
  const socket = connect({ host: hostname, port: Number(port), localAddress: from });
  opened.push(socket);
  socket.on('error', () => {
    // NOTE: the gateway closes a refused request's connection; the response says why.
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/**
 * Announces a 1 MB body and sends none of it: a gateway that reads the body before the
 * credential never answers, and the test's timeout says so.
 */
async function announceMegabyte(head: string, credential: string, from = '127.0.0.1') {
  const socket = await connectFrom(base, from);
  const authorization = credential ? `Authorization: Bearer ${credential}\r\n` : '';
  return readResponse(socket, () =>
    socket.write(
      `${head} HTTP/1.1\r\nHost: gateway\r\n${authorization}` +
        'Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n',
    ),
  );
}

function assertApiError(response: RawResponse, status: number, code: string): void {
  assert.equal(response.status, status, response.body);
  const body = JSON.parse(response.body) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error'], response.body);
  assert.equal(body.error.code, code, response.body);
  assert.equal(typeof body.error.message, 'string');
}

/** The sum of a counter's values for `labels`, read from this process's registry. */
async function counted(name: string, labels: Record<string, string>): Promise<number> {
  const values = (await register.getSingleMetric(name)?.get())?.values ?? [];
  const matches = (l: object) =>
    Object.entries(labels).every(([k, v]) => l[k as keyof object] === v);
  return values.filter((v) => matches(v.labels)).reduce((sum, v) => sum + v.value, 0);
}

/** Wrong credentials the failed-auth limiter counted, and error answers with `code`. */
const counts = async (credential: string, status: number, code: string) => ({
  failures: await counted('tally_gateway_auth_failures_total', { credential }),
  answers: await counted('tally_gateway_http_errors_total', { status: String(status), code }),
});

/**
 * Sends `head` with each credential and its expected refusal: each is answered at once, the
 * connection closed, and counted once (a wrong credential also once as a failure).
 */
async function assertRefusedBeforeBody(
  head: string,
  refusals: readonly (readonly [credential: string, status: number, code: string])[],
  failure: { credential: string; code: string },
): Promise<void> {
  for (const [credential, status, code] of refusals) {
    const before = await counts(failure.credential, status, code);
    const response = await announceMegabyte(head, credential);
    assertApiError(response, status, code);
    assert.equal(response.headers.connection, 'close', `${head} ${code}`);
    const failed = code === failure.code ? 1 : 0;
    assert.deepEqual(
      await counts(failure.credential, status, code),
      { failures: before.failures + failed, answers: before.answers + 1 },
      `${head} ${code}`,
    );
  }
}

let base: string;

describe('every route with a body checks its credential before reading it (issue 12: 3)', () => {
  let setup: GatewayWithStandIns;

  before(async () => {
    setup = await gatewayWithStandIns({
      TALLY_API_KEYS: KEYS,
      HTTP_MAX_BODY_BYTES: '65536',
      AUTH_FAILURES_BURST: '10',
      // One token a minute: a test never sees a throttled address recover.
      AUTH_FAILURES_PER_MINUTE: '1',
    });
    base = setup.gateway.base;
  });
  after(() => setup.close());

  it(
    'refuses alert changes without a manage key at once, counting each once',
    { timeout: 10_000 },
    async () => {
      for (const head of [
        'POST /v1/alerts',
        'PATCH /v1/alerts/rule-1',
        'DELETE /v1/alerts/rule-1',
      ]) {
        await assertRefusedBeforeBody(
          head,
          [
            ['', 401, 'missing_key'],
            ['not_a_key_of_any_project', 401, 'invalid_key'],
            [READ, 403, 'wrong_key_kind'],
          ],
          { credential: 'api_key', code: 'invalid_key' },
        );
      }
    },
  );

  it(
    'refuses admin requests without the admin token at once, counting each once',
    { timeout: 10_000 },
    async () => {
      for (const head of [
        'POST /v1/admin/projects',
        'POST /v1/admin/projects/p1/keys',
        'DELETE /v1/admin/projects/p1/keys/k1',
      ]) {
        await assertRefusedBeforeBody(
          head,
          [
            ['', 401, 'missing_admin_token'],
            ['not_the_admin_token', 401, 'invalid_admin_token'],
          ],
          { credential: 'admin_token', code: 'invalid_admin_token' },
        );
      }
    },
  );

  it(
    'refuses an address that failed too often with 429 at once, even with the right credential',
    { timeout: 10_000 },
    async () => {
      const from = '127.0.0.6';
      for (let i = 0; i < 10; i++) {
        const wrong = await announceMegabyte('POST /v1/alerts', 'not_a_key_of_any_project', from);
        assertApiError(wrong, 401, 'invalid_key');
      }
      for (const [head, credential] of [
        ['POST /v1/alerts', MANAGE],
        ['POST /v1/admin/projects', TEST_ADMIN_TOKEN],
      ] as const) {
        const response = await announceMegabyte(head, credential, from);
        assertApiError(response, 429, 'too_many_auth_failures');
        assert.ok(Number(response.headers['retry-after']) > 0, head);
        assert.equal(response.headers.connection, 'close', head);
      }
    },
  );

  it('refuses an alert or admin body over HTTP_MAX_BODY_BYTES with 413 body_too_large', async () => {
    const rule = { name: 'x'.repeat(100 * 1024) };
    for (const [path, credential] of [
      ['/v1/alerts', MANAGE],
      ['/v1/admin/projects', TEST_ADMIN_TOKEN],
    ] as const) {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body: JSON.stringify(rule),
      });
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(`${res.status} ${body.error.code}`, '413 body_too_large', path);
    }
  });

  it('still takes a POST /v1/events body larger than HTTP_MAX_BODY_BYTES', async () => {
    const event = { type: 'click', userId: 'u1', properties: { pad: 'x'.repeat(1024) } };
    const body = JSON.stringify({ events: Array.from({ length: 100 }, () => event) });
    assert.ok(Buffer.byteLength(body) > 65536);
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE}`, 'content-type': 'application/json' },
      body,
    });
    assert.equal(res.status, 202, await res.text());
  });
});
