import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  parseTrackBody,
  type EventBatchBody,
  type EventRejection,
  type IngestReply,
  type IngestRequestHeaders,
  type RejectedEvent,
  type StoredEvent,
} from '@tally/contracts';
import {
  JetStreamPublisher,
  TRACEPARENT_HEADER,
  type OutgoingMessage,
  type RequestContext,
} from '@tally/nats';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { Counter } from 'prom-client';
import type { IngestConfig } from '../config/ingest.config.js';
import { normaliseEvent } from './event-normaliser.js';
import { partitionOf } from './partitioner.js';
import { eventBatchMessages, rejectedEventMessage, rejectedExcerpt } from './stored-batches.js';

const eventsTotal = new Counter({
  name: 'tally_ingest_events_total',
  help: 'Events received by ingest, by outcome',
  labelNames: ['outcome'] as const,
});

const rejectedTotal = new Counter({
  name: 'tally_ingest_rejected_events_total',
  help: 'Events ingest refused and stored as rejected, by the code of their first reason',
  labelNames: ['code'] as const,
});

/** Validates, normalises and partitions a batch, and stores it durably before answering. */
@Injectable()
export class IngestionService {
  private readonly logger = new Logger(IngestionService.name);

  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly config: ConfigService<IngestConfig, true>,
  ) {}

  async ingest(meta: IngestRequestHeaders, context: RequestContext): Promise<IngestReply> {
    const { traceparent } = context;
    const body = parseTrackBody(context.data);
    if (!body.ok) return { stored: false, reason: 'the body is invalid', invalidBody: body.error };
    const request: IngestRequest = { ...body.batch, ...meta };
    const { byPartition, rejected, records } = this.sort(request, {
      requestBytes: context.bytes,
      plainText: body.plainText,
    });
    const messages = [
      ...eventBatchMessages(request.projectId, byPartition),
      ...records.map((record) => rejectedEventMessage(record, request.sentAt)),
    ];
    try {
      await this.publisher.publishAll(withTrace(messages, traceparent));
    } catch (err) {
      this.logger.error({ err, requestId: request.requestId, traceparent }, 'not stored');
      eventsTotal.inc({ outcome: 'unstored' }, request.events.length);
      return { stored: false, reason: 'event storage did not confirm the write' };
    }
    const accepted = request.events.length - rejected.length;
    eventsTotal.inc({ outcome: 'accepted' }, accepted);
    eventsTotal.inc({ outcome: 'rejected' }, rejected.length);
    // NOTE: codes are zod's issue codes and the contracts' own reasons: a small, fixed set.
    for (const rejection of rejected) {
      rejectedTotal.inc({ code: rejection.errors[0]?.code ?? 'unknown' });
    }
    return { stored: true, accepted, rejected };
  }

  private sort(request: IngestRequest, text: { requestBytes: number; plainText: boolean }) {
    const partitions = this.config.get('partitions', { infer: true });
    const window = this.config.get('timeWindow', { infer: true });
    const ctx = {
      ...window,
      projectId: request.projectId,
      receivedAt: request.receivedAt,
      sentAt: request.sentAt,
      ...text,
    };
    const byPartition = new Map<number, StoredEvent[]>();
    const rejected: EventRejection[] = [];
    const records: RejectedEvent[] = [];
    request.events.forEach((raw, offset) => {
      const index = request.firstIndex + offset;
      const result = normaliseEvent(raw, index, ctx);
      if (result.ok) {
        const partition = partitionOf(request.projectId, result.event.userId, partitions);
        const events = byPartition.get(partition) ?? [];
        events.push(result.event);
        byPartition.set(partition, events);
        return;
      }
      rejected.push({ index, errors: result.errors });
      records.push({
        projectId: request.projectId,
        requestId: request.requestId,
        index,
        receivedAt: request.receivedAt,
        errors: result.errors,
        excerpt: rejectedExcerpt(raw),
      });
    });
    return { byPartition, rejected, records };
  }
}

/** A request as ingest works on it: the gateway's headers and the client's events. */
type IngestRequest = IngestRequestHeaders & EventBatchBody;

function withTrace(messages: OutgoingMessage[], traceparent?: string): OutgoingMessage[] {
  if (!traceparent) return messages;
  return messages.map((message) => {
    const headers = natsHeaders();
    headers.set(TRACEPARENT_HEADER, traceparent);
    return { ...message, headers };
  });
}
