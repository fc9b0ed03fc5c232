import { Module } from '@nestjs/common';
import { LiveDeltaRelay } from './live-delta.relay.js';
import { LiveDeltasController } from './live-deltas.controller.js';

@Module({
  controllers: [LiveDeltasController],
  providers: [LiveDeltaRelay],
})
export class LiveModule {}
