import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { PROJECTS_BUCKET, type IngestRequestHeaders, type MetricsQuery } from '@tally/contracts';
import { waitFor } from '@tally/testkit';
import { hashKey } from '../projects/project-registry.js';
import {
  errorCode,
  startGateway,
  TEST_ADMIN_TOKEN,
  type GatewayUnderTest,
} from '../test-support/gateway-under-test.js';
import {
  gatewayWithStandIns,
  type GatewayWithStandIns,
} from '../test-support/gateway-with-stand-ins.js';
import { standInServices } from '../test-support/service-stand-ins.js';

const STATIC_WRITE = 'static_write_key_for_tests_1';

interface Project {
  id: string;
  name: string;
  createdAt: string;
}
interface IssuedKey {
  keyId: string;
  kind: 'write' | 'read';
  createdAt: string;
  revokedAt?: string;
  key: string;
}

describe('projects and keys (admin API, KV registry, isolation) over real NATS', () => {
  let setup: GatewayWithStandIns;
  let replicaA: GatewayUnderTest;
  let replicaB: GatewayUnderTest;
  const ingested: IngestRequestHeaders[] = [];
  const queried: MetricsQuery[] = [];

  before(async () => {
    const env = {
      TALLY_API_KEYS: JSON.stringify([{ key: STATIC_WRITE, projectId: 'static', kind: 'write' }]),
    };
    // The stand-ins record which project the gateway acted for, and a series names its project.
    setup = await gatewayWithStandIns(env, (peer) =>
      standInServices(peer, {
        onIngest: (request) => ingested.push(request.meta),
        onQuery: (query) => {
          queried.push(query);
          return {
            ok: true,
            series: [{ bucket: `of ${query.projectId}`, count: 1, uniqueUsers: 1, revenue: {} }],
          };
        },
      }),
    );
    replicaA = setup.gateway;
    replicaB = await startGateway(setup.nats.url, env);
  });

  after(async () => {
    await replicaB.close();
    await setup.close();
  });

  const admin = (
    gw: GatewayUnderTest,
    method: string,
    path: string,
    body?: unknown,
    token = TEST_ADMIN_TOKEN,
  ) =>
    fetch(`${gw.base}/v1/admin/projects${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  async function createProject(name: string): Promise<Project> {
    const res = await admin(replicaA, 'POST', '', { name });
    assert.equal(res.status, 201);
    return (await res.json()) as Project;
  }

  async function issueKey(projectId: string, kind: 'write' | 'read'): Promise<IssuedKey> {
    const res = await admin(replicaA, 'POST', `/${projectId}/keys`, { kind });
    assert.equal(res.status, 201);
    return (await res.json()) as IssuedKey;
  }

  const track = (gw: GatewayUnderTest, key: string) =>
    fetch(`${gw.base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'click', userId: 'u1' }),
    });

  const series = (gw: GatewayUnderTest, key: string) =>
    fetch(
      `${gw.base}/v1/metrics?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&granularity=hour`,
      { headers: { authorization: `Bearer ${key}` } },
    );

  it('refuses admin requests without the admin token, with machine-readable errors', async () => {
    assert.equal(
      await errorCode(await admin(replicaA, 'GET', '', undefined, '')),
      '401 missing_admin_token',
    );
    assert.equal(
      await errorCode(await admin(replicaA, 'GET', '', undefined, 'not_the_admin_token_at_all')),
      '401 invalid_admin_token',
    );
    assert.equal(
      await errorCode(await admin(replicaA, 'GET', '', undefined, STATIC_WRITE)),
      '401 invalid_admin_token',
    );
    assert.equal(
      await errorCode(await admin(replicaA, 'POST', '', { name: 'x' }, 'short')),
      '401 invalid_admin_token',
    );
  });

  it('creates and lists projects; validates bodies; 404 for unknown projects', async () => {
    const project = await createProject('Shop');
    assert.match(project.id, /^[0-9a-f]{16}$/);
    assert.equal(project.name, 'Shop');
    const list = (await (await admin(replicaA, 'GET', '')).json()) as { projects: Project[] };
    assert.ok(list.projects.some((p) => p.id === project.id));
    // The other replica learns about it through the KV watch.
    await waitFor(
      async () => {
        const res = await admin(replicaB, 'GET', '');
        const body = (await res.json()) as { projects: Project[] };
        return body.projects.some((p) => p.id === project.id);
      },
      { timeoutMs: 5_000, what: 'project on replica B' },
    );
    assert.equal(
      await errorCode(await admin(replicaA, 'POST', '', { name: '' })),
      '400 invalid_body',
    );
    assert.equal(
      await errorCode(await admin(replicaA, 'POST', `/${project.id}/keys`, { kind: 'admin' })),
      '400 invalid_body',
    );
    assert.equal(
      await errorCode(await admin(replicaA, 'POST', '/nope/keys', { kind: 'read' })),
      '404 project_not_found',
    );
    assert.equal(
      await errorCode(await admin(replicaA, 'GET', '/nope/keys')),
      '404 project_not_found',
    );
    assert.equal(
      await errorCode(await admin(replicaA, 'DELETE', `/${project.id}/keys/key_nope`)),
      '404 key_not_found',
    );
  });

  it('issues a key once, lists keys without the key, and stores only its hash', async () => {
    const project = await createProject('Keys');
    const write = await issueKey(project.id, 'write');
    const read = await issueKey(project.id, 'read');
    assert.match(write.key, /^tw_[A-Za-z0-9_-]{43}$/);
    assert.match(read.key, /^tr_[A-Za-z0-9_-]{43}$/);
    const res = await admin(replicaA, 'GET', `/${project.id}/keys`);
    const text = await res.text();
    assert.ok(!text.includes(write.key) && !text.includes(read.key), 'keys never listed');
    const { keys } = JSON.parse(text) as { keys: Array<Omit<IssuedKey, 'key'>> };
    assert.deepEqual(
      keys.map((k) => [k.keyId, k.kind]),
      [
        [write.keyId, 'write'],
        [read.keyId, 'read'],
      ],
    );
    // What is in the bucket: hashes as KV keys, no key material in any value.
    const kv = await new Kvm(setup.peer).open(PROJECTS_BUCKET.name);
    const entry = await kv.get(PROJECTS_BUCKET.apiKeyKey(hashKey(write.key)));
    assert.equal(entry?.json<{ keyId: string }>().keyId, write.keyId);
    for await (const k of await kv.keys()) {
      const value = (await kv.get(k))?.string() ?? '';
      assert.ok(!`${k} ${value}`.includes(write.key.slice(3)), `key material in ${k}`);
      assert.ok(!`${k} ${value}`.includes(read.key.slice(3)), `key material in ${k}`);
    }
  });

  it('a write key writes only its project; a read key reads only its project', async () => {
    const p1 = await createProject('One');
    const p2 = await createProject('Two');
    const w1 = await issueKey(p1.id, 'write');
    const r1 = await issueKey(p1.id, 'read');
    const w2 = await issueKey(p2.id, 'write');
    const r2 = await issueKey(p2.id, 'read');

    ingested.length = 0;
    assert.equal((await track(replicaA, w1.key)).status, 202);
    assert.equal((await track(replicaB, w2.key)).status, 202);
    assert.deepEqual(
      ingested.map((r) => r.projectId),
      [p1.id, p2.id],
    );

    queried.length = 0;
    const s1 = (await (await series(replicaA, r1.key)).json()) as { series: [{ bucket: string }] };
    const s2 = (await (await series(replicaB, r2.key)).json()) as { series: [{ bucket: string }] };
    assert.equal(s1.series[0].bucket, `of ${p1.id}`);
    assert.equal(s2.series[0].bucket, `of ${p2.id}`);
    assert.deepEqual(
      queried.map((q) => q.projectId),
      [p1.id, p2.id],
    );

    // Kinds do not cross: a read key cannot write, a write key cannot read.
    assert.equal(await errorCode(await track(replicaA, r1.key)), '403 wrong_key_kind');
    assert.equal(await errorCode(await series(replicaA, w1.key)), '403 wrong_key_kind');
    assert.equal(
      await errorCode(await track(replicaA, 'tw_made_up_key_000000000')),
      '401 invalid_key',
    );
  });

  it('a revoked key stops working on every replica within seconds', async () => {
    const project = await createProject('Revoke');
    const write = await issueKey(project.id, 'write');
    await waitFor(async () => (await track(replicaB, write.key)).status === 202, {
      timeoutMs: 5_000,
      what: 'new key accepted on replica B',
    });
    const res = await admin(replicaA, 'DELETE', `/${project.id}/keys/${write.keyId}`);
    assert.equal(res.status, 200);
    const revoked = (await res.json()) as { revokedAt?: string };
    assert.ok(revoked.revokedAt);
    // The revoking replica reads its own write at once.
    assert.equal(await errorCode(await track(replicaA, write.key)), '401 invalid_key');
    await waitFor(async () => (await track(replicaB, write.key)).status === 401, {
      timeoutMs: 5_000,
      what: 'revocation on replica B',
    });
    const listed = (await (await admin(replicaB, 'GET', `/${project.id}/keys`)).json()) as {
      keys: Array<{ keyId: string; revokedAt?: string }>;
    };
    assert.ok(listed.keys.find((k) => k.keyId === write.keyId)?.revokedAt);
    // Revoking again is harmless.
    assert.equal(
      (await admin(replicaA, 'DELETE', `/${project.id}/keys/${write.keyId}`)).status,
      200,
    );
  });

  it('a replica started later loads every project and key; static keys still work', async () => {
    const project = await createProject('Late');
    const read = await issueKey(project.id, 'read');
    const late = await startGateway(setup.nats.url);
    try {
      assert.equal((await series(late, read.key)).status, 200);
      const body = (await (await admin(late, 'GET', '')).json()) as { projects: Project[] };
      assert.ok(body.projects.some((p) => p.id === project.id));
      // No TALLY_API_KEYS here: the static key is unknown to this replica.
      assert.equal(await errorCode(await track(late, STATIC_WRITE)), '401 invalid_key');
    } finally {
      await late.close();
    }
    ingested.length = 0;
    assert.equal((await track(replicaA, STATIC_WRITE)).status, 202);
    assert.equal(ingested[0]?.projectId, 'static');
  });

  it('a replica starts on an emptied bucket (stream purged) instead of waiting forever', async () => {
    const jsm = await jetstreamManager(setup.peer);
    await jsm.streams.purge(`KV_${PROJECTS_BUCKET.name}`);
    const fresh = await startGateway(setup.nats.url);
    try {
      const body = (await (await admin(fresh, 'GET', '')).json()) as { projects: Project[] };
      assert.deepEqual(body.projects, []);
    } finally {
      await fresh.close();
    }
  });
});
