import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { STREAMS, SUBJECTS, type StoredEventBatch } from '@tally/contracts';
import { applyMigrations } from '@tally/migrate';
import {
  appMigrations,
  createTestDatabase,
  GiveUpWaiting,
  startNatsServer,
  startPrivatePostgres,
  startServiceProcess,
  waitFor,
  type NatsServerHandle,
  type PrivatePostgresHandle,
  type ServiceProcess,
  type TestDatabaseHandle,
} from '@tally/testkit';
import pg from 'pg';
import { log } from './stack.js';

const PARTITIONS = 2;
const EVENTS_PER_BATCH = 10;
/** The load's pace: one stored batch per tick, as ingest would store a stream of requests. */
const LOAD_TICK_MS = 20;
const RECOVERY_TIMEOUT_MS = 60_000;

/** A batch of `EVENTS_PER_BATCH` click events as ingest stores it, with its dedupe id. */
function storedBatch(n: number): { subject: string; batch: StoredEventBatch } {
  const partition = n % PARTITIONS;
  const now = Date.now();
  const events = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => ({
    id: crypto.randomUUID(),
    type: 'click' as const,
    dimension: 'buy-button',
    userId: `u${(n * EVENTS_PER_BATCH + i) % 50}`,
    timestamp: now,
    receivedAt: now,
  }));
  const batch = { v: 1 as const, batchId: `restart-${n}`, projectId: 'p1', partition, events };
  return { subject: SUBJECTS.events(partition), batch };
}

/**
 * Publishes batches until stopped; resolves to how many events were stored. NOTE: the delay paces
 * the load (about 500 events/s, so the blip meets traffic without flooding a 2-core machine); no
 * outcome waits on it.
 */
function startLoad(js: JetStreamClient): { stop(): Promise<number> } {
  let running = true;
  const done = (async () => {
    let n = 0;
    while (running) {
      const { subject, batch } = storedBatch(n);
      await js.publish(subject, JSON.stringify(batch), { msgID: batch.batchId });
      n++;
      await delay(LOAD_TICK_MS);
    }
    return n * EVENTS_PER_BATCH;
  })();
  return {
    stop: () => {
      running = false;
      return done;
    },
  };
}

/** A connection of the test's own for one piece of work (the server comes and goes). */
async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The day rollups' total count. */
async function countedEvents(url: string): Promise<number> {
  const { rows } = await withClient(url, (client) =>
    client.query<{ n: string }>(
      "SELECT coalesce(sum(count), 0) AS n FROM rollups WHERE granularity = 'day'",
    ),
  );
  return Number(rows[0]?.n ?? 0);
}

/** `/readyz`'s status (0: no answer); gives up waiting once the process has exited. */
async function readyStatus(service: ServiceProcess): Promise<number> {
  const exit = service.handle.exit;
  if (exit) throw new GiveUpWaiting(`${service.handle.name} exited: ${JSON.stringify(exit)}`);
  try {
    return (await fetch(service.readyUrl)).status;
  } catch {
    return 0;
  }
}

/** Every partition's consumer has nothing left to deliver or to be acked. */
async function aggregatorIdle(jsm: JetStreamManager): Promise<boolean> {
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const info = await jsm.consumers.info(STREAMS.events.name, `aggregator-p${partition}`);
    if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
  }
  return true;
}

/**
 * Issue 12, #15: Postgres crashing and coming back under load must not kill a service. Aggregator
 * and notifier run as processes against a private Postgres (never the machine's shared one) while
 * stored batches flow; the server is stopped with `pg_ctl stop -m immediate` and started again.
 */
describe('a Postgres restart under load (issue 12, #15)', () => {
  let postgres: PrivatePostgresHandle;
  let rollupsDb: TestDatabaseHandle;
  let alertsDb: TestDatabaseHandle;
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let aggregator: ServiceProcess;
  let notifier: ServiceProcess;

  before(async () => {
    postgres = await startPrivatePostgres();
    rollupsDb = await createTestDatabase({ baseUrl: postgres.url });
    alertsDb = await createTestDatabase({ baseUrl: postgres.url });
    await applyMigrations({
      databaseUrl: rollupsDb.url,
      migrationsDir: appMigrations('aggregator'),
    });
    await applyMigrations({ databaseUrl: alertsDb.url, migrationsDir: appMigrations('notifier') });
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    // Ingest provisions the events stream in the real stack; the aggregator only consumes it.
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ ...STREAMS.events, subjects: [...STREAMS.events.subjects] });
    const common = { NATS_URL: nats.url, LOG_LEVEL: 'info' };
    aggregator = await startServiceProcess('aggregator', {
      env: { ...common, DATABASE_URL: rollupsDb.url, TALLY_PARTITIONS: String(PARTITIONS) },
    });
    notifier = await startServiceProcess('notifier', {
      env: { ...common, DATABASE_URL: alertsDb.url },
    });
  });

  after(async () => {
    await aggregator?.handle.kill();
    await notifier?.handle.kill();
    await nc?.close();
    await nats?.stop();
    await postgres?.stop();
  });

  const exits = () => ({ aggregator: aggregator.handle.exit, notifier: notifier.handle.exit });
  const noneExited = { aggregator: undefined, notifier: undefined };
  let load: { stop(): Promise<number> };

  async function waitUntilReady(): Promise<void> {
    for (const service of [aggregator, notifier]) {
      await waitFor(async () => (await readyStatus(service)) === 200, {
        timeoutMs: RECOVERY_TIMEOUT_MS,
        what: `${service.handle.name} /readyz to say ready`,
      });
    }
  }

  async function waitUntilCountingGoesOn(): Promise<void> {
    const counted = await countedEvents(rollupsDb.url);
    await waitFor(async () => (await countedEvents(rollupsDb.url)) > counted, {
      timeoutMs: RECOVERY_TIMEOUT_MS,
      what: `counting to go on past ${counted}`,
    });
  }

  it('survives the server terminating every app connection', async () => {
    load = startLoad(jetstream(nc));
    await waitUntilCountingGoesOn();
    // NOTE: a terminated backend sends its client an error and then closes, so each client emits
    // 'error' twice: the lease session's once-listener took only the first (the exit in #15).
    const terminated = await withClient(postgres.url, (client) =>
      client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'tally-%'",
      ),
    );
    log(`terminated ${terminated.rowCount} app connections`);
    assert.ok((terminated.rowCount ?? 0) >= 3, 'pools and lease session were connected');
    await waitUntilReady();
    await waitUntilCountingGoesOn();
    assert.deepEqual(exits(), noneExited, 'no process exited');
    assert.match(aggregator.handle.logs(), /lease session lost/);
  });

  it('survives pg_ctl stop -m immediate and a start, unready in between', async () => {
    await postgres.crash();
    log('postgres stopped (-m immediate)');
    for (const service of [aggregator, notifier]) {
      await waitFor(async () => (await readyStatus(service)) === 503, {
        timeoutMs: RECOVERY_TIMEOUT_MS,
        what: `${service.handle.name} /readyz to say unready`,
      });
    }
    assert.deepEqual(exits(), noneExited, 'no process exited while Postgres was down');
    await postgres.start();
    await waitUntilReady();
    await waitUntilCountingGoesOn();
    assert.deepEqual(exits(), noneExited, 'no process exited');
  });

  it('has counted every stored event exactly once', async () => {
    const published = await load.stop();
    await waitFor(async () => (await countedEvents(rollupsDb.url)) >= published, {
      timeoutMs: RECOVERY_TIMEOUT_MS,
      what: `all ${published} events counted`,
    });
    // A late double count must not hide behind an early match.
    await waitFor(() => aggregatorIdle(jsm), { timeoutMs: RECOVERY_TIMEOUT_MS, what: 'idle' });
    assert.equal(await countedEvents(rollupsDb.url), published, 'every stored event counted once');
    assert.deepEqual(exits(), noneExited, 'no process exited');
  });
});
