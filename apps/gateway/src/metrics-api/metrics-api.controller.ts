import { randomUUID } from 'node:crypto';
import { Controller, Get, Headers, Query } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  METRICS_QUERY_HEADERS,
  MetricsReply,
  SUBJECTS,
  type MetricsSeriesReply,
} from '@tally/contracts';
import { MAX_REPLY_CHUNKS, RemoteRequestError } from '@tally/nats';
import { KeyProject } from '../auth/key-project.decorator.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from '../http/api-error.js';
import { ServiceClient } from '../http/service-client.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { refusedQuery, tooLargeQuery } from './query-refusal.js';
import { toMetricsQuery } from './series-query.js';

/** `GET /v1/metrics`: a rollup series of the read key's project, answered by the aggregator. */
@Controller('v1/metrics')
@RateLimited('read')
export class MetricsApiController {
  constructor(
    private readonly services: ServiceClient,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  @Get()
  async series(
    @Query() params: Record<string, string>,
    @KeyProject() projectId: string,
    @Headers('traceparent') traceparent: string | undefined,
  ): Promise<MetricsSeriesReply> {
    const query = toMetricsQuery(projectId, params);
    const tooLarge = tooLargeQuery(query);
    if (tooLarge) throw tooLarge;
    const reply = await this.services
      .request(SUBJECTS.metricsQuery, query, MetricsReply, {
        unavailableCode: 'query_unavailable',
        service: 'query service',
        traceparent,
        readOnly: true,
        largeReply: true,
        // One id for every attempt: a replica already running this query joins it.
        headers: {
          [METRICS_QUERY_HEADERS.queryId]: randomUUID(),
          [METRICS_QUERY_HEADERS.queryClass]: 'interactive',
        },
        // A refusal (the project's share is full) never cuts short an attempt still running.
        isAnswer: (reply) => reply.ok,
      })
      .catch(oversizedAnswer);
    if (!reply.ok) {
      throw refusedQuery(reply, this.config.get('retryAfterSeconds', { infer: true }));
    }
    return { series: reply.series };
  }
}

/** An answer too large for one NATS message becomes a `400`: the client can narrow the query. */
function oversizedAnswer(err: unknown): never {
  if (err instanceof RemoteRequestError && err.kind === 'reply-too-large') {
    throw new ApiError(
      400,
      'query_too_large',
      `the answer is larger than ${MAX_REPLY_CHUNKS} messages between the services; use a ` +
        'coarser granularity, a shorter range or fewer series (top, name)',
    );
  }
  throw err;
}
