import { Injectable, Logger } from '@nestjs/common';
import {
  METRICS_QUERY_HEADERS,
  MetricsQuery,
  QUEUE_GROUPS,
  SUBJECTS,
  metricsQueryCost,
  overLimitMessage,
  type MetricsReply,
  type QueryClass,
} from '@tally/contracts';
import { NatsRequestHandler, type RequestContext } from '@tally/nats';
import { Counter } from 'prom-client';
import { PROJECT_BUSY, ProjectQueryLimiter } from './project-query-limiter.js';
import { MetricsQueryRepository } from './metrics-query.repository.js';
import { SharedQueryRuns } from './shared-query-runs.js';

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
    private readonly runs: SharedQueryRuns,
  ) {}

  @NatsRequestHandler({
    subject: SUBJECTS.metricsQuery,
    queue: QUEUE_GROUPS.aggregator,
    schema: MetricsQuery,
  })
  answer(
    query: MetricsQuery,
    context: Pick<RequestContext, 'header' | 'data'>,
  ): Promise<MetricsReply> {
    return this.runs.join(runKey(query, context), () => this.run(query, queryClassOf(context)));
  }

  private async run(query: MetricsQuery, queryClass: QueryClass): Promise<MetricsReply> {
    const refusal = refusalOf(query);
    if (refusal) return this.refuse(query, refusal);
    const series = await this.limiter.run(query.projectId, queryClass, () =>
      this.repository.series(query),
    );
    if (series === PROJECT_BUSY) return this.refuse(query, this.busy(queryClass));
    return { ok: true, series };
  }

  private busy(queryClass: QueryClass): Refusal {
    const { concurrency, queue } = this.limiter.limits[queryClass];
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

/**
 * Attempts of one query share a run when they carry the same id and ask the same thing (its
 * project and content), so an id reused for another query never gets the first one's answer.
 */
function runKey(query: MetricsQuery, context: Pick<RequestContext, 'header' | 'data'>) {
  const id = context.header(METRICS_QUERY_HEADERS.queryId);
  if (id === undefined) return undefined;
  return `${query.projectId}\n${id}\n${Buffer.from(context.data).toString('base64')}`;
}

function queryClassOf(context: Pick<RequestContext, 'header'>): QueryClass {
  return context.header(METRICS_QUERY_HEADERS.queryClass) === 'alert' ? 'alert' : 'interactive';
}
