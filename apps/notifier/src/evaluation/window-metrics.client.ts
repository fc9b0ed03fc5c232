import { Injectable } from '@nestjs/common';
import {
  METRICS_QUERY_HEADERS,
  MetricsReply,
  SUBJECTS,
  type MetricsPoint,
  type MetricsQuery,
} from '@tally/contracts';
import { NatsRequester } from '@tally/nats';

/** Reads a rule's metric series from the aggregator (the owner of the rollups) over NATS. */
@Injectable()
export class WindowMetricsClient {
  constructor(private readonly requester: NatsRequester) {}

  async series(query: MetricsQuery, timeoutMs: number): Promise<MetricsPoint[]> {
    const reply = await this.requester.request(SUBJECTS.metricsQuery, query, MetricsReply, {
      timeoutMs,
      // Alert evaluation runs in its own share, so users' queries of the project cannot starve it.
      headers: { [METRICS_QUERY_HEADERS.queryClass]: 'alert' },
    });
    if (!reply.ok) throw new Error(`metrics query refused: ${reply.error}`);
    return reply.series;
  }
}
