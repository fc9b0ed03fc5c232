import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { applyMigrations } from '@tally/migrate';
import {
  appMigrations,
  assertBuilt,
  createTestDatabase,
  startNatsServer,
  startServiceProcess,
  workspaceRoot,
  type ServiceProcess,
} from '@tally/testkit';
import pg from 'pg';
import { oneBoxNodeFlags, PROFILE_FILE_VAR, reusedStackConfig } from './bench-config.js';
import { APP_NAMES, type AppName, type BenchOptions } from './options.js';
import { commandLine, findPids } from './proc-stats.js';

export interface StackProcess {
  name: string;
  pid: number;
  /** HTTP port of /healthz, /readyz and /metrics. */
  port: number;
}

export interface BenchStack {
  kind: 'private' | 'reused';
  gatewayOrigin: string;
  adminToken: string;
  natsUrl: string;
  databaseUrl: string;
  apps: StackProcess[];
  natsPid: number | undefined;
  /** The bench's own connections, for idle checks, verification and seeding. */
  pg: pg.Client;
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Where the profiled app writes its profile (with --cpu-prof). */
  profileFile: string | undefined;
  notes: string[];
  /** Log file per app process (private stack), for a failed run. */
  logFiles: Record<string, string>;
  stop(): Promise<void>;
}

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
// NOTE: far above the load, so the limiter runs on every request (its cost is in the numbers) but
// never refuses: the bench drives ~100k events/s through one write key, and queries back to back.
const RATE_LIMITS = {
  RATE_LIMIT_WRITE_EVENTS_PER_SECOND: '10000000',
  RATE_LIMIT_WRITE_BURST_EVENTS: '20000000',
  RATE_LIMIT_READ_REQUESTS_PER_SECOND: '1000000',
  RATE_LIMIT_READ_BURST: '2000000',
};

export function say(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** nats-server on free ports, fresh databases, migrations, then the four apps as processes. */
export async function startPrivateStack(opts: BenchOptions): Promise<BenchStack> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => say(`cleanup failed: ${String(err)}`));
    }
    cleanups.length = 0;
  };
  try {
    // NOTE: startServiceProcess checks this too, but only after NATS and the databases are up.
    for (const app of APP_NAMES) assertBuilt(app);
    const nats = await startNatsServer();
    cleanups.push(() => nats.stop());
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    await applyMigrations({ databaseUrl: db.url, migrationsDir: appMigrations('aggregator') });
    const notifierDb = await createTestDatabase();
    cleanups.push(() => notifierDb.drop());
    await applyMigrations({
      databaseUrl: notifierDb.url,
      migrationsDir: appMigrations('notifier'),
    });

    const nodeArgs = oneBoxNodeFlags(workspaceRoot());
    let profileFile: string | undefined;
    const nodeEnv = async (app: AppName): Promise<Record<string, string>> => {
      const nodeOptions = opts.nodeOptions ? [opts.nodeOptions] : [];
      const env: Record<string, string> = {};
      if (opts.cpuProf === app) {
        profileFile = join(await mkdtemp(join(tmpdir(), 'tally-bench-prof-')), `${app}.cpuprofile`);
        const hook = pathToFileURL(join(workspaceRoot(), 'bench', 'dist', 'profile-hook.js')).href;
        nodeOptions.push(`--import=${hook}`);
        env[PROFILE_FILE_VAR] = profileFile;
      }
      if (nodeOptions.length > 0) env['NODE_OPTIONS'] = nodeOptions.join(' ');
      return env;
    };
    // NOTE: warn, not info: at info every request writes a log line, which is not what a
    // production deployment under load would run with.
    const common = { NATS_URL: nats.url, LOG_LEVEL: 'warn' };
    const apps: Array<{ name: AppName; service: ServiceProcess }> = [];
    const app = async (name: AppName, env: Record<string, string>) => {
      const service = await startServiceProcess(name, {
        env: { ...common, ...env, ...(await nodeEnv(name)) },
        nodeArgs,
        readyTimeoutMs: 60_000,
      });
      cleanups.push(() => service.handle.kill('SIGTERM'));
      apps.push({ name, service });
      return service;
    };
    const partitions = { TALLY_PARTITIONS: String(opts.partitions) };
    // Ingest provisions the events stream that the aggregator consumes, so it goes first.
    await app('ingest', partitions);
    const [gateway] = await Promise.all([
      app('gateway', { ADMIN_TOKEN, ...RATE_LIMITS }),
      app('aggregator', {
        ...partitions,
        DATABASE_URL: db.url,
        CONSUMER_BATCH_SIZE: String(opts.consumerBatch),
      }),
    ]);
    await app('notifier', { DATABASE_URL: notifierDb.url });

    const conns = await connectClients(nats.url, db.url);
    cleanups.push(conns.close);
    const natsPid = findPids(
      (cmd) => cmd.includes('nats-server') && cmd.includes(` -p ${nats.port} `),
    )[0];
    return {
      kind: 'private',
      gatewayOrigin: gateway.origin,
      adminToken: ADMIN_TOKEN,
      natsUrl: nats.url,
      databaseUrl: db.url,
      apps: apps.map((a) => ({ name: a.name, pid: a.service.handle.pid, port: a.service.port })),
      natsPid,
      pg: conns.pg,
      nc: conns.nc,
      jsm: conns.jsm,
      profileFile,
      logFiles: Object.fromEntries(apps.map((a) => [a.name, a.service.handle.logFile])),
      notes: [
        `private stack: nats-server ${nats.url}, database ${db.name} (${db.source}), ` +
          `TALLY_PARTITIONS=${opts.partitions}, CONSUMER_BATCH_SIZE=${opts.consumerBatch}, LOG_LEVEL=warn` +
          `, node ${nodeArgs.join(' ')}` +
          (opts.nodeOptions ? `, NODE_OPTIONS=${opts.nodeOptions}` : ''),
      ],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The stack of `node scripts/stack.mjs --detach`, found through its .tally/pids. */
export async function reuseStack(): Promise<BenchStack> {
  const cfg = reusedStackConfig(workspaceRoot());
  if (!existsSync(cfg.pidsFile)) {
    throw new Error(
      `${cfg.pidsFile} is missing: start the stack with node scripts/stack.mjs --detach`,
    );
  }
  const state = JSON.parse(readFileSync(cfg.pidsFile, 'utf8')) as {
    apps?: Array<{ name: string; pid: number; port: number }>;
  };
  const apps = (state.apps ?? []).filter((a) =>
    commandLine(a.pid).includes(`apps/${a.name}/dist/main.js`),
  );
  const gateway = apps.find((a) => a.name === 'gateway');
  if (!gateway) throw new Error('the gateway of the recorded stack is not running');
  const natsPort = new URL(cfg.natsUrl).port || '4222';
  const natsPid = findPids((cmd) => cmd.includes('nats-server') && cmd.includes(natsPort))[0];
  const conns = await connectClients(cfg.natsUrl, cfg.databaseUrl);
  return {
    kind: 'reused',
    gatewayOrigin: `http://127.0.0.1:${gateway.port}`,
    adminToken: cfg.adminToken,
    natsUrl: cfg.natsUrl,
    databaseUrl: cfg.databaseUrl,
    apps: apps.map((a) => ({ name: a.name, pid: a.pid, port: a.port })),
    natsPid,
    pg: conns.pg,
    nc: conns.nc,
    jsm: conns.jsm,
    profileFile: undefined,
    logFiles: {},
    notes: [
      `reused stack of scripts/stack.mjs (${apps.map((a) => a.name).join(', ')}); its own ` +
        'partitions, consumer batch size and log level apply',
    ],
    stop: conns.close,
  };
}

async function connectClients(natsUrl: string, databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  const nc = await connect({ servers: natsUrl, name: 'tally-bench' });
  const jsm = await jetstreamManager(nc);
  return {
    pg: client,
    nc,
    jsm,
    close: async () => {
      await Promise.allSettled([client.end(), nc.close()]);
    },
  };
}
