import { Injectable } from '@nestjs/common';
import type { KeyKind } from '@tally/contracts';
import type { FastifyRequest } from 'fastify';
import { AdminToken } from './admin-token.js';
import { ApiKeys, type ValidGrant } from './api-keys.js';
import { clientAddress } from './client-address.js';
import { grantOf, recordGrant } from './request-grants.js';
import type { RouteCredential } from './route-credential.js';

const admitted = new WeakSet<object>();

/**
 * Checks a request's credential once: `CredentialsBeforeBody` checks it from the headers before
 * the body is read, and the route's guard, asking again, gets the same answer without a second
 * lookup, so a wrong credential counts once toward the failed-auth limit.
 */
@Injectable()
export class CredentialCheck {
  constructor(
    private readonly keys: ApiKeys,
    private readonly adminToken: AdminToken,
  ) {}

  /** Throws the `401`/`403`/`429` of a wrong credential; records a key's grant on the request. */
  admit(request: FastifyRequest, required: RouteCredential): void {
    if (required.credential === 'admin_token') this.admitAdmin(request);
    else this.grantFor(request, required.kinds);
  }

  /** Throws the `401`/`429` unless the request carries the admin token. */
  admitAdmin(request: FastifyRequest): void {
    if (admitted.has(request)) return;
    this.adminToken.check(request.headers.authorization, clientAddress(request.raw));
    admitted.add(request);
  }

  /** The grant of the request's key when it is of one of `kinds`; throws like `admit`. */
  grantFor(request: FastifyRequest, kinds: readonly KeyKind[]): ValidGrant {
    const checked = grantOf(request);
    if (checked) return checked;
    const address = clientAddress(request.raw);
    const grant = this.keys.grantFor(request.headers.authorization, kinds, address);
    recordGrant(request, grant);
    return grant;
  }
}
