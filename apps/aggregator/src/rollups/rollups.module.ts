import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { RollupDeltaPublisher } from './rollup-delta.publisher.js';
import { RollupRepository } from './rollup.repository.js';
import { RollupWriter } from './rollup-writer.js';

@Module({
  imports: [DatabaseModule],
  providers: [RollupRepository, RollupDeltaPublisher, RollupWriter],
  exports: [RollupRepository],
})
export class RollupsModule {}
