import type { NatsConnection } from '@nats-io/transport-node';
import { QUEUE_GROUPS, SUBJECTS, type MetricsQuery, type MetricsReply } from '@tally/contracts';
import {
  readIngestRequest,
  storedEverything,
  type ReceivedIngestRequest,
} from './ingest-stand-in.js';

/** What a test may see of, or answer for, the stand-ins. */
export interface StandInHooks {
  /** Sees each ingest request before the stand-in stores every event of it. */
  onIngest?: (request: ReceivedIngestRequest) => void;
  /** Answers each metrics query; without it every series is empty. */
  onQuery?: (query: MetricsQuery) => MetricsReply;
}

const emptySeries = (): MetricsReply => ({ ok: true, series: [] });

/**
 * Ingest and the aggregator's query handler as stand-ins on the real broker: every event is
 * stored and every series is empty unless `onQuery` says otherwise, so a test sees only what
 * the gateway itself decides.
 */
export function standInServices(
  nc: NatsConnection,
  { onIngest, onQuery = emptySeries }: StandInHooks = {},
): void {
  nc.subscribe(SUBJECTS.ingestBatch, {
    queue: QUEUE_GROUPS.ingest,
    callback: (_err, msg) => {
      const request = readIngestRequest(msg);
      onIngest?.(request);
      msg.respond(JSON.stringify(storedEverything(request)));
    },
  });
  nc.subscribe(SUBJECTS.metricsQuery, {
    queue: QUEUE_GROUPS.aggregator,
    callback: (_err, msg) => {
      msg.respond(JSON.stringify(onQuery(msg.json<MetricsQuery>())));
    },
  });
}

/** A `POST /v1/events` body of `count` valid click events. */
export function clickBatch(count: number): string {
  return JSON.stringify({ events: new Array(count).fill({ type: 'click', userId: 'u1' }) });
}
