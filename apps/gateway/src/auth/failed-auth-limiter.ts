import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Counter } from 'prom-client';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from '../http/api-error.js';
import { TokenBucket } from '../rate-limit/token-bucket.js';

/** What a client presented: an API key, or the admin token. */
export type Credential = 'api_key' | 'admin_token';

const failures = new Counter({
  name: 'tally_gateway_auth_failures_total',
  help: 'Requests refused with 401 because their API key or admin token was wrong, by credential',
  labelNames: ['credential'] as const,
});

const throttled = new Counter({
  name: 'tally_gateway_auth_throttled_total',
  help: 'Requests refused with 429 because their client address failed authentication too often',
  labelNames: ['credential'] as const,
});

/**
 * Limits failed authentication per client address: each wrong API key or admin token takes a
 * token from the address's bucket, and an address with an empty bucket is refused with `429`
 * before its credential is looked at. NOTE: refusing the right credential too is the point: a
 * guess that is checked while the address is throttled would still be a working oracle.
 */
@Injectable()
export class FailedAuthLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly settings: GatewayConfig['authFailures'];

  constructor(config: ConfigService<GatewayConfig, true>) {
    this.settings = config.get('authFailures', { infer: true });
  }

  /** Throws the `429` when `address` has failed too often lately. */
  assertAllowed(address: string, credential: Credential): void {
    const bucket = this.buckets.get(address);
    const now = performance.now();
    if (!bucket || bucket.holds(1, now)) return;
    // The bucket does not hold a token, so this takes nothing and says when it will.
    const refused = bucket.take(1, now);
    const seconds = refused.admitted ? 1 : refused.retryAfterSeconds;
    throttled.inc({ credential });
    throw new ApiError(
      429,
      'too_many_auth_failures',
      'too many failed authentications from this address',
      [{ message: `retry in ${seconds} s`, retryAfterSeconds: seconds }],
      { 'Retry-After': String(seconds) },
    );
  }

  /** Counts one wrong credential from `address`. */
  recordFailure(address: string, credential: Credential): void {
    failures.inc({ credential });
    const { policy } = this.settings;
    if (policy.ratePerSecond === 0) return;
    const now = performance.now();
    let bucket = this.buckets.get(address);
    if (!bucket) {
      this.makeRoom(now);
      bucket = new TokenBucket(policy, now);
      this.buckets.set(address, bucket);
    }
    bucket.take(1, now);
  }

  /** Keeps the map within its bound: drops refilled buckets, then the oldest addresses. */
  private makeRoom(now: number): void {
    if (this.buckets.size < this.settings.maxAddresses) return;
    for (const [address, bucket] of this.buckets) {
      if (bucket.isFull(now)) this.buckets.delete(address);
    }
    for (const address of this.buckets.keys()) {
      if (this.buckets.size < this.settings.maxAddresses) return;
      this.buckets.delete(address);
    }
  }
}
