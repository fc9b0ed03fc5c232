import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkNatsConfig, localiseNatsConfig, workspaceRoot } from '@tally/testkit';
import { NATS_SERVER_RELEASE } from '../connection/server-version.js';

// Issue 13, parts 2 and 4: compose and k8s run the release named in nats-server-version.json, and
// the command line compose adds to the shipped config is one the server accepts.
const COMPOSE = join(workspaceRoot(), 'docker-compose.yml');
const K8S_NATS = join(workspaceRoot(), 'infra', 'k8s', 'nats.yaml');
const SINGLE = join(workspaceRoot(), 'infra', 'nats', 'nats.conf');

/** The `image:` tags of the `nats` image in a compose file or manifest. */
function natsImages(text: string): string[] {
  return [...text.matchAll(/^\s+image: (nats:\S+)$/gm)].map((m) => m[1] as string);
}

/** The nats service's `command` in docker-compose.yml (a one-line flow sequence). */
function composeNatsCommand(text: string): string[] {
  const service = /^ {2}nats:\n(?: {4}.*\n|\s*\n)+/m.exec(text)?.[0] ?? '';
  const flow = /^\s+command:\s*(\[[^\]]*\])/m.exec(service)?.[1];
  assert.ok(flow, 'docker-compose.yml: the nats service has no one-line command');
  return JSON.parse(flow.replace(/'/g, '"')) as string[];
}

/** The `nats.conf` of the k8s ConfigMap, dedented, with the pod name the downward API would give. */
function k8sNatsConf(text: string): string {
  const block = /^ {2}nats\.conf: \|\n((?: {4}.*\n|\s*\n)+)/m.exec(text)?.[1];
  assert.ok(block, 'infra/k8s/nats.yaml: no nats.conf in the ConfigMap');
  return block.replace(/^ {4}/gm, '').replace(/\$POD_NAME/g, 'nats-0');
}

async function checkLocalised(text: string, flags: readonly string[] = []): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tally-deployed-nats-'));
  try {
    const file = join(dir, 'nats.conf');
    const ports = { client: 4222, monitor: 8222, route: 6222 };
    const routes = ['nats://127.0.0.1:6222'];
    await writeFile(file, localiseNatsConfig(text, ports, routes, dir));
    await checkNatsConfig(file, flags);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the NATS deployments', () => {
  it('compose and k8s both run the release the repository names', async () => {
    const expected = `nats:${NATS_SERVER_RELEASE}-alpine`;
    for (const file of [COMPOSE, K8S_NATS]) {
      const images = natsImages(await readFile(file, 'utf8'));
      assert.ok(images.length > 0, `${file} names no nats image`);
      assert.deepEqual(new Set(images), new Set([expected]), file);
    }
  });

  it("compose's nats command is accepted by the server with the shipped config", async () => {
    const [bin, configFlag, , ...flags] = composeNatsCommand(await readFile(COMPOSE, 'utf8'));
    assert.equal(bin, 'nats-server');
    assert.ok(configFlag === '--config' || configFlag === '-c', String(configFlag));
    await checkLocalised(await readFile(SINGLE, 'utf8'), flags);
  });

  it("the k8s ConfigMap's nats.conf is accepted by the server", async () => {
    await checkLocalised(k8sNatsConf(await readFile(K8S_NATS, 'utf8')));
  });
});
