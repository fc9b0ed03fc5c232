import type { ValidGrant } from './api-keys.js';

const grants = new WeakMap<object, ValidGrant>();

/** Kept by the guard that checked the request's key, so the key is hashed once per request. */
export function recordGrant(request: object, grant: ValidGrant): void {
  grants.set(request, grant);
}

export function grantOf(request: object): ValidGrant | undefined {
  return grants.get(request);
}
