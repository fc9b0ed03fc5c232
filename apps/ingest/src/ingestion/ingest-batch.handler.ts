import { Injectable } from '@nestjs/common';
import { IngestRequest, QUEUE_GROUPS, SUBJECTS, type IngestReply } from '@tally/contracts';
import { NatsRequestHandler, type RequestContext } from '@tally/nats';
import { IngestionService } from './ingestion.service.js';

@Injectable()
export class IngestBatchHandler {
  constructor(private readonly ingestion: IngestionService) {}

  @NatsRequestHandler({
    subject: SUBJECTS.ingestBatch,
    queue: QUEUE_GROUPS.ingest,
    schema: IngestRequest,
  })
  handle(request: IngestRequest, context: RequestContext): Promise<IngestReply> {
    return this.ingestion.ingest(request, context);
  }
}
