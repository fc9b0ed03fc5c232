import { applyDecorators, UseGuards } from '@nestjs/common';
import type { KeyKind } from '@tally/contracts';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimitRule } from './rate-limit-rule.js';

/**
 * Checks the bearer key of `kind` and charges the request to that key's limit before the handler
 * runs: `401`/`403` for a bad key, `429` with `Retry-After` over the limit. A request costs 1
 * unless `cost` counts more from the body.
 */
export const RateLimited = (kind: KeyKind, cost: (body: unknown) => number = () => 1) =>
  applyDecorators(RateLimitRule({ kind, cost }), UseGuards(RateLimitGuard));
