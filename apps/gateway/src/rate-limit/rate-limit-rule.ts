import { Reflector } from '@nestjs/core';
import type { KeyKind } from '@tally/contracts';

export interface RateLimitRule {
  /** The key the route needs; its kind picks the limit. */
  kind: KeyKind;
  /** Tokens a request costs, from its parsed body. */
  cost: (body: unknown) => number;
}

/** Route metadata read by `RateLimitGuard`; set it through `@RateLimited`. */
export const RateLimitRule = Reflector.createDecorator<RateLimitRule>();
