import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { KeyKind } from '@tally/contracts';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from '../http/api-error.js';
import { hashKey, ProjectRegistry } from '../projects/project-registry.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';

interface KeyGrant {
  projectId: string;
  kind: KeyKind;
  revoked: boolean;
}

/** What a valid key may do, and its hash: the identity rate limits are kept under. */
export interface ValidGrant {
  projectId: string;
  kind: KeyKind;
  keyHash: string;
}

/**
 * Resolves `Authorization: Bearer <key>` to the project it may act on. Keys issued through the
 * admin API come from the in-memory mirror of the projects KV bucket; the static bootstrap keys
 * of `TALLY_API_KEYS` are held as hashes too. A lookup never waits on I/O.
 */
@Injectable()
export class ApiKeys {
  private readonly staticGrants: Map<string, KeyGrant>;

  constructor(
    config: ConfigService<GatewayConfig, true>,
    private readonly registry: ProjectRegistry,
    private readonly failures: FailedAuthLimiter,
  ) {
    const keys = config.get('apiKeys', { infer: true });
    this.staticGrants = new Map(
      keys.map((k) => [hashKey(k.key), { projectId: k.projectId, kind: k.kind, revoked: false }]),
    );
  }

  /**
   * The project the bearer key grants access to when it is of one of `kinds`, its kind and hash;
   * 401/403 otherwise, and 429 when the client's `address` sent wrong keys too often.
   */
  grantFor(
    authorization: string | undefined,
    kinds: readonly KeyKind[],
    address: string,
  ): ValidGrant {
    this.failures.assertAllowed(address, 'api_key');
    const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!key) throw new ApiError(401, 'missing_key', 'send "Authorization: Bearer <key>"');
    const keyHash = hashKey(key);
    const grant = this.lookup(keyHash);
    if (!grant || grant.revoked) {
      this.failures.recordFailure(address, 'api_key');
      throw new ApiError(401, 'invalid_key', 'unknown or revoked key');
    }
    if (!kinds.includes(grant.kind)) {
      throw new ApiError(403, 'wrong_key_kind', `this endpoint needs a ${kinds.join(' or ')} key`);
    }
    return { projectId: grant.projectId, kind: grant.kind, keyHash };
  }

  private lookup(hash: string): KeyGrant | undefined {
    const issued = this.registry.findKey(hash);
    if (issued) {
      return { projectId: issued.projectId, kind: issued.kind, revoked: !!issued.revokedAt };
    }
    return this.staticGrants.get(hash);
  }
}
