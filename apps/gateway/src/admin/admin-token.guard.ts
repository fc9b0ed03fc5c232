import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CredentialCheck } from '../auth/credential-check.js';

/**
 * Admits a request only with `Authorization: Bearer <ADMIN_TOKEN>` (see `AdminToken`). The check
 * already ran before the body (`CredentialsBeforeBody`); asking again costs nothing.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(private readonly check: CredentialCheck) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    this.check.admitAdmin(request);
    return true;
  }
}
