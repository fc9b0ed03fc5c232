import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GatewayConfig } from '../config/gateway.config.js';
import { ApiError } from '../http/api-error.js';

export type KeyKind = 'write' | 'read';

interface KeyGrant {
  projectId: string;
  kind: KeyKind;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Resolves `Authorization: Bearer <key>` to the project it may act on. Only hashes of keys are
 * held in memory; a lookup never touches a database.
 */
@Injectable()
export class ApiKeys {
  private readonly grants: Map<string, KeyGrant>;

  constructor(config: ConfigService<GatewayConfig, true>) {
    const keys = config.get('apiKeys', { infer: true });
    this.grants = new Map(
      keys.map((k) => [sha256(k.key), { projectId: k.projectId, kind: k.kind }]),
    );
  }

  /** The project the bearer key grants `kind` access to; 401/403 with a reason otherwise. */
  projectFor(authorization: string | undefined, kind: KeyKind): string {
    const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!key) throw new ApiError(401, 'missing_key', 'send "Authorization: Bearer <key>"');
    const grant = this.grants.get(sha256(key));
    if (!grant) throw new ApiError(401, 'invalid_key', 'unknown or revoked key');
    if (grant.kind !== kind) {
      throw new ApiError(403, 'wrong_key_kind', `this endpoint needs a ${kind} key`);
    }
    return grant.projectId;
  }
}
