#!/usr/bin/env node
// The whole test suite: `node scripts/test.mjs` (same as `pnpm test`).
// Re-runs itself on Node 24 when the machine's node is older (scripts/lib/node-runtime.mjs).
// Makes sure the nats-server binary, Chromium and a Postgres with the hll extension are there, builds,
// runs every package's tests one package at a time, and ends with "N passed, N failed".
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ensureChromium } from './lib/chromium.mjs';
import { ensureNatsBinary } from './lib/nats.mjs';
import { runOnSupportedNode } from './lib/node-runtime.mjs';
import { ensureHll, ensurePostgres, stopPrivateCluster } from './lib/postgres.mjs';
import { ROOT, SetupError, log, redactUrl } from './lib/proc.mjs';
import { buildWorkspace, ensurePnpm, pnpmInstall } from './lib/toolchain.mjs';

// @tally/testkit's default server; TEST_DATABASE_URL overrides it for the tests as well.
const DEFAULT_TEST_PG = 'postgres://postgres@127.0.0.1:5432/postgres';

// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const TURBO_PREFIX = /^(\S+?):test: ?(.*)$/;
const COUNTER = /^ℹ (pass|fail|cancelled|skipped|todo) (\d+)\s*$/;

/** Sums node:test runner summary lines (`ℹ pass N` …) per package from turbo's prefixed output. */
function createTally() {
  const perPackage = new Map();
  return {
    perPackage,
    line(raw) {
      const text = raw.replace(ANSI, '');
      const prefixed = TURBO_PREFIX.exec(text);
      const pkg = prefixed ? prefixed[1] : '(unprefixed)';
      const body = (prefixed ? prefixed[2] : text).trim();
      const counter = COUNTER.exec(body);
      if (!counter) return;
      const counts = perPackage.get(pkg) ?? { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
      counts[counter[1]] += Number(counter[2]);
      perPackage.set(pkg, counts);
    },
    totals() {
      const sum = { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
      for (const counts of perPackage.values()) {
        for (const key of Object.keys(sum)) sum[key] += counts[key];
      }
      return sum;
    },
  };
}

function runTests(pnpm, env, tally) {
  const args = ['turbo', 'run', 'test', '--concurrency=1', '--continue', '--env-mode=loose'];
  log.step(`Running the tests (pnpm ${args.join(' ')})`);
  return new Promise((resolve) => {
    const child = spawn(pnpm, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const follow = (stream, out) => {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        out.write(`${line}\n`);
        tally.line(line);
      });
    };
    follow(child.stdout, process.stdout);
    follow(child.stderr, process.stderr);
    child.on('error', (err) => {
      log.error(`cannot run pnpm: ${err.message}`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function main() {
  const started = Date.now();
  let interrupted = false;
  // Ctrl-C reaches turbo directly (same process group); wait for it, then clean up.
  process.on('SIGINT', () => {
    interrupted = true;
  });

  const rerun = await runOnSupportedNode();
  if (rerun !== undefined) return rerun;

  const pnpm = await ensurePnpm();
  if (process.env.TALLY_SKIP_INSTALL !== '1') await pnpmInstall(pnpm);

  const natsBin = await ensureNatsBinary();
  log.ok(`NATS: tests start private servers from ${natsBin}`);
  const chromiumBin = await ensureChromium();
  log.ok(`Chromium: the dashboard test drives ${chromiumBin}`);
  const pgUrl = process.env.TEST_DATABASE_URL || DEFAULT_TEST_PG;
  const pg = await ensurePostgres(pgUrl);
  let status = 1;
  const tally = createTally();
  try {
    await ensureHll(pgUrl);
    log.ok(`Postgres: tests create throwaway databases on ${redactUrl(pgUrl)}`);

    const buildStatus = await buildWorkspace(pnpm);
    if (buildStatus !== 0 || interrupted) {
      log.error('the build failed (output above); no tests were run');
      console.log('0 passed, 0 failed');
      return buildStatus || 1;
    }
    const env = { ...process.env, NATS_SERVER_BIN: natsBin, CHROMIUM_BIN: chromiumBin };
    if (process.env.TEST_DATABASE_URL) env.TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
    status = await runTests(pnpm, env, tally);
  } finally {
    if (pg.started) {
      log.step('Stopping the Postgres cluster started for the tests');
      await stopPrivateCluster(pg.started);
    }
  }

  const totals = tally.totals();
  const failed = totals.fail + totals.cancelled;
  console.log('');
  console.log(`Test summary (${Math.round((Date.now() - started) / 1000)} s):`);
  for (const [pkg, c] of [...tally.perPackage].sort(([a], [b]) => a.localeCompare(b))) {
    const extra = [
      c.cancelled && `${c.cancelled} cancelled`,
      c.skipped && `${c.skipped} skipped`,
      c.todo && `${c.todo} todo`,
    ].filter(Boolean);
    console.log(
      `  ${pkg.padEnd(28)} ${String(c.pass).padStart(4)} passed ${String(c.fail).padStart(3)} failed${extra.length ? ` (${extra.join(', ')})` : ''}`,
    );
  }
  if (totals.pass + failed === 0) {
    log.error('no tests ran');
    if (status === 0) status = 1;
  } else if (status !== 0 && failed === 0) {
    log.error(
      `turbo exited with status ${status} although no test failed: a test script or build step failed (see above)`,
    );
  }
  if (interrupted && status === 0) status = 130;
  console.log(
    `${totals.pass} passed, ${failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
  );
  return status;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    log.error(err instanceof SetupError ? err.message : String(err?.stack ?? err));
    process.exitCode = 1;
  },
);
