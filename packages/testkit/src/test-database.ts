import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { LOCAL_POSTGRES_URL, POSTGRES_START_COMMAND, testDatabaseUrlFromEnv } from './config.js';
import { containerPostgresUrl } from './container-postgres.js';
import { dockerEngineReachable } from './docker-engine.js';
import { GiveUpWaiting, waitFor } from './wait-for.js';

export interface TestDatabaseOptions {
  /**
   * A server URL to create the database on. Without one: TEST_DATABASE_URL, else a Postgres
   * container when a Docker engine answers, else the local server.
   */
  baseUrl?: string;
}

/** Which server the database was created on. */
export type TestDatabaseSource = 'baseUrl' | 'TEST_DATABASE_URL' | 'testcontainers' | 'local';

export interface TestDatabaseHandle {
  /** postgres://…/tally_test_<hex> */
  readonly url: string;
  readonly name: string;
  readonly source: TestDatabaseSource;
  /** Terminates other connections, then drops the database; safe to call twice. */
  drop(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 3_000;

export async function createTestDatabase(
  opts: TestDatabaseOptions = {},
): Promise<TestDatabaseHandle> {
  const { url: adminUrl, source } = await resolveServer(opts);
  const name = `tally_test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, async (client) => {
    await waitFor(
      async () => {
        try {
          await client.query(`CREATE DATABASE ${escapeIdentifier(name)}`);
          return true;
        } catch (err) {
          // 55006: the template database is briefly in use by a concurrent CREATE DATABASE.
          if (sqlState(err) === '55006') throw err;
          throw new GiveUpWaiting(`CREATE DATABASE ${name} failed: ${message(err)}`, {
            cause: err,
          });
        }
      },
      { timeoutMs: 10_000, intervalMs: 100, what: `CREATE DATABASE ${name}` },
    );
  });

  let dropped = false;
  return {
    url: withDatabase(adminUrl, name),
    name,
    source,
    async drop() {
      if (dropped) return;
      await withClient(adminUrl, async (client) => {
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        const version = await client.query<{ v: number }>(
          "SELECT current_setting('server_version_num')::int AS v",
        );
        // FORCE (PG 13+) also covers a client reconnecting between the two statements.
        const force = (version.rows[0]?.v ?? 0) >= 130_000 ? ' WITH (FORCE)' : '';
        await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)}${force}`);
      });
      dropped = true;
    },
  };
}

async function resolveServer(
  opts: TestDatabaseOptions,
): Promise<{ url: string; source: TestDatabaseSource }> {
  const explicit: Array<[string | undefined, TestDatabaseSource]> = [
    [opts.baseUrl, 'baseUrl'],
    [testDatabaseUrlFromEnv(), 'TEST_DATABASE_URL'],
  ];
  for (const [url, source] of explicit) {
    if (url === undefined) continue;
    // A configured server that does not answer is an error, not a reason to
    // silently use a different one.
    try {
      await withClient(url, (client) => client.query('SELECT 1'));
    } catch (err) {
      throw new Error(`Postgres from ${source} (${redact(url)}) does not answer: ${message(err)}`, {
        cause: err,
      });
    }
    return { url, source };
  }
  if (await dockerEngineReachable()) {
    return { url: await containerPostgresUrl(), source: 'testcontainers' };
  }
  try {
    await withClient(LOCAL_POSTGRES_URL, (client) => client.query('SELECT 1'));
  } catch (err) {
    throw new Error(
      `No Postgres for tests: TEST_DATABASE_URL is not set and ${LOCAL_POSTGRES_URL} does not answer ` +
        `(${message(err)}). Start the local server with:\n  ${POSTGRES_START_COMMAND}\n` +
        'or set TEST_DATABASE_URL to a server where databases may be created.',
      { cause: err },
    );
  }
  return { url: LOCAL_POSTGRES_URL, source: 'local' };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // Without a listener, a server-side disconnect would crash the test process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function redact(serverUrl: string): string {
  try {
    const url = new URL(serverUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function sqlState(err: unknown): string | undefined {
  const code =
    typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
