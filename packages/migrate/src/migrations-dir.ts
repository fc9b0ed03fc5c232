import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { migrationChecksum } from './checksum.js';
import type { LocalMigration } from './types.js';

/** Reads `<dir>/<name>/migration.sql` for every sub-folder, sorted by folder name like Prisma. */
export async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  const names = await migrationFolderNames(migrationsDir);
  const migrations: LocalMigration[] = [];
  for (const name of names) migrations.push(await readMigration(migrationsDir, name));
  return migrations;
}

async function migrationFolderNames(migrationsDir: string): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((err: unknown) => {
    throw new Error(`Cannot read migrations folder "${migrationsDir}": ${messageOf(err)}`);
  });
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort(compareCodeUnits);
}

async function readMigration(migrationsDir: string, name: string): Promise<LocalMigration> {
  const file = join(migrationsDir, name, 'migration.sql');
  const bytes = await readFile(file).catch((err: unknown) => {
    throw new Error(`Migration "${name}" has no readable migration.sql (${messageOf(err)})`);
  });
  return { name, script: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
}

// Locale-independent ordering, so every machine applies migrations in the same order.
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
