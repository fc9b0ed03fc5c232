import { Reflector } from '@nestjs/core';
import type { KeyKind } from '@tally/contracts';
import type { RequestCost } from './request-cost.js';

export interface RateLimitRule {
  /** The kinds of key the route takes; the kind of the key that came picks the limit. */
  kinds: readonly KeyKind[];
  cost: RequestCost;
}

/** Route metadata read by `RateLimitGuard`; set it through `@RateLimited`. */
export const RateLimitRule = Reflector.createDecorator<RateLimitRule>();
