import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiErrorBody, HealthReply } from '@tally/contracts';
import { startNatsServer, waitFor, type NatsServerHandle } from '@tally/testkit';
import {
  startGateway,
  TEST_ADMIN_TOKEN,
  type GatewayUnderTest,
} from '../test-support/gateway-under-test.js';

const READ = 'read_key_for_outage_tests_01';

describe('NATS down: admin writes and /v1/rejected answer 503 + Retry-After, then recover', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayUnderTest;
  let projectId: string;

  before(async () => {
    nats = await startNatsServer();
    gateway = await startGateway(nats.url, {
      RETRY_AFTER_SECONDS: '2',
      TALLY_API_KEYS: JSON.stringify([{ key: READ, projectId: 'p1', kind: 'read' }]),
    });
  });

  after(async () => {
    await gateway.close();
    await nats.stop();
  });

  const createProject = (name: string) =>
    fetch(`${gateway.base}/v1/admin/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
  const readRejected = () =>
    fetch(`${gateway.base}/v1/rejected`, { headers: { authorization: `Bearer ${READ}` } });
  const ready = async () => (await fetch(`${gateway.base}/readyz`)).status === 200;

  async function assertUnavailable(res: Response, code: string): Promise<void> {
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '2');
    const body = ApiErrorBody.parse(await res.json());
    assert.equal(body.error.code, code);
  }

  it('answers normally while NATS is up', async () => {
    const created = await createProject('before');
    assert.equal(created.status, 201);
    projectId = ((await created.json()) as { id: string }).id;
    assert.equal((await readRejected()).status, 200);
  });

  it('answers 503 with Retry-After while NATS is down, and recovers after its restart', async () => {
    await nats.kill();
    await waitFor(async () => !(await ready()), { timeoutMs: 10_000, what: 'gateway not ready' });

    const readiness = await fetch(`${gateway.base}/readyz`);
    assert.equal(readiness.status, 503);
    assert.equal(HealthReply.parse(await readiness.json()).status, 'error');
    await assertUnavailable(await createProject('during'), 'projects_unavailable');
    await assertUnavailable(await readRejected(), 'rejected_unavailable');
    // Issuing a key is a KV write too; listing answers from the in-memory mirror.
    const issue = await fetch(`${gateway.base}/v1/admin/projects/${projectId}/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'read' }),
    });
    await assertUnavailable(issue, 'projects_unavailable');
    const listed = await fetch(`${gateway.base}/v1/admin/projects`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(listed.status, 200);

    await nats.restart();
    await waitFor(ready, { timeoutMs: 20_000, what: 'gateway ready again' });
    await waitFor(async () => (await createProject('after')).status === 201, {
      timeoutMs: 10_000,
      what: 'project created after the restart',
    });
    assert.equal((await readRejected()).status, 200);
  });
});
