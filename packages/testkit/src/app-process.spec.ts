import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, startAppProcess } from './entry.js';
import { httpGet } from './probes.js';

const SERVER_SCRIPT = `
import http from 'node:http';
const log = (msg, extra = {}) => console.log(JSON.stringify({ level: 30, msg, ...extra }));
log('starting', { greeting: process.env.GREETING ?? null, leaked: process.env.TESTKIT_LEAK_CHECK ?? null });
http
  .createServer((req, res) => { res.statusCode = req.url === '/health' ? 200 : 404; res.end('ok'); })
  .listen(Number(process.env.PORT), '127.0.0.1', () => log('listening', { pid: process.pid }));
process.on('SIGTERM', () => { log('bye'); process.exit(0); });
`;

const CRASH_SCRIPT = `console.error('config is missing'); process.exit(3);`;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tally-testkit-spec-'));
  await writeFile(join(dir, 'server.mjs'), SERVER_SCRIPT);
  await writeFile(join(dir, 'crash.mjs'), CRASH_SCRIPT);
});
after(() => rm(dir, { recursive: true, force: true }));

test('starts an app, waits until ready, survives SIGKILL and restarts with the same env', async (t) => {
  process.env['TESTKIT_LEAK_CHECK'] = 'must not reach the child';
  const port = await freePort();
  const readyUrl = `http://127.0.0.1:${port}/health`;
  const app = await startAppProcess({
    name: 'tiny',
    entry: join(dir, 'server.mjs'),
    env: { PORT: String(port), GREETING: 'hi' },
    readyUrl,
  });
  t.after(() => app.kill('SIGKILL'));

  assert.equal((await httpGet(readyUrl)).status, 200);
  const lines = app
    .logs()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines[0], { level: 30, msg: 'starting', greeting: 'hi', leaked: null });
  const firstPid = app.pid;
  assert.equal(app.exit, undefined);

  assert.equal(await app.kill('SIGKILL'), null);
  assert.deepEqual(app.exit, { code: null, signal: 'SIGKILL' });
  await assert.rejects(httpGet(readyUrl));

  await app.restart();
  assert.notEqual(app.pid, firstPid);
  assert.equal(app.exit, undefined, 'the exit of the current run');
  assert.equal((await httpGet(readyUrl)).status, 200);
  assert.equal(app.logs().match(/"greeting":"hi"/g)?.length, 2);

  assert.equal(await app.kill(), 0);
  assert.deepEqual(app.exit, { code: 0, signal: null });
  assert.match(app.logs(), /"msg":"bye"/);
});

test('fails fast with the log tail when the app exits before it is ready', async () => {
  const port = await freePort();
  const started = Date.now();
  await assert.rejects(
    startAppProcess({
      name: 'crashy',
      entry: join(dir, 'crash.mjs'),
      env: {},
      readyUrl: `http://127.0.0.1:${port}/health`,
      readyTimeoutMs: 20_000,
    }),
    /crashy exited with code 3 before it was ready[\s\S]*config is missing/,
  );
  assert.ok(Date.now() - started < 5_000);
});
