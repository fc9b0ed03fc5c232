import { Reflector } from '@nestjs/core';
import type { KeyKind } from '@tally/contracts';
import type { RequestCost } from './request-cost.js';

export interface RateLimitRule {
  /** The key the route needs; its kind picks the limit. */
  kind: KeyKind;
  cost: RequestCost;
}

/** Route metadata read by `RateLimitGuard`; set it through `@RateLimited`. */
export const RateLimitRule = Reflector.createDecorator<RateLimitRule>();
