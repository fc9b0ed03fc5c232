import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  startNatsServer,
  startServiceProcess,
  waitFor,
  type NatsServerHandle,
  type ServiceProcess,
} from '@tally/testkit';

// Issue 12, finding 10. The built gateway as a process (its real logs are what is checked) on a
// private nats-server. Clients come from different loopback addresses (127.0.0.0/8 is all local).
const ADMIN = 'admin_token_for_failed_auth_1';
const READ = 'read_key_for_failed_auth_01';
const [A, B, C] = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

describe('failed authentication is limited per client address; admin actions are logged', () => {
  let nats: NatsServerHandle;
  let gateway: ServiceProcess;

  before(async () => {
    nats = await startNatsServer();
    gateway = await startServiceProcess('gateway', {
      name: 'gateway-failed-auth',
      env: {
        NATS_URL: nats.url,
        LOG_LEVEL: 'info',
        ADMIN_TOKEN: ADMIN,
        TALLY_API_KEYS: JSON.stringify([{ key: READ, projectId: 'p1', kind: 'read' }]),
        AUTH_FAILURES_BURST: '3',
        // One token a minute: a test never sees a throttled address recover.
        AUTH_FAILURES_PER_MINUTE: '1',
      },
    });
  });

  after(async () => {
    await gateway?.handle.kill('SIGTERM');
    await nats?.stop();
  });

  function call(from: string, method: string, path: string, token: string, body?: unknown) {
    return new Promise<Answer>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: gateway.port,
          localAddress: from,
          method,
          path,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  const code = (a: Answer) =>
    `${a.status} ${(JSON.parse(a.text) as { error: { code: string } }).error.code}`;

  const createProject = (from: string, token: string) =>
    call(from, 'POST', '/v1/admin/projects', token, { name: 'guessing' });

  function assertThrottled(answer: Answer): void {
    const body = JSON.parse(answer.text) as {
      error: { code: string; message: string; details: { retryAfterSeconds: number }[] };
    };
    assert.equal(answer.status, 429);
    assert.equal(body.error.code, 'too_many_auth_failures');
    const retryAfter = Number(answer.headers['retry-after']);
    assert.ok(retryAfter >= 1, `Retry-After ${answer.headers['retry-after']}`);
    assert.equal(body.error.details[0]?.retryAfterSeconds, retryAfter);
  }

  it('answers 429 to an address after repeated wrong admin tokens, even with the right one', async () => {
    for (let i = 0; i < 3; i++) {
      assert.equal(
        code(await createProject(A, `wrong_admin_token_${i}_xxxx`)),
        '401 invalid_admin_token',
      );
    }
    assertThrottled(await createProject(A, 'wrong_admin_token_3_xxxx'));
    assertThrottled(await createProject(A, ADMIN));
    assertThrottled(await call(A, 'GET', '/v1/alerts', READ));
    // Another address is unaffected.
    assert.equal((await createProject(B, ADMIN)).status, 201);
    assert.equal(
      code(await call(B, 'GET', '/v1/alerts', 'wrong_key_xxxxxxxxxx')),
      '401 invalid_key',
    );
  });

  it('answers 429 to an address after repeated wrong API keys, and counts it', async () => {
    for (let i = 0; i < 3; i++) {
      const answer = await call(C, 'GET', '/v1/metrics', `tr_wrong_key_${i}_xxxxxxxx`);
      assert.equal(code(answer), '401 invalid_key');
    }
    assertThrottled(await call(C, 'GET', '/v1/metrics', 'tr_wrong_key_3_xxxxxxxx'));
    assertThrottled(await call(C, 'GET', '/v1/alerts', READ));
    const metrics = await (await fetch(`${gateway.origin}/metrics`)).text();
    const value = (line: string) => Number(new RegExp(`^${line} (\\d+)$`, 'm').exec(metrics)?.[1]);
    assert.equal(value('tally_gateway_auth_failures_total\\{credential="admin_token"\\}'), 3);
    assert.equal(value('tally_gateway_auth_failures_total\\{credential="api_key"\\}'), 4);
    assert.ok(value('tally_gateway_auth_throttled_total\\{credential="api_key"\\}') >= 3);
    assert.ok(value('tally_gateway_auth_throttled_total\\{credential="admin_token"\\}') >= 2);
  });

  it('logs project created, key issued and key revoked with who and when, never the key', async () => {
    const project = JSON.parse((await createProject(B, ADMIN)).text) as { id: string };
    const issued = await call(B, 'POST', `/v1/admin/projects/${project.id}/keys`, ADMIN, {
      kind: 'manage',
    });
    const key = JSON.parse(issued.text) as { keyId: string; key: string };
    const revoked = await call(
      B,
      'DELETE',
      `/v1/admin/projects/${project.id}/keys/${key.keyId}`,
      ADMIN,
    );
    assert.equal(revoked.status, 200);

    type Line = Record<string, unknown> & { by?: { address?: string } };
    const audit = (): Line[] =>
      gateway.handle
        .logs()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line)
        .filter((l) => l.projectId === project.id && typeof l.action === 'string');
    const lines = await waitFor(async () => (audit().length === 3 ? audit() : undefined), {
      timeoutMs: 10_000,
      what: 'three admin audit lines',
    });
    assert.deepEqual(
      lines.map((l) => [l.action, l.keyId]),
      [
        ['project.created', undefined],
        ['key.issued', key.keyId],
        ['key.revoked', key.keyId],
      ],
    );
    for (const line of lines) {
      assert.match(line.by?.address ?? '', /127\.0\.0\.3$/);
      assert.ok(!Number.isNaN(Date.parse(String(line.at))), 'when');
    }
    assert.ok(!gateway.handle.logs().includes(key.key), 'the key is never logged');
    assert.ok(!gateway.handle.logs().includes(ADMIN), 'nor the admin token');
  });
});
