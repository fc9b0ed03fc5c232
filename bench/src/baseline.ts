import { join } from 'node:path';
import { createTestDatabase, freePort, startAppProcess, workspaceRoot } from '@tally/testkit';
import pg from 'pg';
import { oneBoxNodeFlags } from './bench-config.js';
import type { BodySpec } from './bodies.js';
import { startLoad, type LatencySummary } from './load.js';
import { cpuSeconds, peakRssBytes } from './proc-stats.js';
import { postgresPids } from './process-set.js';

export interface BaselineResult {
  eventsPerS: number;
  accepted: number;
  /** sum(count) of the naive table: must equal `accepted`. */
  stored: number;
  latency: LatencySummary;
  failures: number;
  cpuSecondsPerMillion: { server: number; postgres: number };
  serverPeakRssBytes: number;
  durationS: number;
}

/** The naive design in its own process and database, driven by the same load generator. */
export async function runBaseline(opts: {
  durationS: number;
  clients: number;
  body: BodySpec;
  onProgress: (accepted: number, elapsedS: number) => void;
}): Promise<BaselineResult> {
  const db = await createTestDatabase();
  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => undefined);
  try {
    const port = await freePort();
    const server = await startAppProcess({
      name: 'naive-baseline',
      entry: join(workspaceRoot(), 'bench', 'dist', 'naive', 'naive-server.js'),
      nodeArgs: oneBoxNodeFlags(workspaceRoot()),
      env: {
        NAIVE_HTTP_PORT: String(port),
        NAIVE_DATABASE_URL: db.url,
        NAIVE_POOL_SIZE: String(opts.clients),
      },
      readyUrl: `http://127.0.0.1:${port}/readyz`,
    });
    try {
      await client.connect();
      const pgPids = await postgresPids(client, db.name);
      const cpu0 = { server: cpuSeconds(server.pid), pg: sumCpu(pgPids) };
      const load = startLoad({
        origin: `http://127.0.0.1:${port}`,
        path: '/v1/events',
        writeKey: 'naive',
        body: opts.body,
        shape: 'single',
        mode: 'closed',
        connections: opts.clients,
        durationMs: opts.durationS * 1000,
      });
      const started = Date.now();
      const timer = setInterval(
        () => opts.onProgress(load.progress().accepted, (Date.now() - started) / 1000),
        1000,
      );
      const result = await load.done.finally(() => clearInterval(timer));
      if (result.fatal) throw new Error(`naive baseline: ${result.fatal}`);
      const pgPidsAfter = await postgresPids(client, db.name);
      const cpuPg = sumCpu([...new Set([...pgPids, ...pgPidsAfter])]) - cpu0.pg;
      const cpuServer = cpuSeconds(server.pid) - cpu0.server;
      const stored = await client.query<{ n: string }>(
        'SELECT coalesce(sum(count), 0)::text AS n FROM naive_rollups',
      );
      const perMillion = (s: number) => (s / Math.max(1, result.accepted)) * 1e6;
      return {
        eventsPerS: result.accepted / (result.elapsedMs / 1000),
        accepted: result.accepted,
        stored: Number(stored.rows[0]?.n ?? 0),
        latency: result.latency,
        failures: Object.values(result.failures).reduce((a, b) => a + b, 0),
        cpuSecondsPerMillion: { server: perMillion(cpuServer), postgres: perMillion(cpuPg) },
        serverPeakRssBytes: peakRssBytes(server.pid),
        durationS: result.elapsedMs / 1000,
      };
    } finally {
      await server.kill('SIGTERM');
    }
  } finally {
    await client.end().catch(() => undefined);
    await db.drop();
  }
}

function sumCpu(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}
