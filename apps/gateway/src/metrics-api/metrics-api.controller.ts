import { Controller, Get, Headers, Query } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MetricsReply, SUBJECTS, type MetricsPoint } from '@tally/contracts';
import { childTraceparent, NatsRequester, ServiceUnavailableError } from '@tally/nats';
import { ApiKeys } from '../auth/api-keys.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from '../http/api-error.js';
import { toMetricsQuery } from './series-query.js';

/** `GET /v1/metrics`: a rollup series of the read key's project, answered by the aggregator. */
@Controller('v1/metrics')
export class MetricsApiController {
  constructor(
    private readonly keys: ApiKeys,
    private readonly requester: NatsRequester,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  @Get()
  async series(
    @Query() params: Record<string, string>,
    @Headers('authorization') authorization: string | undefined,
    @Headers('traceparent') traceparent: string | undefined,
  ): Promise<{ series: MetricsPoint[] }> {
    const projectId = this.keys.projectFor(authorization, 'read');
    const query = toMetricsQuery(projectId, params);
    let reply: MetricsReply;
    try {
      reply = await this.requester.request(SUBJECTS.metricsQuery, query, MetricsReply, {
        timeoutMs: this.config.get('timeouts.queryMs', { infer: true }),
        traceparent: childTraceparent(traceparent),
      });
    } catch (err) {
      if (err instanceof ServiceUnavailableError) {
        throw new ApiError(
          503,
          'query_unavailable',
          'the query service did not answer',
          undefined,
          {
            'Retry-After': String(this.config.get('retryAfterSeconds', { infer: true })),
          },
        );
      }
      throw err;
    }
    if (!reply.ok) throw new ApiError(400, 'invalid_query', reply.error);
    return { series: reply.series };
  }
}
