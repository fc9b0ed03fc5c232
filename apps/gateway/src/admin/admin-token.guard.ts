import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config/gateway.config.js';
import { clientAddress } from '../auth/client-address.js';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter.js';
import { ApiError } from '../http/api-error.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Admits a request only with `Authorization: Bearer <ADMIN_TOKEN>`; a client address that sent a
 * wrong token too often is refused with `429` (see `FailedAuthLimiter`).
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    config: ConfigService<GatewayConfig, true>,
    private readonly failures: FailedAuthLimiter,
  ) {
    this.expected = digest(config.get('adminToken', { infer: true }));
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const address = clientAddress(request.raw);
    this.failures.assertAllowed(address, 'admin_token');
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) {
      throw new ApiError(401, 'missing_admin_token', 'send "Authorization: Bearer <admin token>"');
    }
    // NOTE: comparing fixed-length digests keeps the comparison constant-time whatever the length.
    if (!timingSafeEqual(digest(token), this.expected)) {
      this.failures.recordFailure(address, 'admin_token');
      throw new ApiError(401, 'invalid_admin_token', 'wrong admin token');
    }
    return true;
  }
}
