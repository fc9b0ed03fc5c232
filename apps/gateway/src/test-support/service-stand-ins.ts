import type { NatsConnection } from '@nats-io/transport-node';
import { QUEUE_GROUPS, SUBJECTS, type MetricsReply } from '@tally/contracts';
import { readIngestRequest, storedEverything } from './ingest-stand-in.js';

/**
 * Ingest and the aggregator's query handler as stand-ins on the real broker: every event is
 * stored and every series is empty, so a test sees only what the gateway itself decides.
 */
export function standInServices(nc: NatsConnection): void {
  nc.subscribe(SUBJECTS.ingestBatch, {
    queue: QUEUE_GROUPS.ingest,
    callback: (_err, msg) => {
      msg.respond(JSON.stringify(storedEverything(readIngestRequest(msg))));
    },
  });
  nc.subscribe(SUBJECTS.metricsQuery, {
    queue: QUEUE_GROUPS.aggregator,
    callback: (_err, msg) => {
      const reply: MetricsReply = { ok: true, series: [] };
      msg.respond(JSON.stringify(reply));
    },
  });
}

/** A `POST /v1/events` body of `count` valid click events. */
export function clickBatch(count: number): string {
  return JSON.stringify({ events: new Array(count).fill({ type: 'click', userId: 'u1' }) });
}
