import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appMigrations, startServiceProcess, workspaceRoot } from './entry.js';
import { httpGet } from './probes.js';

// Answers like a Tally app: /readyz on HTTP_PORT, and echoes the env it was given.
const SERVICE_SCRIPT = `
import http from 'node:http';
http
  .createServer((req, res) => {
    if (req.url === '/readyz') return res.end('ready');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ port: process.env.HTTP_PORT, role: process.env.ROLE }));
  })
  .listen(Number(process.env.HTTP_PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tally-testkit-service-'));
  await writeFile(join(dir, 'service.mjs'), SERVICE_SCRIPT);
});
after(() => rm(dir, { recursive: true, force: true }));

test('starts a service on a free port with HTTP_PORT set and waits for its /readyz', async (t) => {
  const service = await startServiceProcess('echo', {
    entry: join(dir, 'service.mjs'),
    env: { ROLE: 'echo' },
  });
  t.after(() => service.handle.kill('SIGKILL'));

  assert.equal(service.origin, `http://127.0.0.1:${service.port}`);
  assert.equal(service.readyUrl, `${service.origin}/readyz`);
  assert.equal(service.handle.name, 'echo');
  assert.equal((await httpGet(service.readyUrl)).status, 200);
  const seen = JSON.parse((await httpGet(`${service.origin}/env`)).body) as unknown;
  assert.deepEqual(seen, { port: String(service.port), role: 'echo' });

  assert.equal(await service.handle.kill(), 0);
  await assert.rejects(httpGet(service.readyUrl));
});

test('looks for the built app under apps/<app>/dist and says to build when it is missing', async () => {
  const expected = join(workspaceRoot(), 'apps', 'no-such-app', 'dist', 'main.js');
  await assert.rejects(startServiceProcess('no-such-app', { env: {} }), (err: Error) => {
    assert.equal(err.message, `${expected} is missing: build first (pnpm build)`);
    return true;
  });
});

test('the workspace root holds pnpm-workspace.yaml and the apps’ migrations', () => {
  const root = workspaceRoot();
  assert.ok(existsSync(join(root, 'pnpm-workspace.yaml')));
  assert.ok(existsSync(join(root, 'packages', 'testkit', 'package.json')));
  assert.equal(
    appMigrations('aggregator'),
    join(root, 'apps', 'aggregator', 'prisma', 'migrations'),
  );
  assert.ok(existsSync(appMigrations('aggregator')));
});
