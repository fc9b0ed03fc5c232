import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AlertRuleReply,
  DeliveryLogReply,
  STREAMS,
  SUBJECTS,
  type AlertRuleRequest,
  type Delivery,
} from '@tally/contracts';
import { applyMigrations } from '@tally/migrate';
import {
  appMigrations,
  createTestDatabase,
  startNatsServer,
  startServiceProcess,
  type AppProcessHandle,
  type NatsServerHandle,
  type ServiceProcess,
  type TestDatabaseHandle,
} from '@tally/testkit';
import pg from 'pg';

/** Something the bed closes once its notifiers are gone (a webhook receiver). */
interface Closable {
  close(): Promise<unknown>;
}

/**
 * What the notifier's integration specs run on: a private nats-server, a fresh database with the
 * notifier's migrations, a NATS connection and a pg client for the test, and the built notifiers
 * (dist/main.js) it started.
 */
export class NotifierTestBed {
  private readonly notifiers: AppProcessHandle[] = [];

  private constructor(
    readonly nats: NatsServerHandle,
    readonly db: TestDatabaseHandle,
    readonly nc: NatsConnection,
    readonly sql: pg.Client,
  ) {}

  static async start(): Promise<NotifierTestBed> {
    const [nats, db] = await Promise.all([startNatsServer(), createTestDatabase()]);
    const sql = new pg.Client({ connectionString: db.url });
    try {
      await applyMigrations({ databaseUrl: db.url, migrationsDir: appMigrations('notifier') });
      const nc = await connect({ servers: nats.url });
      await sql.connect();
      return new NotifierTestBed(nats, db, nc, sql);
    } catch (error) {
      // NOTE: no bed to stop() yet, so what was started must not outlive the failed before().
      await Promise.allSettled([sql.end(), nats.stop(), db.drop()]);
      throw error;
    }
  }

  /** Creates the rollup stream, as the aggregator does when it starts. */
  async addRollupsStream(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.streams.add({ name: STREAMS.rollups.name, subjects: [...STREAMS.rollups.subjects] });
  }

  /** Starts the built notifier on this bed; `env` comes on top of its NATS, database and log level. */
  async startNotifier(env: Record<string, string>, name?: string): Promise<ServiceProcess> {
    const started = await startServiceProcess('notifier', {
      name,
      env: { NATS_URL: this.nats.url, DATABASE_URL: this.db.url, LOG_LEVEL: 'info', ...env },
    });
    this.notifiers.push(started.handle);
    return started;
  }

  /** Asks the notifier over NATS, as the gateway does for /v1/alerts. */
  async alertRules(request: AlertRuleRequest): Promise<AlertRuleReply> {
    const reply = await this.nc.request(SUBJECTS.alertRules, JSON.stringify(request), {
      timeout: 5_000,
    });
    return AlertRuleReply.parse(reply.json());
  }

  /** The delivery log of one rule, asked over NATS as the gateway does. */
  async deliveries(projectId: string, ruleId: string): Promise<Delivery[]> {
    const reply = await this.nc.request(
      SUBJECTS.alertDeliveries,
      JSON.stringify({ projectId, ruleId }),
      { timeout: 5_000 },
    );
    const parsed = DeliveryLogReply.parse(reply.json());
    assert.ok(parsed.ok, JSON.stringify(parsed));
    return parsed.deliveries;
  }

  /** Kills the notifiers, closes the clients, then `receivers`, nats and the database. */
  async stop(...receivers: Array<Closable | undefined>): Promise<void> {
    await Promise.allSettled([
      ...this.notifiers.map((notifier) => notifier.kill('SIGKILL')),
      this.sql.end(),
      this.nc.close(),
    ]);
    await Promise.allSettled([
      ...receivers.map((receiver) => receiver?.close()),
      this.nats.stop(),
      this.db.drop(),
    ]);
  }
}
