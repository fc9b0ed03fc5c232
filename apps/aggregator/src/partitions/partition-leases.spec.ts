import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigService } from '@nestjs/config';
import type { PartitionWork } from '@tally/nats';
import { createWatchedTestDatabase, waitFor, type WatchedTestDatabase } from '@tally/testkit';
import type { AggregatorConfig } from '../config/aggregator.config.js';
import { PartitionLeases } from './partition-leases.js';

const PARTITIONS = 2;

/** Issue 12, #15: losing the lease session releases the partitions and reconnects. */
describe('PartitionLeases when the server terminates the lease session', () => {
  let watched: WatchedTestDatabase;

  before(async () => {
    watched = await createWatchedTestDatabase();
  });
  after(async () => {
    await watched?.close();
  });

  const leaseBackends = async () =>
    (
      await watched.admin.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'tally-aggregator-lease' AND datname = current_database()",
      )
    ).rows.map((row) => row.pid);

  it('releases every partition, reconnects and takes them again, without an uncaught error', async () => {
    const leases = new PartitionLeases(
      new ConfigService<AggregatorConfig, true>({ databaseUrl: watched.db.url }),
    );
    const held = new Set<number>();
    const released: number[] = [];
    const work = async ({ partition, signal }: PartitionWork) => {
      held.add(partition);
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      // Like a consumer finishing its batch: the lost session's second 'error' arrives meanwhile.
      await watched.admin.query('SELECT 1');
      held.delete(partition);
      released.push(partition);
    };
    const stop = new AbortController();
    const running = leases.run('test', PARTITIONS, work, stop.signal);
    try {
      await waitFor(async () => held.size === PARTITIONS, { timeoutMs: 10_000, what: 'leases' });
      assert.equal(leases.connected, true);
      const [first] = await leaseBackends();
      assert.ok(first !== undefined, 'a lease session');
      // The server sends an error, then closes: pg emits 'error' twice on the session.
      await watched.terminateBackend(first);
      await waitFor(async () => released.length === PARTITIONS, {
        timeoutMs: 10_000,
        what: 'the partitions to be released',
      });
      await waitFor(async () => held.size === PARTITIONS, {
        timeoutMs: 20_000,
        what: 'the partitions to be taken again',
      });
      assert.equal(leases.connected, true);
      assert.notDeepEqual(await leaseBackends(), [first], 'a new session');
    } finally {
      stop.abort();
      await running;
    }
    assert.equal(leases.connected, false);
    assert.equal(held.size, 0);
  });
});
