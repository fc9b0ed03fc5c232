import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { STREAMS } from '@tally/contracts';
import { applyMigrations } from '@tally/migrate';
import { JetStreamProvisioner, NatsConnection } from '@tally/nats';
import {
  appEntry,
  appMigrations,
  assertBuilt,
  createTestDatabase,
  startAppProcess,
  startNatsServer,
  waitFor,
  type AppProcessHandle,
  type ExitInfo,
  type NatsServerHandle,
  type TestDatabaseHandle,
} from '@tally/testkit';

const PARTITIONS = 4;
const START_TIMEOUT_MS = 30_000;

/** The `msg` of each JSON log line, in order. */
function logMessages(app: AppProcessHandle): string[] {
  return app
    .logs()
    .split('\n')
    .flatMap((line) => {
      try {
        const msg = (JSON.parse(line) as { msg?: unknown }).msg;
        return typeof msg === 'string' ? [msg] : [];
      } catch {
        return [];
      }
    });
}

function occurrences(messages: string[], msg: string): number {
  return messages.filter((m) => m === msg).length;
}

/**
 * A moment of start-up: right after the `nth` log line whose `msg` is `msg` (nth 0: at spawn), or
 * `afterMs` after spawn, for the module initialisation whose log lines Nest buffers until it ends.
 */
type StopPoint = { msg: string; nth: number } | { afterMs: number };

/**
 * From spawn, through Nest's start, to each partition's lease and each runner's first pull: the
 * runners' start-up awaits lie between a partition's 'partition acquired' and its 'consuming'.
 */
const STOP_POINTS: StopPoint[] = [
  { msg: 'spawned', nth: 0 },
  ...[100, 200, 400, 800].map((afterMs) => ({ afterMs })),
  { msg: 'Nest application successfully started', nth: 1 },
  ...Array.from({ length: PARTITIONS }, (_, i) => ({ msg: 'partition acquired', nth: i + 1 })),
  ...Array.from({ length: PARTITIONS }, (_, i) => ({ msg: 'consuming', nth: i + 1 })),
];

function describePoint(at: StopPoint): string {
  return 'afterMs' in at ? `${at.afterMs} ms` : `${at.msg} #${at.nth}`;
}

/**
 * Nest shuts down on SIGTERM and then re-raises it, so a clean stop ends by signal SIGTERM; the
 * testkit SIGKILLs a process that is still running 10 s after SIGTERM.
 */
const STOPPED_CLEANLY = { code: null, signal: 'SIGTERM' };

/**
 * Issue 12, #16: a SIGTERM at any moment of the aggregator's start-up must end it. The process is
 * stopped right after each of its start-up log lines in turn, from spawn until every partition
 * is consuming.
 */
describe('aggregator stopped at any moment of its start-up (issue 12, #16)', () => {
  let nats: NatsServerHandle;
  let db: TestDatabaseHandle;
  let env: Record<string, string>;
  const entry = appEntry('aggregator');

  before(async () => {
    assertBuilt('aggregator', entry);
    nats = await startNatsServer();
    db = await createTestDatabase();
    await applyMigrations({ databaseUrl: db.url, migrationsDir: appMigrations('aggregator') });
    // Ingest provisions the events stream in the real stack; the aggregator only consumes it.
    const connection = await NatsConnection.open({ servers: [nats.url], name: 'test' });
    await new JetStreamProvisioner(connection).ensureStreams([STREAMS.events]);
    await connection.onApplicationShutdown();
    env = {
      NATS_URL: nats.url,
      DATABASE_URL: db.url,
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      TALLY_PARTITIONS: String(PARTITIONS),
    };
  });

  after(async () => {
    await nats?.stop();
    await db?.drop();
  });

  const start = (name: string) => startAppProcess({ name, entry, env });

  /** Starts one aggregator and stops it at `at`; returns how it ended. */
  async function stopAt(at: StopPoint): Promise<ExitInfo | undefined> {
    const app = await start(`aggregator-stop-at-${describePoint(at).replaceAll(' ', '-')}`);
    if ('afterMs' in at) {
      // NOTE: sampling a moment of start-up, not waiting for an outcome.
      await delay(at.afterMs);
    } else {
      await waitFor(async () => occurrences(logMessages(app), at.msg) >= at.nth, {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 5,
        what: `start-up log line ${describePoint(at)}`,
      });
    }
    await app.kill('SIGTERM');
    return app.exit;
  }

  it('ends on SIGTERM at each moment of start-up, up to consuming everywhere', async () => {
    const failures: string[] = [];
    for (const at of STOP_POINTS) {
      const exit = await stopAt(at);
      if (exit?.signal !== STOPPED_CLEANLY.signal || exit.code !== STOPPED_CLEANLY.code) {
        failures.push(`at ${describePoint(at)}: ${JSON.stringify(exit)}`);
      }
    }
    assert.deepEqual(failures, [], 'every stop during start-up ends the process by itself');
  });
});
