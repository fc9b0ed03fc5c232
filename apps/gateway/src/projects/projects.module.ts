import { Global, Module } from '@nestjs/common';
import { ApiKeys } from '../auth/api-keys.js';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter.js';
import { ProjectRegistry } from './project-registry.js';

/**
 * The KV-backed project and key registry, and key checks on top of it. Global because every
 * API feature checks keys, and there must be exactly one registry (one watch) per process.
 */
@Global()
@Module({
  providers: [ProjectRegistry, ApiKeys, FailedAuthLimiter],
  exports: [ProjectRegistry, ApiKeys, FailedAuthLimiter],
})
export class ProjectsModule {}
