import { Injectable } from '@nestjs/common';
import { MetricsQuery, QUEUE_GROUPS, SUBJECTS, type MetricsReply } from '@tally/contracts';
import { NatsRequestHandler } from '@tally/nats';
import { BUCKET_MS } from '../rollups/bucket-fold.js';
import { MetricsQueryRepository } from './metrics-query.repository.js';

const MAX_BUCKETS = 10_000;

@Injectable()
export class MetricsQueryHandler {
  constructor(private readonly repository: MetricsQueryRepository) {}

  @NatsRequestHandler({
    subject: SUBJECTS.metricsQuery,
    queue: QUEUE_GROUPS.aggregator,
    schema: MetricsQuery,
  })
  async answer(query: MetricsQuery): Promise<MetricsReply> {
    if (query.to <= query.from) return { ok: false, error: '"to" must be after "from"' };
    if ((query.to - query.from) / BUCKET_MS[query.granularity] > MAX_BUCKETS) {
      return { ok: false, error: `at most ${MAX_BUCKETS} buckets per query` };
    }
    return { ok: true, series: await this.repository.series(query) };
  }
}
