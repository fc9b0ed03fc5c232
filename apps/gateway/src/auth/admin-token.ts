import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from '../http/api-error.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Checks `Authorization: Bearer <ADMIN_TOKEN>`; a client address that sent a wrong token too
 * often is refused with `429` (see `FailedAuthLimiter`).
 */
@Injectable()
export class AdminToken {
  private readonly expected: Buffer;

  constructor(
    config: ConfigService<GatewayConfig, true>,
    private readonly failures: FailedAuthLimiter,
  ) {
    this.expected = digest(config.get('adminToken', { infer: true }));
  }

  /** Throws the `401`/`429` unless `authorization` carries the admin token. */
  check(authorization: string | undefined, address: string): void {
    this.failures.assertAllowed(address, 'admin_token');
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) {
      throw new ApiError(401, 'missing_admin_token', 'send "Authorization: Bearer <admin token>"');
    }
    // NOTE: comparing fixed-length digests keeps the comparison constant-time whatever the length.
    if (!timingSafeEqual(digest(token), this.expected)) {
      this.failures.recordFailure(address, 'admin_token');
      throw new ApiError(401, 'invalid_admin_token', 'wrong admin token');
    }
  }
}
