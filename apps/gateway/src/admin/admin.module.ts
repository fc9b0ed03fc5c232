import { Module } from '@nestjs/common';
import { ServiceClientModule } from '../http/service-client.module.js';
import { AdminProjectsController } from './admin-projects.controller.js';
import { AdminTokenGuard } from './admin-token.guard.js';

@Module({
  imports: [ServiceClientModule],
  controllers: [AdminProjectsController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}
