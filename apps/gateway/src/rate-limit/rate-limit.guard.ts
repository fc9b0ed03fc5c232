import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { KeyKind } from '@tally/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import type { ValidGrant } from '../auth/api-keys.js';
import { CredentialCheck } from '../auth/credential-check.js';
import { ApiError } from '../http/api-error.js';
import { KeyRateLimiter } from './key-rate-limiter.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { RateLimitRule } from './rate-limit-rule.js';
import { holdReservation } from './reservations.js';
import type { BucketPolicy } from './token-bucket.js';

const throttled = new Counter({
  name: 'tally_gateway_rate_limited_total',
  help: 'Requests refused with 429 because their API key was over its rate limit, by key kind',
  labelNames: ['kind'] as const,
});

const UNITS = { write: 'events', read: 'requests', manage: 'requests' } as const;

/**
 * Authenticates the route's key (checked before the body already, see `CredentialCheck`) and charges the request to it (see `@RateLimited`). Keys that
 * fail auth are refused before they touch a bucket; admitted requests carry the IETF draft
 * `RateLimit-Limit` / `RateLimit-Remaining` headers. A request whose cost is settled after it
 * is answered (`RequestCost.settled`) is charged its most up front while its key holds that much
 * (`RateLimitSettlement` settles it), else its exact cost, read from its body, now: admission
 * is then exactly as if every request were counted first.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly check: CredentialCheck,
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
    const grant = this.check.grantFor(request, rule.kinds);
    const policy = this.limiter.policyOf(grant.kind);
    if (!policy || this.reserved(request, grant, rule)) return true;
    const admission = this.limiter.take(grant.keyHash, grant.kind, rule.cost.ofBody(request.body));
    if (!admission) return true;
    if (admission.admitted) {
      void http.getResponse<FastifyReply>().headers(rateLimitHeaders(policy, admission.remaining));
      return true;
    }
    throttled.inc({ kind: grant.kind });
    throw this.refusal(grant.kind, policy, admission.retryAfterSeconds);
  }

  private reserved(request: FastifyRequest, grant: ValidGrant, rule: RateLimitRule): boolean {
    const most = rule.cost.settled?.atMost(request.body);
    if (most === undefined || !this.limiter.holds(grant.keyHash, grant.kind, most)) return false;
    this.limiter.reserve(grant.keyHash, grant.kind, most);
    holdReservation(request, {
      keyHash: grant.keyHash,
      kind: grant.kind,
      tokens: most,
      cost: rule.cost,
    });
    return true;
  }

  private refusal(kind: KeyKind, policy: BucketPolicy, seconds: number): ApiError {
    const limit = `${policy.ratePerSecond} ${UNITS[kind]}/s`;
    const headers = { ...rateLimitHeaders(policy, 0), 'Retry-After': String(seconds) };
    return new ApiError(
      429,
      'rate_limited',
      `this key is over its rate limit of ${limit}`,
      [{ message: `retry in ${seconds} s`, retryAfterSeconds: seconds }],
      headers,
    );
  }
}
