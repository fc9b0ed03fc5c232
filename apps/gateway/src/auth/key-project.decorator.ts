import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { grantOf } from './request-grants.js';

/**
 * The project the request's bearer key acts on, as checked by `@RateLimited(kind)`; a route
 * without that decorator has no checked key, which is a programming error.
 */
export const KeyProject = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const grant = grantOf(context.switchToHttp().getRequest<object>());
  if (!grant) throw new Error('@KeyProject() needs @RateLimited(kind) on the route');
  return grant.projectId;
});
