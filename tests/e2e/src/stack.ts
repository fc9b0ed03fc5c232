import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { STREAMS, SUBJECTS } from '@tally/contracts';
import { applyMigrations } from '@tally/migrate';
import {
  appMigrations,
  assertBuilt,
  createTestDatabase,
  startNatsCluster,
  startNatsServer,
  startServiceProcess,
  waitFor,
  type AppProcessHandle,
  type NatsServerHandle,
  type ServiceProcess,
  type TestDatabaseHandle,
} from '@tally/testkit';
import pg from 'pg';

/** Gateway `ADMIN_TOKEN` of the e2e stack. */
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

export interface Stack {
  readonly partitions: number;
  readonly gatewayUrl: string;
  readonly writeKey: string;
  readonly readKey: string;
  /** Changes alert rules (a write key may not). */
  readonly manageKey: string;
  /** The (first) nats-server; with a cluster, every node is in `natsNodes`. */
  readonly nats: NatsServerHandle;
  readonly natsNodes: NatsServerHandle[];
  readonly db: TestDatabaseHandle;
  readonly gateway: AppProcessHandle;
  readonly ingest: AppProcessHandle;
  readonly aggregator: AppProcessHandle;
  /** Only when apps/notifier/dist/main.js exists and became ready. */
  readonly notifier: AppProcessHandle | undefined;
  readonly notifierReadyUrl: string | undefined;
  /** Direct read access for idle checks (the test's, not an app's). */
  readonly pg: pg.Client;
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  /** Things worth reporting (e.g. an app that was left out). */
  readonly notes: string[];
  /** Another gateway with the same environment on its own port, stopped with the stack. */
  startGatewayReplica(name: string): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export function log(message: string): void {
  console.log(`[e2e ${new Date().toISOString().slice(11, 23)}] ${message}`);
}

export interface StackOptions {
  /** 1: one private nats-server; 3: a JetStream cluster on loopback, streams with 3 replicas. */
  natsNodes?: 1 | 3;
}

async function startNats(
  nodes: 1 | 3,
): Promise<{ nodes: NatsServerHandle[]; stop(): Promise<void> }> {
  if (nodes === 1) {
    const server = await startNatsServer();
    return { nodes: [server], stop: () => server.stop() };
  }
  const cluster = await startNatsCluster(nodes);
  return { nodes: cluster.nodes, stop: () => cluster.stop() };
}

/** nats-server, a fresh database, migrations, then ingest, aggregator, gateway (and notifier). */
export async function startStack(partitions = 4, options: StackOptions = {}): Promise<Stack> {
  const notes: string[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => log(`cleanup failed: ${String(err)}`));
    }
    cleanups.length = 0;
  };
  try {
    const started = Date.now();
    const natsNodes = options.natsNodes ?? 1;
    const broker = await startNats(natsNodes);
    cleanups.push(() => broker.stop());
    const nats = broker.nodes[0] as NatsServerHandle;
    const natsUrl = broker.nodes.map((node) => node.url).join(',');
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const migrated = await applyMigrations({
      databaseUrl: db.url,
      migrationsDir: appMigrations('aggregator'),
    });
    log(
      `nats ${natsUrl}, database ${db.name} (${db.source}), migrations ${migrated.applied.join(',')}`,
    );

    const writeKey = 'e2e-write-key-0123456789abcdef';
    const readKey = 'e2e-read-key-0123456789abcdef';
    const manageKey = 'e2e-manage-key-0123456789abcdef';
    const apiKeys = JSON.stringify([
      { key: writeKey, projectId: 'p1', kind: 'write' },
      { key: readKey, projectId: 'p1', kind: 'read' },
      { key: manageKey, projectId: 'p1', kind: 'manage' },
    ]);
    const common = {
      NATS_URL: natsUrl,
      LOG_LEVEL: 'info',
      TALLY_PARTITIONS: String(partitions),
      STREAM_REPLICAS: String(natsNodes),
    };

    const app = async (appName: string, env: Record<string, string>, name = appName) => {
      const service = await startServiceProcess(appName, { name, env });
      cleanups.push(() => service.handle.kill('SIGTERM'));
      return service;
    };

    // Ingest provisions the events stream that the aggregator consumes, so it goes first.
    const ingest = await app('ingest', common);
    const gatewayEnv = {
      NATS_URL: natsUrl,
      LOG_LEVEL: 'info',
      TALLY_API_KEYS: apiKeys,
      ADMIN_TOKEN: E2E_ADMIN_TOKEN,
      // The suites send and poll as fast as they can: limits that never refuse (the limiter still
      // runs); limits themselves are tested in the gateway's own tests.
      RATE_LIMIT_WRITE_EVENTS_PER_SECOND: '10000000',
      RATE_LIMIT_READ_REQUESTS_PER_SECOND: '1000000',
    };
    const [aggregator, gateway] = await Promise.all([
      app('aggregator', { ...common, DATABASE_URL: db.url }),
      app('gateway', gatewayEnv),
    ]);

    let notifier: AppProcessHandle | undefined;
    let notifierReadyUrl: string | undefined;
    try {
      // NOTE: checked before its database is created; startServiceProcess would only see a
      // missing build after that.
      assertBuilt('notifier');
      // The notifier owns its own schema; it gets its own database.
      const notifierDb = await createTestDatabase();
      cleanups.push(() => notifierDb.drop());
      await applyMigrations({
        databaseUrl: notifierDb.url,
        migrationsDir: appMigrations('notifier'),
      });
      const started = await app('notifier', {
        NATS_URL: natsUrl,
        LOG_LEVEL: 'info',
        STREAM_REPLICAS: String(natsNodes),
        DATABASE_URL: notifierDb.url,
        // Webhook receivers in tests listen on loopback; rules are re-evaluated every second.
        WEBHOOK_ALLOW_PRIVATE: '127.0.0.1/32',
        ALERT_EVAL_INTERVAL: '1s',
      });
      notifier = started.handle;
      notifierReadyUrl = started.readyUrl;
    } catch (err) {
      const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      notes.push(`notifier not started: ${first}`);
    }

    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    cleanups.push(() => client.end());
    const nc = await connect({
      servers: broker.nodes.map((node) => node.url),
      name: 'tally-e2e',
      maxReconnectAttempts: -1,
    });
    cleanups.push(() => nc.close());
    const jsm = await jetstreamManager(nc);

    for (const note of notes) log(note);
    log(
      `stack ready in ${Date.now() - started} ms: gateway :${gateway.port}, ingest :${ingest.port}, ` +
        `aggregator :${aggregator.port}${notifier ? ', notifier' : ''} (partitions ${partitions})`,
    );
    return {
      partitions,
      gatewayUrl: gateway.origin,
      writeKey,
      readKey,
      manageKey,
      nats,
      natsNodes: broker.nodes,
      db,
      gateway: gateway.handle,
      ingest: ingest.handle,
      aggregator: aggregator.handle,
      notifier,
      notifierReadyUrl,
      pg: client,
      nc,
      jsm,
      notes,
      startGatewayReplica: (name) => app('gateway', gatewayEnv, name),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface IdleState {
  /** Stored offset per partition (0 when the partition has none yet). */
  offsets: number[];
  /** Stream sequence of the last message on each partition's subject (0 when none). */
  lastSeqs: number[];
  streamLastSeq: number;
  streamMessages: number;
  deadLetters: number;
}

export async function readIdleState(stack: Stack): Promise<IdleState> {
  const rows = await stack.pg.query<{ partition: number; seq: string }>(
    'SELECT partition, seq::text AS seq FROM partition_offsets',
  );
  const offsets = Array.from({ length: stack.partitions }, () => 0);
  for (const row of rows.rows) {
    if (row.partition >= stack.partitions) throw new Error(`unexpected partition ${row.partition}`);
    offsets[row.partition] = Number(row.seq);
  }
  const lastSeqs = await Promise.all(
    offsets.map(async (_, p) => {
      const msg = await stack.jsm.streams.getMessage(STREAMS.events.name, {
        last_by_subj: SUBJECTS.events(p),
      });
      return msg?.seq ?? 0;
    }),
  );
  const info = await stack.jsm.streams.info(STREAMS.events.name);
  let deadLetters = 0;
  try {
    deadLetters = (await stack.jsm.streams.info(STREAMS.dead.name)).state.messages;
  } catch {
    deadLetters = 0; // no dead-letter stream yet: nothing was dead-lettered
  }
  return {
    offsets,
    lastSeqs,
    streamLastSeq: info.state.last_seq,
    streamMessages: info.state.messages,
    deadLetters,
  };
}

/**
 * The aggregator is idle when every partition's stored offset has reached the last stream
 * sequence on that partition's subject, and so the highest offset is the stream's last sequence.
 */
export async function waitUntilAggregatorIdle(
  stack: Stack,
  timeoutMs = 30_000,
): Promise<IdleState> {
  return waitFor(
    async () => {
      const state = await readIdleState(stack);
      const caughtUp = state.offsets.every((offset, p) => offset === state.lastSeqs[p]);
      const top = Math.max(...state.offsets);
      return caughtUp && top === state.streamLastSeq ? state : false;
    },
    { timeoutMs, intervalMs: 100, what: 'the aggregator to commit up to the end of TALLY_EVENTS' },
  );
}

/** warn/error lines (pino level ≥ 40) of an app, the last `max` of them. */
export function problemLines(handle: AppProcessHandle | undefined, max = 20): string[] {
  if (!handle) return [];
  return handle
    .logs()
    .split('\n')
    .filter((line) => /"level":(4|5|6)\d/.test(line) || /^\s*(Error|TypeError|at )/.test(line))
    .slice(-max);
}

export function dumpProblems(stack: Stack | undefined): void {
  if (!stack) return;
  for (const handle of [stack.gateway, stack.ingest, stack.aggregator, stack.notifier]) {
    if (!handle) continue;
    const lines = problemLines(handle);
    log(`${handle.name}: ${lines.length} recent warn/error lines (log: ${handle.logFile})`);
    for (const line of lines) console.log(`  ${line.slice(0, 600)}`);
  }
}

/**
 * For a failing count: how many stored event batches and events since `afterSeq` repeat an
 * earlier one (by batch id and by event id), so a double count can be located.
 */
export async function storedDuplicates(
  stack: Stack,
  afterSeq: number,
): Promise<{ messages: number; repeatedBatches: number; repeatedEvents: number }> {
  const info = await stack.jsm.streams.info(STREAMS.events.name);
  const batches = new Set<string>();
  const events = new Set<string>();
  let repeatedBatches = 0;
  let repeatedEvents = 0;
  let messages = 0;
  for (let seq = afterSeq + 1; seq <= info.state.last_seq; seq++) {
    const msg = await stack.jsm.streams.getMessage(STREAMS.events.name, { seq });
    if (!msg) continue;
    messages++;
    const batch = msg.json<{ batchId: string; events: Array<{ id: string }> }>();
    if (batches.has(batch.batchId)) repeatedBatches++;
    batches.add(batch.batchId);
    for (const event of batch.events) {
      if (events.has(event.id)) repeatedEvents++;
      events.add(event.id);
    }
  }
  return { messages, repeatedBatches, repeatedEvents };
}
