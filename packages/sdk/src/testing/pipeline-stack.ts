import { STREAMS } from '@tally/contracts';
import { applyMigrations } from '@tally/migrate';
import {
  appMigrations,
  createTestDatabase,
  startNatsServer,
  startServiceProcess,
  type AppProcessHandle,
} from '@tally/testkit';
import pg from 'pg';

export interface PipelineStack {
  gatewayUrl: string;
  writeKey: string;
  ingest: AppProcessHandle;
  pg: pg.Client;
  /** Messages in the events stream (from the nats-server monitoring endpoint). */
  storedBatches(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The smallest pipeline the SDK's integration test needs: a private nats-server, a fresh
 * database with the aggregator's migrations, then ingest, aggregator and gateway as processes.
 */
export async function startPipelineStack(): Promise<PipelineStack> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const nats = await startNatsServer();
    cleanups.push(() => nats.stop());
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    await applyMigrations({
      databaseUrl: db.url,
      migrationsDir: appMigrations('aggregator'),
    });
    const writeKey = 'sdk-write-key-0123456789abcdef';
    const common = { NATS_URL: nats.url, LOG_LEVEL: 'info', TALLY_PARTITIONS: '2' };
    const app = async (name: string, env: Record<string, string>) => {
      const service = await startServiceProcess(name, { env });
      cleanups.push(() => service.handle.kill('SIGTERM'));
      return service;
    };
    // Ingest provisions the events stream the aggregator consumes, so it goes first.
    const ingest = await app('ingest', common);
    const [, gateway] = await Promise.all([
      app('aggregator', { ...common, DATABASE_URL: db.url }),
      app('gateway', {
        NATS_URL: nats.url,
        LOG_LEVEL: 'info',
        TALLY_API_KEYS: JSON.stringify([{ key: writeKey, projectId: 'sdk', kind: 'write' }]),
        ADMIN_TOKEN: 'sdk-admin-token-0123456789abcdef',
        INGEST_TIMEOUT_MS: '2000',
      }),
    ]);
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    cleanups.push(() => client.end());
    return {
      gatewayUrl: gateway.origin,
      writeKey,
      ingest: ingest.handle,
      pg: client,
      storedBatches: () => streamMessages(nats.monitorPort),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface JszStreams {
  account_details?: Array<{
    stream_detail?: Array<{ name: string; state: { messages: number } }>;
  }>;
}

async function streamMessages(monitorPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${monitorPort}/jsz?streams=true`);
  const jsz = (await response.json()) as JszStreams;
  for (const account of jsz.account_details ?? []) {
    for (const stream of account.stream_detail ?? []) {
      if (stream.name === STREAMS.events.name) return stream.state.messages;
    }
  }
  throw new Error(`no ${STREAMS.events.name} stream on the nats-server`);
}
