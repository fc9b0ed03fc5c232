import { Controller, Get, Headers, Query } from '@nestjs/common';
import { MetricsReply, SUBJECTS, type MetricsSeriesReply } from '@tally/contracts';
import { KeyProject } from '../auth/key-project.decorator.js';
import { ApiError } from '../http/api-error.js';
import { ServiceClient } from '../http/service-client.js';
import { RateLimited } from '../rate-limit/rate-limited.decorator.js';
import { toMetricsQuery } from './series-query.js';

/** `GET /v1/metrics`: a rollup series of the read key's project, answered by the aggregator. */
@Controller('v1/metrics')
@RateLimited('read')
export class MetricsApiController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  async series(
    @Query() params: Record<string, string>,
    @KeyProject() projectId: string,
    @Headers('traceparent') traceparent: string | undefined,
  ): Promise<MetricsSeriesReply> {
    const query = toMetricsQuery(projectId, params);
    const reply = await this.services.request(SUBJECTS.metricsQuery, query, MetricsReply, {
      unavailableCode: 'query_unavailable',
      service: 'query service',
      traceparent,
      readOnly: true,
    });
    if (!reply.ok) throw new ApiError(400, 'invalid_query', reply.error);
    return { series: reply.series };
  }
}
