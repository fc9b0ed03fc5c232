import { RouteConfig } from '@nestjs/platform-fastify';
import type { KeyKind } from '@tally/contracts';
import type { FastifyRequest } from 'fastify';

/** What a route takes as its credential: an API key of one of `kinds`, or the admin token. */
export type RouteCredential =
  { credential: 'api_key'; kinds: readonly KeyKind[] } | { credential: 'admin_token' };

interface CredentialConfig {
  credential?: RouteCredential;
}

const declared = new WeakSet<object>();

/**
 * Declares the route's credential in its Fastify route config, where `CredentialsBeforeBody`
 * reads it before the body is. On a class it applies to every method that declares none itself.
 * NOTE: Nest passes Fastify only a method's own route config (`@RouteConfig`), never a class's,
 * and this sets that config whole: a route needing other config must add it here.
 */
export function RequiresCredential(required: RouteCredential) {
  const config = RouteConfig({ credential: required } satisfies CredentialConfig);
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    if (descriptor) {
      declare(config, target, key, descriptor);
      return;
    }
    // NOTE: method decorators run before class decorators, so the methods' own are set by now.
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method = Object.getOwnPropertyDescriptor(prototype, name);
      if (name === 'constructor' || typeof method?.value !== 'function') continue;
      if (!declared.has(method.value as object)) declare(config, prototype, name, method);
    }
  };
}

function declare(
  config: MethodDecorator,
  target: object,
  key: string | symbol | undefined,
  descriptor: PropertyDescriptor,
): void {
  config(target, key ?? '', descriptor);
  declared.add(descriptor.value as object);
}

/** The credential the request's route declared, if any. */
export function credentialOf(request: FastifyRequest): RouteCredential | undefined {
  return (request.routeOptions.config as CredentialConfig).credential;
}
