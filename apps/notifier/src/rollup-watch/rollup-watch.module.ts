import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { EvaluationModule } from '../evaluation/evaluation.module.js';
import { RollupDeltaConsumer } from './rollup-delta.consumer.js';
import { RollupWatermarkRepository } from './rollup-watermark.repository.js';

@Module({
  imports: [DatabaseModule, EvaluationModule],
  providers: [RollupWatermarkRepository, RollupDeltaConsumer],
  exports: [RollupWatermarkRepository],
})
export class RollupWatchModule {}
