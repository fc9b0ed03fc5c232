import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { migrationChecksum } from './checksum.js';
import { readMigrations } from './migrations-dir.js';
import { migrationsFolder } from './test-support.js';

describe('migrationChecksum', () => {
  it('is the lowercase hex SHA-256 of the bytes', () => {
    assert.equal(
      migrationChecksum(Buffer.from('abc')),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('readMigrations', () => {
  it('sorts folders by name and ignores migration_lock.toml', async (t) => {
    const dir = await migrationsFolder(t, {
      '20240202000000_b': 'SELECT 2;',
      '20240101000000_a': 'SELECT 1;',
    });
    await writeFile(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');

    const migrations = await readMigrations(dir);

    assert.deepEqual(
      migrations.map((m) => [m.name, m.script]),
      [
        ['20240101000000_a', 'SELECT 1;'],
        ['20240202000000_b', 'SELECT 2;'],
      ],
    );
    assert.equal(migrations[0]?.checksum, migrationChecksum(Buffer.from('SELECT 1;')));
  });

  it('names a folder that has no migration.sql', async (t) => {
    const dir = await migrationsFolder(t, {});
    await mkdir(join(dir, '20240101000000_empty'));
    await assert.rejects(
      readMigrations(dir),
      /"20240101000000_empty" has no readable migration\.sql/,
    );
  });

  it('names a migrations folder that does not exist', async () => {
    await assert.rejects(readMigrations('/nonexistent/migrations'), /\/nonexistent\/migrations/);
  });
});
