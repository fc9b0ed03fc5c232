import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from 'pg';
import { createWatchedTestDatabase, waitFor } from './entry.js';

test('a watched database: the admin client sees and ends other backends, close drops it', async () => {
  const watched = await createWatchedTestDatabase();
  const other = new Client({ connectionString: watched.db.url });
  // The terminate below ends this connection on purpose.
  other.on('error', () => undefined);
  await other.connect();
  const { rows } = await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = rows[0]!.pid;

  await watched.terminateBackend(pid);
  await assert.rejects(other.query('SELECT 1'));
  const backends = async () =>
    (
      await watched.admin.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1',
        [pid],
      )
    ).rows[0]?.n;
  await waitFor(async () => (await backends()) === 0, { timeoutMs: 5_000, what: 'backend gone' });

  await watched.close();
  await assert.rejects(
    (async () => {
      const after = new Client({ connectionString: watched.db.url });
      try {
        await after.connect();
      } finally {
        await after.end().catch(() => undefined);
      }
    })(),
    (err: unknown) => (err as { code?: string }).code === '3D000',
  );
  await other.end().catch(() => undefined);
});
