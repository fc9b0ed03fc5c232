import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Gauge } from 'prom-client';
import type { AggregatorConfig } from '../config/aggregator.config.js';

/** The answer of `ProjectQueryLimiter.run` when the project's queue is full. */
export const PROJECT_BUSY = Symbol('project busy');

interface ProjectShare {
  running: number;
  waiting: Array<() => void>;
}

const queriesInFlight = new Gauge({
  name: 'tally_aggregator_metrics_queries_in_flight',
  help: 'Metrics queries on this replica, running or waiting for their project’s share',
  labelNames: ['state'] as const,
});

/**
 * A fair share of this replica's query capacity for each project: at most `concurrency` queries
 * of one project run at once, `queue` more wait in arrival order, and beyond that its queries
 * are refused at once. One project's heavy queries therefore hold at most `concurrency` of the
 * database pool's connections, and another project's query never waits behind them.
 */
@Injectable()
export class ProjectQueryLimiter {
  private readonly shares = new Map<string, ProjectShare>();
  readonly limits: { concurrency: number; queue: number };

  constructor(config: ConfigService<AggregatorConfig, true>) {
    this.limits = config.get('queries', { infer: true });
  }

  /** `work()` within the project's share, or `PROJECT_BUSY` without running it. */
  async run<T>(projectId: string, work: () => Promise<T>): Promise<T | typeof PROJECT_BUSY> {
    const share = this.shares.get(projectId) ?? { running: 0, waiting: [] };
    this.shares.set(projectId, share);
    if (share.running < this.limits.concurrency) share.running += 1;
    else if (share.waiting.length >= this.limits.queue) return PROJECT_BUSY;
    else {
      queriesInFlight.inc({ state: 'waiting' });
      // NOTE: release() hands its slot over (running stays), so no newcomer can slip in between.
      await new Promise<void>((resume) => share.waiting.push(resume));
      queriesInFlight.dec({ state: 'waiting' });
    }
    queriesInFlight.inc({ state: 'running' });
    try {
      return await work();
    } finally {
      queriesInFlight.dec({ state: 'running' });
      this.release(projectId, share);
    }
  }

  private release(projectId: string, share: ProjectShare): void {
    const next = share.waiting.shift();
    if (next) return next();
    share.running -= 1;
    if (share.running === 0) this.shares.delete(projectId);
  }
}
