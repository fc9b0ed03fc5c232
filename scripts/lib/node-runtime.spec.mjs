// Tests of node-runtime.mjs: the version policy, that every place naming the Node version agrees
// with .node-version, and the re-run under the fetched Node (real download, real child processes).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { nodeHome, nodePolicy, satisfiesPolicy } from './node-runtime.mjs';
import { ROOT } from './proc.mjs';

const PROBE = path.join(ROOT, 'scripts', 'lib', 'fixtures', 'node-runtime-probe.mjs');

function runProbe(env, args = []) {
  const res = spawnSync(process.execPath, [PROBE, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TALLY_NODE_REEXEC: '', ...env },
  });
  const last = res.stdout.trim().split('\n').at(-1) ?? '';
  return { ...res, report: last.startsWith('{') ? JSON.parse(last) : undefined };
}

describe('node version policy', () => {
  const policy = { pinned: '24.22.3', minimum: '24.11.0', range: '^24.11.0' };

  it('allows the minimum and later releases of the same major only', () => {
    for (const ok of ['24.11.0', '24.11.1', '24.22.3', 'v24.30.0']) {
      assert.equal(satisfiesPolicy(ok, policy), true, ok);
    }
    for (const old of ['20.20.2', '22.21.0', '24.10.9', '24.9.0', '25.0.0', '26.12.1']) {
      assert.equal(satisfiesPolicy(old, policy), false, old);
    }
  });

  it('reads the pinned version from .node-version, inside package.json engines', () => {
    const repo = nodePolicy();
    assert.equal(repo.pinned, readFileSync(path.join(ROOT, '.node-version'), 'utf8').trim());
    assert.equal(satisfiesPolicy(repo.pinned, repo), true);
    assert.equal(repo.pinned.split('.')[0], '24');
  });

  it('is the version .nvmrc and every Dockerfile name', () => {
    const { pinned } = nodePolicy();
    assert.equal(readFileSync(path.join(ROOT, '.nvmrc'), 'utf8').trim(), pinned);
    const dockerfiles = readdirSync(path.join(ROOT, 'apps')).map((app) =>
      path.join(ROOT, 'apps', app, 'Dockerfile'),
    );
    for (const file of dockerfiles) {
      const images = [...readFileSync(file, 'utf8').matchAll(/^FROM (node:\S+)/gm)].map(
        (m) => m[1],
      );
      assert.ok(images.length > 0, `${file} has no node image`);
      for (const image of images) assert.equal(image, `node:${pinned}-bookworm-slim`, file);
    }
  });
});

describe('runOnSupportedNode', () => {
  it("re-runs an older node's script under the fetched Node with its bin first on PATH", () => {
    const { pinned } = nodePolicy();
    const fetched = path.join(nodeHome(pinned), 'bin', 'node');
    const res = runProbe({ TALLY_TEST_CLAIMED_NODE: '20.20.2', TALLY_TEST_EXIT_CODE: '3' }, [
      'up',
      '--apps=a b',
    ]);
    assert.equal(res.status, 3, res.stderr);
    assert.match(res.stderr, /Node\.js 20\.20\.2 is running; this workspace needs \^24/);
    assert.deepEqual(res.report, {
      version: pinned,
      execPath: fetched,
      nodeOnPath: fetched,
      args: ['up', '--apps=a b'],
    });
  });

  it('goes on in the same process when the running node is allowed', () => {
    const res = runProbe({});
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.report.execPath, process.execPath);
    assert.doesNotMatch(res.stdout, /Re-running/);
  });

  it('refuses to re-run a second time instead of looping', () => {
    const res = runProbe({ TALLY_TEST_CLAIMED_NODE: '20.20.2', TALLY_NODE_REEXEC: '1' });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /re-ran under Node\.js 24\.\d+\.\d+ but it reports 20\.20\.2/);
    assert.equal(res.report, undefined);
  });
});
