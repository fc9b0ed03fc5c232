import { Controller, Get, Headers, Query } from '@nestjs/common';
import { MetricsReply, SUBJECTS, type MetricsSeriesReply } from '@tally/contracts';
import { ApiKeys } from '../auth/api-keys.js';
import { ApiError } from '../http/api-error.js';
import { ServiceClient } from '../http/service-client.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { toMetricsQuery } from './series-query.js';

/** `GET /v1/metrics`: a rollup series of the read key's project, answered by the aggregator. */
@Controller('v1/metrics')
@RateLimited('read')
export class MetricsApiController {
  constructor(
    private readonly keys: ApiKeys,
    private readonly services: ServiceClient,
  ) {}

  @Get()
  async series(
    @Query() params: Record<string, string>,
    @Headers('authorization') authorization: string | undefined,
    @Headers('traceparent') traceparent: string | undefined,
  ): Promise<MetricsSeriesReply> {
    const projectId = this.keys.projectFor(authorization, 'read');
    const query = toMetricsQuery(projectId, params);
    const reply = await this.services.request(SUBJECTS.metricsQuery, query, MetricsReply, {
      unavailableCode: 'query_unavailable',
      service: 'query service',
      traceparent,
    });
    if (!reply.ok) throw new ApiError(400, 'invalid_query', reply.error);
    return { series: reply.series };
  }
}
