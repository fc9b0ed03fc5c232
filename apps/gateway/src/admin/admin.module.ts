import { Module } from '@nestjs/common';
import { AdminProjectsController } from './admin-projects.controller.js';
import { AdminTokenGuard } from './admin-token.guard.js';

@Module({
  controllers: [AdminProjectsController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}
