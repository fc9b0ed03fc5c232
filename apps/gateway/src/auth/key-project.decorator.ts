import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ValidGrant } from './api-keys.js';

const grants = new WeakMap<object, ValidGrant>();

/** Called by the guard that checked the request's key, so the key is hashed once per request. */
export function recordGrant(request: object, grant: ValidGrant): void {
  grants.set(request, grant);
}

/**
 * The project the request's bearer key acts on, as checked by `@RateLimited(kind)`; a route
 * without that decorator has no checked key, which is a programming error.
 */
export const KeyProject = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const grant = grants.get(context.switchToHttp().getRequest<object>());
  if (!grant) throw new Error('@KeyProject() needs @RateLimited(kind) on the route');
  return grant.projectId;
});
