import { Module } from '@nestjs/common';
import { IngestBatchHandler } from './ingest-batch.handler.js';
import { IngestionService } from './ingestion.service.js';

@Module({ providers: [IngestionService, IngestBatchHandler] })
export class IngestionModule {}
