import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { register } from 'prom-client';
import { TEST_ADMIN_TOKEN } from '../test-support/gateway-under-test.js';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';
import {
  openSocket as connectTo,
  readResponse,
  type RawResponse,
} from '../test-support/raw-http.js';

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

/**
 * Announces a 1 MB body and sends none of it: a gateway that reads the body before the
 * credential never answers, and the test's timeout says so.
 */
async function announceMegabyte(base: string, head: string, credential: string) {
  const socket = await connectTo(base);
  opened.push(socket);
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

/** Wrong credentials counted by the failed-auth limiter, read from this process's registry. */
async function authFailures(credential: string): Promise<number> {
  const values = (await register.getSingleMetric('tally_gateway_auth_failures_total')?.get())
    ?.values;
  return (values ?? [])
    .filter((v) => v.labels.credential === credential)
    .reduce((sum, v) => sum + v.value, 0);
}

describe('every route with a body checks its credential before reading it (issue 12: 3)', () => {
  let setup: GatewayWithStandIns;
  let base: string;

  before(async () => {
    setup = await gatewayWithStandIns({ TALLY_API_KEYS: KEYS, HTTP_MAX_BODY_BYTES: '65536' });
    base = setup.gateway.base;
  });
  after(() => setup.close());

  it(
    'refuses alert changes without a manage key at once, counting each wrong key once',
    { timeout: 10_000 },
    async () => {
      for (const head of [
        'POST /v1/alerts',
        'PATCH /v1/alerts/rule-1',
        'DELETE /v1/alerts/rule-1',
      ]) {
        for (const [credential, status, code] of [
          ['', 401, 'missing_key'],
          ['not_a_key_of_any_project', 401, 'invalid_key'],
          [READ, 403, 'wrong_key_kind'],
        ] as const) {
          const counted = await authFailures('api_key');
          const response = await announceMegabyte(base, head, credential);
          assertApiError(response, status, code);
          assert.equal(response.headers.connection, 'close', `${head} ${code}`);
          const once = code === 'invalid_key' ? 1 : 0;
          assert.equal(await authFailures('api_key'), counted + once, `${head} ${code}`);
        }
      }
    },
  );

  it(
    'refuses admin requests without the admin token at once, counting each wrong token once',
    { timeout: 10_000 },
    async () => {
      const heads = [
        'POST /v1/admin/projects',
        'POST /v1/admin/projects/p1/keys',
        'DELETE /v1/admin/projects/p1/keys/k1',
      ];
      for (const head of heads) {
        for (const [credential, code] of [
          ['', 'missing_admin_token'],
          ['not_the_admin_token', 'invalid_admin_token'],
        ] as const) {
          const counted = await authFailures('admin_token');
          const response = await announceMegabyte(base, head, credential);
          assertApiError(response, 401, code);
          assert.equal(response.headers.connection, 'close', `${head} ${code}`);
          const once = code === 'invalid_admin_token' ? 1 : 0;
          assert.equal(await authFailures('admin_token'), counted + once, `${head} ${code}`);
        }
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
