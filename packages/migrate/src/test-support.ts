import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';

const SERVER_URL = 'postgresql://postgres@127.0.0.1:5432';

export const INIT = '20240101000000_init';
export const ADD_EVENT = '20240202000000_add_event';

/** Two migrations where the second needs the first (foreign key), so order matters. */
export const TWO_MIGRATIONS: Record<string, string> = {
  [INIT]: `-- CreateTable (comment with non-ASCII bytes: café)
CREATE TABLE "Account" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Account_name_key" ON "Account"("name");
`,
  [ADD_EVENT]: `CREATE TABLE "Event" (
    "id" SERIAL NOT NULL,
    "accountId" TEXT NOT NULL,
    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

ALTER TABLE "Event" ADD CONSTRAINT "Event_accountId_fkey"
    FOREIGN KEY ("accountId") REFERENCES "Account"("id");
`,
};

/** Creates an empty database for one test and drops it when the test ends. */
export async function freshDatabase(t: TestContext): Promise<string> {
  const name = `tally_migrate_test_${randomBytes(6).toString('hex')}`;
  await withClient(`${SERVER_URL}/postgres`, (c) => c.query(`CREATE DATABASE ${name}`));
  t.after(() =>
    withClient(`${SERVER_URL}/postgres`, (c) => c.query(`DROP DATABASE ${name} WITH (FORCE)`)),
  );
  return `${SERVER_URL}/${name}`;
}

export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Writes `<tmp>/<name>/migration.sql` for each entry; removed when the test ends. */
export async function migrationsFolder(
  t: TestContext,
  migrations: Record<string, string>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tally-migrate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeMigrations(dir, migrations);
  return dir;
}

export async function writeMigrations(dir: string, migrations: Record<string, string>) {
  for (const [name, sql] of Object.entries(migrations)) {
    await mkdir(join(dir, name), { recursive: true });
    await writeFile(join(dir, name, 'migration.sql'), sql);
  }
}

export interface BookkeepingRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

export function bookkeepingRows(url: string, schema = 'public'): Promise<BookkeepingRow[]> {
  return withClient(url, async (c) => {
    const result = await c.query<BookkeepingRow>(
      `SELECT id, checksum, migration_name, finished_at, rolled_back_at, logs, applied_steps_count
         FROM ${pg.escapeIdentifier(schema)}._prisma_migrations ORDER BY started_at, migration_name`,
    );
    return result.rows;
  });
}

export function tableExists(url: string, qualifiedName: string): Promise<boolean> {
  return withClient(url, async (c) => {
    const result = await c.query<{ oid: string | null }>('SELECT to_regclass($1) AS oid', [
      qualifiedName,
    ]);
    return (result.rows[0]?.oid ?? null) !== null;
  });
}
