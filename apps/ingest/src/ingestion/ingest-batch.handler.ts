import { Injectable } from '@nestjs/common';
import {
  INGEST_REQUEST_HEADERS,
  IngestRequestHeaders,
  QUEUE_GROUPS,
  SUBJECTS,
  type IngestReply,
} from '@tally/contracts';
import { NatsRequestHandler, type RequestContext } from '@tally/nats';
import { IngestionService } from './ingestion.service.js';

@Injectable()
export class IngestBatchHandler {
  constructor(private readonly ingestion: IngestionService) {}

  @NatsRequestHandler({
    subject: SUBJECTS.ingestBatch,
    queue: QUEUE_GROUPS.ingest,
    schema: IngestRequestHeaders,
    headers: INGEST_REQUEST_HEADERS,
  })
  handle(request: IngestRequestHeaders, context: RequestContext): Promise<IngestReply> {
    return this.ingestion.ingest(request, context);
  }
}
