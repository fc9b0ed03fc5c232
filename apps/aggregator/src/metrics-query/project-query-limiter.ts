import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { QueryClass } from '@tally/contracts';
import { Gauge } from 'prom-client';
import type { AggregatorConfig } from '../config/aggregator.config.js';

/** The answer of `ProjectQueryLimiter.run` when the project's queue is full. */
export const PROJECT_BUSY = Symbol('project busy');

export interface ShareLimits {
  concurrency: number;
  queue: number;
}

interface ProjectShare {
  running: number;
  waiting: Array<() => void>;
}

const queriesInFlight = new Gauge({
  name: 'tally_aggregator_metrics_queries_in_flight',
  help: 'Metrics queries on this replica, running or waiting for their project’s share, by class',
  labelNames: ['state', 'class'] as const,
});

/**
 * A fair share of this replica's query capacity for each project and query class: at most
 * `concurrency` queries of one project run at once, `queue` more wait in arrival order, and
 * beyond that its queries are refused at once. One project's heavy queries therefore hold at
 * most `concurrency` of the database pool's connections, and another project's query never
 * waits behind them. Alert evaluation has a share of its own, so users' queries cannot starve it.
 */
@Injectable()
export class ProjectQueryLimiter {
  private readonly shares = new Map<string, ProjectShare>();
  readonly limits: Readonly<Record<QueryClass, ShareLimits>>;

  constructor(config: ConfigService<AggregatorConfig, true>) {
    this.limits = config.get('queries', { infer: true });
  }

  /** `work()` within the project's share of `queryClass`, or `PROJECT_BUSY` without running it. */
  async run<T>(
    projectId: string,
    queryClass: QueryClass,
    work: () => Promise<T>,
  ): Promise<T | typeof PROJECT_BUSY> {
    const key = `${queryClass}:${projectId}`;
    const limits = this.limits[queryClass];
    const share = this.shares.get(key) ?? { running: 0, waiting: [] };
    this.shares.set(key, share);
    const labels = { class: queryClass };
    if (share.running < limits.concurrency) share.running += 1;
    else if (share.waiting.length >= limits.queue) return PROJECT_BUSY;
    else {
      queriesInFlight.inc({ ...labels, state: 'waiting' });
      // NOTE: release() hands its slot over (running stays), so no newcomer can slip in between.
      await new Promise<void>((resume) => share.waiting.push(resume));
      queriesInFlight.dec({ ...labels, state: 'waiting' });
    }
    queriesInFlight.inc({ ...labels, state: 'running' });
    try {
      return await work();
    } finally {
      queriesInFlight.dec({ ...labels, state: 'running' });
      this.release(key, share);
    }
  }

  private release(key: string, share: ProjectShare): void {
    const next = share.waiting.shift();
    if (next) return next();
    share.running -= 1;
    if (share.running === 0) this.shares.delete(key);
  }
}
