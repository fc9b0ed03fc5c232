import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { abortableDelay, type PartitionOwnership, type PartitionWork } from '@tally/nats';
import pg from 'pg';
import { Counter } from 'prom-client';
import type { AggregatorConfig } from '../config/aggregator.config.js';

const LEASE_APP_NAME = 'tally-aggregator-lease';
/** First key of the two-key advisory lock; the second is the partition. */
const LEASE_LOCK_SPACE = 0x7a11;
const REBALANCE_INTERVAL_MS = 2_000;

const sessionsLost = new Counter({
  name: 'tally_aggregator_lease_sessions_lost_total',
  help: 'Partition-lease sessions to Postgres that were lost (their partitions were released)',
});

interface Lease {
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Hands each partition to one aggregator replica with Postgres advisory locks held on a
 * dedicated session: a replica that dies loses its session and so its locks, and another
 * replica takes the partition over (its unacked batches are redelivered; `applied_batches`
 * keeps them from counting twice). Each replica keeps at most its fair share (partitions / live
 * replicas), so partitions spread out as replicas join.
 */
@Injectable()
export class PartitionLeases implements PartitionOwnership {
  private readonly logger = new Logger(PartitionLeases.name);
  private readonly leases = new Map<number, Lease>();
  private session: pg.Client | undefined;

  constructor(private readonly config: ConfigService<AggregatorConfig, true>) {}

  async run(
    consumer: string,
    partitions: number,
    work: (task: PartitionWork) => Promise<void>,
    stop: AbortSignal,
  ): Promise<void> {
    while (!stop.aborted) {
      const session = await this.connect(stop);
      if (!session) break;
      this.session = session;
      try {
        await this.holdLeases(session, partitions, work, stop);
      } catch (err) {
        sessionsLost.inc();
        this.logger.error({ err, consumer }, 'lease session lost; releasing partitions');
      } finally {
        this.session = undefined;
        await this.releaseAll();
        await session.end().catch(() => undefined);
      }
    }
  }

  /** Whether the lease session is open: without it this replica consumes no partition. */
  get connected(): boolean {
    return this.session !== undefined;
  }

  private async connect(stop: AbortSignal): Promise<pg.Client | undefined> {
    while (!stop.aborted) {
      const client = new pg.Client({
        connectionString: this.config.get('databaseUrl', { infer: true }),
        application_name: LEASE_APP_NAME,
      });
      // NOTE: pg emits 'error' for a lost connection, usually twice (the server's error, then the
      // unexpected end), also while connecting or ending; one without a listener exits the
      // process (issue 12, #15). holdLeases() learns of the loss from its own listeners.
      client.on('error', (err) => this.logger.warn({ err }, 'lease session error'));
      try {
        await client.connect();
        this.logger.log('lease session open');
        return client;
      } catch (err) {
        this.logger.warn({ err }, 'cannot open lease session; retrying');
        await abortableDelay(REBALANCE_INTERVAL_MS, stop);
      }
    }
    return undefined;
  }

  private async holdLeases(
    session: pg.Client,
    partitions: number,
    work: (task: PartitionWork) => Promise<void>,
    stop: AbortSignal,
  ): Promise<void> {
    const lost = new Promise<never>((_, reject) => {
      session.on('error', reject);
      session.on('end', () => reject(new Error('lease session ended')));
    });
    // NOTE: the session ends on every exit; without a handler that rejection would crash us.
    lost.catch(() => undefined);
    while (!stop.aborted) {
      const fairShare = Math.ceil(partitions / (await this.liveReplicas(session)));
      await this.acquire(session, partitions, fairShare, work);
      await this.shed(session, fairShare);
      await Promise.race([abortableDelay(REBALANCE_INTERVAL_MS, stop), lost]);
    }
  }

  private async liveReplicas(session: pg.Client): Promise<number> {
    const result = await session.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
      [LEASE_APP_NAME],
    );
    return Math.max(1, Number(result.rows[0]?.n ?? 1));
  }

  private async acquire(
    session: pg.Client,
    partitions: number,
    fairShare: number,
    work: (task: PartitionWork) => Promise<void>,
  ): Promise<void> {
    for (const partition of shuffled(partitions)) {
      if (this.leases.size >= fairShare) return;
      if (this.leases.has(partition)) continue;
      const result = await session.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1, $2) AS locked',
        [LEASE_LOCK_SPACE, partition],
      );
      if (!result.rows[0]?.locked) continue;
      const abort = new AbortController();
      const done = work({ partition, signal: abort.signal });
      this.leases.set(partition, { abort, done });
      this.logger.log({ partition }, 'partition acquired');
    }
  }

  private async shed(session: pg.Client, fairShare: number): Promise<void> {
    for (const [partition, lease] of this.leases) {
      if (this.leases.size <= fairShare) return;
      await this.release(partition, lease);
      await session.query('SELECT pg_advisory_unlock($1, $2)', [LEASE_LOCK_SPACE, partition]);
      this.logger.log({ partition }, 'partition handed over');
    }
  }

  private async release(partition: number, lease: Lease): Promise<void> {
    lease.abort.abort();
    await lease.done.catch(() => undefined);
    this.leases.delete(partition);
  }

  private async releaseAll(): Promise<void> {
    await Promise.all([...this.leases].map(([p, lease]) => this.release(p, lease)));
  }
}

function shuffled(n: number): number[] {
  const items = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as number, items[i] as number];
  }
  return items;
}
