import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { ApiKeys } from '../auth/api-keys.js';
import { recordGrant } from '../auth/key-project.decorator.js';
import { ApiError } from '../http/api-error.js';
import { KeyRateLimiter } from './key-rate-limiter.js';
import { RateLimitRule } from './rate-limit-rule.js';

const throttled = new Counter({
  name: 'tally_gateway_rate_limited_total',
  help: 'Requests refused with 429 because their API key was over its rate limit, by key kind',
  labelNames: ['kind'] as const,
});

const UNITS = { write: 'events', read: 'requests' } as const;

/**
 * Authenticates the route's key and charges the request to it (see `@RateLimited`). Keys that
 * fail auth are refused before they touch a bucket; admitted requests carry the IETF draft
 * `RateLimit-Limit` / `RateLimit-Remaining` headers.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeys,
    private readonly limiter: KeyRateLimiter,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const rule = this.reflector.getAllAndOverride(RateLimitRule, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const grant = this.keys.grantFor(request.headers.authorization, rule.kind);
    recordGrant(request, grant);
    const admission = this.limiter.take(grant.keyHash, rule.kind, rule.cost(request.body));
    const policy = this.limiter.policyOf(rule.kind);
    if (!admission || !policy) return true;
    const headers = { 'RateLimit-Limit': String(policy.burst), 'RateLimit-Remaining': '0' };
    if (admission.admitted) {
      headers['RateLimit-Remaining'] = String(admission.remaining);
      void http.getResponse<FastifyReply>().headers(headers);
      return true;
    }
    throttled.inc({ kind: rule.kind });
    const seconds = admission.retryAfterSeconds;
    const limit = `${policy.ratePerSecond} ${UNITS[rule.kind]}/s`;
    throw new ApiError(
      429,
      'rate_limited',
      `this key is over its rate limit of ${limit}`,
      [{ message: `retry in ${seconds} s`, retryAfterSeconds: seconds }],
      { ...headers, 'Retry-After': String(seconds) },
    );
  }
}
