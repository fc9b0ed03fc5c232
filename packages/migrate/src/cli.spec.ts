import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runNodeScript } from '@tally/testkit';
import {
  ADD_EVENT,
  freshDatabase,
  INIT,
  migrationsFolder,
  TWO_MIGRATIONS,
} from './test-support.js';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));

const runCli = (args: string[], env: Record<string, string>) => runNodeScript(CLI, args, { env });

describe('tally-migrate CLI', () => {
  for (const [label, env] of [
    ['missing', {}],
    ['not a URL', { DATABASE_URL: 'not a url' }],
    ['not Postgres', { DATABASE_URL: 'mysql://root@127.0.0.1/db' }],
  ] as const) {
    it(`exits 1 naming DATABASE_URL when it is ${label}`, async () => {
      const run = await runCli(['--dir', '/tmp'], env);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /DATABASE_URL is (not set|invalid)/);
      assert.equal(run.stdout, '');
    });
  }

  it('exits 1 with usage when --dir is missing', async () => {
    const run = await runCli([], { DATABASE_URL: 'postgresql://postgres@127.0.0.1/x' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--dir/);
    assert.match(run.stderr, /Usage: tally-migrate/);
  });

  it('prints one line per applied migration, then nothing pending', async (t) => {
    const DATABASE_URL = await freshDatabase(t);
    const dir = await migrationsFolder(t, TWO_MIGRATIONS);

    const first = await runCli(['--dir', dir], { DATABASE_URL });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `Applied ${INIT}\nApplied ${ADD_EVENT}\n`);

    const second = await runCli([`--dir=${dir}`], { DATABASE_URL });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'No pending migrations (2 already applied).\n');
  });

  it('exits 1 naming the migration that failed', async (t) => {
    const DATABASE_URL = await freshDatabase(t);
    const dir = await migrationsFolder(t, { '20240101000000_bad': 'SELECT 1/0;' });

    const run = await runCli(['--dir', dir], { DATABASE_URL });

    assert.equal(run.code, 1);
    assert.match(run.stderr, /Migration "20240101000000_bad" failed/);
  });
});
