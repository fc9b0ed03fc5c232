import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AggregatorConfig } from '../config/aggregator.config.js';
import { RollupRepository } from './rollup.repository.js';

const PRUNE_INTERVAL_MS = 60_000;

/**
 * Keeps `applied_batches` small: a batch is redelivered within seconds or minutes of its first
 * delivery (ack wait, restarts), so sequences older than the retention are forgotten.
 */
@Injectable()
export class AppliedBatchPruner implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AppliedBatchPruner.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repository: RollupRepository,
    private readonly config: ConfigService<AggregatorConfig, true>,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async prune(): Promise<void> {
    const retention = this.config.get('appliedBatchRetentionMs', { infer: true });
    try {
      const removed = await this.repository.pruneAppliedBefore(new Date(Date.now() - retention));
      if (removed > 0) this.logger.log({ removed }, 'pruned applied batch records');
    } catch (err) {
      this.logger.warn({ err }, 'pruning applied batch records failed; will retry');
    }
  }
}
