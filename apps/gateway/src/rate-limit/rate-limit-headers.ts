import type { BucketPolicy } from './token-bucket.js';

/** The IETF draft headers on an admitted request. */
export function rateLimitHeaders(policy: BucketPolicy, remaining: number): Record<string, string> {
  return { 'RateLimit-Limit': String(policy.burst), 'RateLimit-Remaining': String(remaining) };
}
