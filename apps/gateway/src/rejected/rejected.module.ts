import { Module } from '@nestjs/common';
import { RejectedEventsController } from './rejected-events.controller.js';
import { RejectedEventsReader } from './rejected-events.reader.js';

@Module({
  controllers: [RejectedEventsController],
  providers: [RejectedEventsReader],
})
export class RejectedModule {}
