import { Global, Module } from '@nestjs/common';
import { AdminToken } from '../auth/admin-token.js';
import { ApiKeys } from '../auth/api-keys.js';
import { CredentialCheck } from '../auth/credential-check.js';
import { CredentialsBeforeBody } from '../auth/credentials-before-body.js';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter.js';
import { ProjectRegistry } from './project-registry.js';

/**
 * The KV-backed project and key registry, and the key and admin-token checks on top of it, run
 * before bodies are read. Global because every API feature checks credentials, and there must be
 * exactly one registry (one watch) per process.
 */
@Global()
@Module({
  providers: [
    ProjectRegistry,
    ApiKeys,
    FailedAuthLimiter,
    AdminToken,
    CredentialCheck,
    CredentialsBeforeBody,
  ],
  exports: [ProjectRegistry, ApiKeys, FailedAuthLimiter, CredentialCheck],
})
export class ProjectsModule {}
