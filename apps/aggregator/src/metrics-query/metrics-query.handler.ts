import { Injectable, Logger } from '@nestjs/common';
import {
  MetricsQuery,
  QUEUE_GROUPS,
  SUBJECTS,
  metricsQueryCost,
  overLimitMessage,
  type MetricsReply,
} from '@tally/contracts';
import { NatsRequestHandler } from '@tally/nats';
import { Counter } from 'prom-client';
import { PROJECT_BUSY, ProjectQueryLimiter } from './project-query-limiter.js';
import { MetricsQueryRepository } from './metrics-query.repository.js';

type Refusal = Extract<MetricsReply, { ok: false }>;

const refusedQueries = new Counter({
  name: 'tally_aggregator_metrics_queries_refused_total',
  help: 'Metrics queries refused before touching the database, by reason',
  labelNames: ['reason'] as const,
});

@Injectable()
export class MetricsQueryHandler {
  private readonly logger = new Logger(MetricsQueryHandler.name);

  constructor(
    private readonly repository: MetricsQueryRepository,
    private readonly limiter: ProjectQueryLimiter,
  ) {}

  @NatsRequestHandler({
    subject: SUBJECTS.metricsQuery,
    queue: QUEUE_GROUPS.aggregator,
    schema: MetricsQuery,
  })
  async answer(query: MetricsQuery): Promise<MetricsReply> {
    const refusal = refusalOf(query);
    if (refusal) return this.refuse(query, refusal);
    const series = await this.limiter.run(query.projectId, () => this.repository.series(query));
    if (series === PROJECT_BUSY) return this.refuse(query, this.busy());
    return { ok: true, series };
  }

  private busy(): Refusal {
    const { concurrency, queue } = this.limiter.limits;
    return {
      ok: false,
      code: 'too_many_queries',
      error:
        `the project already has ${concurrency} queries running and ${queue} waiting on this ` +
        'replica; retry later or send fewer queries at once',
      details: { concurrency, queue },
    };
  }

  private refuse(query: MetricsQuery, refusal: Refusal): Refusal {
    refusedQueries.inc({ reason: refusal.code ?? 'invalid_query' });
    // NOTE: debug, not warn: a client sending too much must not flood the logs; the counter shows it.
    this.logger.debug({ projectId: query.projectId, code: refusal.code }, 'metrics query refused');
    return refusal;
  }
}

/** Why `query` is refused before it reaches the database, if it is. */
function refusalOf(query: MetricsQuery): Refusal | undefined {
  if (query.to <= query.from) {
    return { ok: false, code: 'invalid_query', error: '"to" must be after "from"' };
  }
  const cost = metricsQueryCost(query);
  const tooLarge = overLimitMessage(cost, query.granularity);
  if (tooLarge === undefined) return undefined;
  return { ok: false, code: 'query_too_large', error: tooLarge, details: { ...cost } };
}
