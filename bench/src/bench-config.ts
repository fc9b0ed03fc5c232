// The only place the bench reads its environment: the variables of `node scripts/stack.mjs`
// (for --reuse), same defaults. The test kit reads its own (NATS_SERVER_BIN, TEST_DATABASE_URL).
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * How to reach the stack that `node scripts/stack.mjs --detach` started from `repoRoot`.
 * NOTE: the root comes from the caller: the profile hook and the naive server import this file
 * too, and must not load the test kit into the processes they measure.
 */
export function reusedStackConfig(repoRoot: string) {
  const env = process.env;
  const pgAdmin = env['TALLY_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
  const tallyDb = new URL(pgAdmin);
  tallyDb.pathname = '/tally';
  return {
    pidsFile: path.join(path.resolve(repoRoot, env['TALLY_HOME'] || '.tally'), 'pids'),
    natsUrl: (env['NATS_URL'] || 'nats://127.0.0.1:4222').split(',')[0] ?? 'nats://127.0.0.1:4222',
    databaseUrl: env['TALLY_AGGREGATOR_DATABASE_URL'] || tallyDb.toString(),
    adminToken: env['ADMIN_TOKEN'] || 'tally_dev_admin_token',
  };
}

/**
 * Flags for node itself that the one-box stack starts every app with, shared with
 * `node scripts/stack.mjs` (`infra/node/one-box-flags.json`; why: docs/deployment.md). The naive
 * baseline's server gets them too, so both designs run on the same runtime settings.
 */
export function oneBoxNodeFlags(repoRoot: string): string[] {
  const file = path.join(repoRoot, 'infra', 'node', 'one-box-flags.json');
  return JSON.parse(readFileSync(file, 'utf8')) as string[];
}

/** The profile hook's output file, set by the bench for the profiled app only. */
export const PROFILE_FILE_VAR = 'TALLY_BENCH_CPU_PROF_FILE';
export function profileFileFromEnv(): string | undefined {
  return process.env[PROFILE_FILE_VAR] || undefined;
}

/** The naive baseline server's settings (it runs as its own process). */
export function naiveServerConfig() {
  const port = Number(process.env['NAIVE_HTTP_PORT']);
  const databaseUrl = process.env['NAIVE_DATABASE_URL'];
  if (!Number.isInteger(port) || port <= 0 || !databaseUrl) {
    throw new Error('NAIVE_HTTP_PORT and NAIVE_DATABASE_URL are required');
  }
  return { port, databaseUrl, poolSize: Number(process.env['NAIVE_POOL_SIZE'] || 16) };
}
