import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { RateLimitUsage, SUBJECTS } from '@tally/contracts';
import { NatsConnection } from '@tally/nats';
import type { GatewayConfig } from '../config/gateway.config.js';
import { KeyRateLimiter, type KeyUsage } from './key-rate-limiter.js';

const EVICT_EVERY_MS = 5_000;
/** ~80 bytes an entry: a report stays far below NATS's 1 MiB `max_payload`. */
const MAX_ENTRIES_PER_REPORT = 4_000;

/**
 * Shares rate-limit consumption between gateway replicas over core NATS: every sync interval a
 * replica publishes what it admitted per key since its last report, and debits what its peers
 * report from its own buckets. Nothing on the request path waits for this; while NATS is down
 * reports are dropped and each replica limits on its own.
 */
@Injectable()
export class RateUsageExchange implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateUsageExchange.name);
  private readonly replicaId = randomUUID();
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe?: () => void;

  constructor(
    private readonly nats: NatsConnection,
    private readonly limiter: KeyRateLimiter,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  onModuleInit(): void {
    const subscription = this.nats.core.subscribe(SUBJECTS.rateLimitUsage, {
      callback: (err, msg) => {
        if (!err) this.receive(msg.string());
      },
    });
    this.unsubscribe = () => subscription.unsubscribe();
    const syncMs = this.config.get('rateLimits.syncMs', { infer: true });
    this.timers.push(
      setInterval(() => this.publish(), syncMs),
      setInterval(() => this.limiter.evictFull(), EVICT_EVERY_MS),
    );
    this.logger.log({ replicaId: this.replicaId, syncMs }, 'sharing rate-limit usage');
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.unsubscribe?.();
  }

  private publish(): void {
    const usage = this.limiter.drainUsage();
    // NOTE: usage is dropped, not queued, while disconnected: a late report would debit peers for
    // consumption long past, and the client's buffer would grow for as long as NATS is away.
    if (usage.length === 0 || !this.nats.isConnected()) return;
    for (let start = 0; start < usage.length; start += MAX_ENTRIES_PER_REPORT) {
      this.send(usage.slice(start, start + MAX_ENTRIES_PER_REPORT));
    }
  }

  private send(usage: KeyUsage[]): void {
    const report: RateLimitUsage = { replicaId: this.replicaId, usage };
    try {
      this.nats.core.publish(SUBJECTS.rateLimitUsage, JSON.stringify(report));
    } catch (err) {
      this.logger.warn({ err }, 'rate-limit usage not published; limiting locally');
    }
  }

  private receive(data: string): void {
    const report = RateLimitUsage.safeParse(parseJson(data));
    if (!report.success) {
      this.logger.warn('ignoring an invalid rate-limit usage report');
      return;
    }
    if (report.data.replicaId === this.replicaId) return;
    for (const [keyHash, kind, tokens] of report.data.usage) {
      this.limiter.debit(keyHash, kind, tokens);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
