import { Module } from '@nestjs/common';
import { ServiceClientModule } from '../http/service-client.module.js';
import { RejectedEventsController } from './rejected-events.controller.js';
import { RejectedEventsReader } from './rejected-events.reader.js';

@Module({
  imports: [ServiceClientModule],
  controllers: [RejectedEventsController],
  providers: [RejectedEventsReader],
})
export class RejectedModule {}
