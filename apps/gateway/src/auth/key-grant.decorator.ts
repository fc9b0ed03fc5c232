import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ValidGrant } from './api-keys.js';
import { grantOf } from './request-grants.js';

/**
 * The request's checked key (project, kind, hash), for routes that answer differently by kind;
 * like `@KeyProject()` it needs `@RateLimited(kind)` on the route.
 */
export const KeyGrant = createParamDecorator(
  (_: unknown, context: ExecutionContext): ValidGrant => {
    const grant = grantOf(context.switchToHttp().getRequest<object>());
    if (!grant) throw new Error('@KeyGrant() needs @RateLimited(kind) on the route');
    return grant;
  },
);
