import { z } from 'zod';
import { KeyKind } from './projects.js';

/** Lowercase hex SHA-256 of an API key, as in `PROJECTS_BUCKET.apiKeyKey`. */
const KeyHash = z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256');

/**
 * gateway → every gateway replica (core publish on `SUBJECTS.rateLimitUsage`, no queue group):
 * the tokens this replica charged per API key since its previous report, so each replica can
 * debit its peers' consumption from its own buckets. Only keys that consumed anything are listed.
 */
export const RateLimitUsage = z.object({
  /** Random per process; a replica ignores its own reports. */
  replicaId: z.string().min(1).max(64),
  /** `[keyHash, kind, tokens]`: events for write keys, requests for read keys. */
  usage: z.array(z.tuple([KeyHash, KeyKind, z.number().positive().finite()])),
});
export type RateLimitUsage = z.infer<typeof RateLimitUsage>;
