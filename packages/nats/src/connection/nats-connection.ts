import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection as CoreConnection } from '@nats-io/transport-node';
import type { NatsModuleOptions } from '../nats.options.js';
import { assertSupportedServer } from './server-version.js';

/**
 * The app's one NATS connection. It is opened by the module's factory, so the app fails to start
 * when NATS is unreachable, older than the minimum version or without JetStream, and drained at
 * shutdown after the handlers have stopped.
 */
export class NatsConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(NatsConnection.name);
  readonly js: JetStreamClient;
  private reconnecting = false;
  private closing?: Promise<void>;

  private constructor(readonly core: CoreConnection) {
    this.js = jetstream(core);
    void this.watchStatus();
  }

  static async open(options: Pick<NatsModuleOptions, 'servers' | 'name'>): Promise<NatsConnection> {
    const core = await connect({
      servers: options.servers,
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // NOTE: otherwise every request allocates an Error to keep its async stack (5 % of the
      // gateway's CPU at peak); our errors carry the subject instead.
      noAsyncTraces: true,
    });
    try {
      assertSupportedServer(core.info, core.getServer());
    } catch (err) {
      await core.close();
      throw err;
    }
    const connection = new NatsConnection(core);
    connection.logger.log(
      { server: core.getServer(), version: core.info?.version },
      'connected to NATS',
    );
    return connection;
  }

  manager(): Promise<JetStreamManager> {
    return jetstreamManager(this.core);
  }

  isConnected(): boolean {
    return !this.core.isClosed() && !this.reconnecting;
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.core.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting') this.reconnecting = true;
      if (status.type === 'reconnect') this.reconnecting = false;
      if (status.type !== 'ping' && status.type !== 'staleConnection') {
        this.logger.log({ status: status.type }, 'NATS connection status');
      }
    }
  }

  /** Idempotent: drains in-flight work once, however many times shutdown is requested. */
  onApplicationShutdown(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  private async drain(): Promise<void> {
    if (this.core.isClosed()) return;
    await this.core.drain().catch((err: unknown) => {
      this.logger.warn({ err }, 'NATS drain failed; closing');
      return this.core.close();
    });
  }
}
