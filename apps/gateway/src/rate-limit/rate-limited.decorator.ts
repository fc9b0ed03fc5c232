import { applyDecorators, UseGuards, UseInterceptors } from '@nestjs/common';
import type { KeyKind } from '@tally/contracts';
import { RequiresCredential } from '../auth/route-credential.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimitRule } from './rate-limit-rule.js';
import { RateLimitSettlement } from './rate-limit-settlement.interceptor.js';
import { ONE_REQUEST, type RequestCost } from './request-cost.js';

/**
 * Checks that the bearer key is of `kind` (or one of the kinds), from the headers before the body
 * is read (`CredentialsBeforeBody`), and charges the request to that key's limit before the
 * handler runs: `401`/`403` for a bad key, `429` with `Retry-After` over the limit. A request
 * costs 1 unless `cost` says otherwise.
 */
export const RateLimited = (
  kind: KeyKind | readonly KeyKind[],
  cost: RequestCost = ONE_REQUEST,
) => {
  const kinds = typeof kind === 'string' ? [kind] : kind;
  return applyDecorators(
    RequiresCredential({ credential: 'api_key', kinds }),
    RateLimitRule({ kinds, cost }),
    UseGuards(RateLimitGuard),
    UseInterceptors(RateLimitSettlement),
  );
};
