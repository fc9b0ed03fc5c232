import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from '../http/api-error.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Admits a request only with `Authorization: Bearer <ADMIN_TOKEN>`. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: ConfigService<GatewayConfig, true>) {
    this.expected = digest(config.get('adminToken', { infer: true }));
  }

  canActivate(context: ExecutionContext): boolean {
    const authorization = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) {
      throw new ApiError(401, 'missing_admin_token', 'send "Authorization: Bearer <admin token>"');
    }
    // NOTE: comparing fixed-length digests keeps the comparison constant-time whatever the length.
    if (!timingSafeEqual(digest(token), this.expected)) {
      throw new ApiError(401, 'invalid_admin_token', 'wrong admin token');
    }
    return true;
  }
}
