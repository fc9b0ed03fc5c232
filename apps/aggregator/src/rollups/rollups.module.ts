import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { AppliedBatchPruner } from './applied-batch-pruner.js';
import { RollupDeltaPublisher } from './rollup-delta.publisher.js';
import { RollupRepository } from './rollup.repository.js';
import { RollupWriter } from './rollup-writer.js';

@Module({
  imports: [DatabaseModule],
  providers: [RollupRepository, RollupDeltaPublisher, RollupWriter, AppliedBatchPruner],
})
export class RollupsModule {}
