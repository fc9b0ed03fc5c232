// Everything the local-stack and test scripts read from the environment, in one place.
// docs/configuration.md documents each variable; keep the two in step.
import path from 'node:path';
import { ROOT } from './proc.mjs';

const env = process.env;

function int(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new Error(`${name} must be a port number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Where the scripts keep their state: logs, pids, a NATS store and a Postgres cluster. */
export const TALLY_HOME = path.resolve(ROOT, env.TALLY_HOME || '.tally');
export const LOG_DIR = path.join(TALLY_HOME, 'logs');
export const PIDS_FILE = path.join(TALLY_HOME, 'pids');

export const PG_ADMIN_URL = env.TALLY_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

function databaseUrl(database) {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export function stackConfig() {
  const project = env.TALLY_DEV_PROJECT || 'demo';
  const writeKey = env.TALLY_DEV_WRITE_KEY || 'tally_dev_write_key';
  const readKey = env.TALLY_DEV_READ_KEY || 'tally_dev_read_key';
  const manageKey = env.TALLY_DEV_MANAGE_KEY || 'tally_dev_manage_key';
  const apiKeys =
    env.TALLY_API_KEYS ||
    JSON.stringify([
      { key: writeKey, projectId: project, kind: 'write' },
      { key: readKey, projectId: project, kind: 'read' },
      { key: manageKey, projectId: project, kind: 'manage' },
    ]);
  return {
    natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222',
    natsMonitorPort: int('TALLY_NATS_MONITOR_PORT', 8222),
    pgAdminUrl: PG_ADMIN_URL,
    aggregatorDatabaseUrl: env.TALLY_AGGREGATOR_DATABASE_URL || databaseUrl('tally'),
    notifierDatabaseUrl: env.TALLY_NOTIFIER_DATABASE_URL || databaseUrl('tally_notifier'),
    // Local development: webhooks to receivers on this machine are allowed (never in production).
    webhookAllowPrivate: env.WEBHOOK_ALLOW_PRIVATE ?? '127.0.0.1/32,::1/128',
    partitions: env.TALLY_PARTITIONS || '8',
    logLevel: env.LOG_LEVEL || 'info',
    readyTimeoutMs: int('TALLY_READY_TIMEOUT_S', 90) * 1_000,
    apiKeys,
    adminToken: env.ADMIN_TOKEN || 'tally_dev_admin_token',
    // The dev stack also carries `pnpm bench --reuse` (~100k events/s through one write key) and
    // `tally-load`: limits far above that unless set, so they never throttle.
    rateLimits: {
      RATE_LIMIT_WRITE_EVENTS_PER_SECOND: env.RATE_LIMIT_WRITE_EVENTS_PER_SECOND || '10000000',
      RATE_LIMIT_WRITE_BURST_EVENTS: env.RATE_LIMIT_WRITE_BURST_EVENTS || '20000000',
      RATE_LIMIT_READ_REQUESTS_PER_SECOND: env.RATE_LIMIT_READ_REQUESTS_PER_SECOND || '1000000',
      RATE_LIMIT_READ_BURST: env.RATE_LIMIT_READ_BURST || '2000000',
    },
    ports: {
      gateway: int('TALLY_GATEWAY_PORT', 3000),
      ingest: int('TALLY_INGEST_PORT', 3001),
      aggregator: int('TALLY_AGGREGATOR_PORT', 3002),
      notifier: int('TALLY_NOTIFIER_PORT', 3003),
    },
  };
}

/** The four apps in start order, with the environment each one gets on top of the caller's. */
export function appSpecs(cfg) {
  const common = { NATS_URL: cfg.natsUrl, LOG_LEVEL: cfg.logLevel };
  return [
    {
      name: 'aggregator',
      port: cfg.ports.aggregator,
      env: { ...common, DATABASE_URL: cfg.aggregatorDatabaseUrl, TALLY_PARTITIONS: cfg.partitions },
    },
    {
      name: 'ingest',
      port: cfg.ports.ingest,
      env: { ...common, TALLY_PARTITIONS: cfg.partitions },
    },
    {
      name: 'notifier',
      port: cfg.ports.notifier,
      env: {
        ...common,
        DATABASE_URL: cfg.notifierDatabaseUrl,
        WEBHOOK_ALLOW_PRIVATE: cfg.webhookAllowPrivate,
      },
    },
    {
      name: 'gateway',
      port: cfg.ports.gateway,
      env: {
        ...common,
        ...cfg.rateLimits,
        TALLY_API_KEYS: cfg.apiKeys,
        ADMIN_TOKEN: cfg.adminToken,
      },
    },
  ].map((app) => ({ ...app, env: { ...app.env, HTTP_PORT: String(app.port) } }));
}

/** The first write, read and manage key in TALLY_API_KEYS, for the printed examples. */
export function exampleKeys(cfg) {
  try {
    const keys = JSON.parse(cfg.apiKeys);
    const find = (kind) => keys.find((k) => k && k.kind === kind);
    return { write: find('write'), read: find('read'), manage: find('manage') };
  } catch {
    return { write: undefined, read: undefined, manage: undefined };
  }
}
