import { z } from 'zod';

/**
 * Projects and API keys live in a NATS KV bucket that every gateway replica watches. These are
 * the bucket's name, key layout and record shapes; only SHA-256 hashes of API keys are stored.
 */
export const PROJECTS_BUCKET = {
  name: 'TALLY_PROJECTS',
  /** KV key of a project record. */
  projectKey: (projectId: string) => `project.${projectId}`,
  /** KV key of an API key record: the lowercase hex SHA-256 of the key itself. */
  apiKeyKey: (keyHash: string) => `key.${keyHash}`,
  projectPrefix: 'project.',
  apiKeyPrefix: 'key.',
} as const;

/**
 * `write` only sends events (it ships inside clients and web pages); `read` reads a project's
 * metrics, live stream, rejected events and alert rules (webhook URLs masked); `manage` changes
 * alert rules and sees them in full. See the README's key model table.
 */
export const KEY_KINDS = ['write', 'read', 'manage'] as const;
export const KeyKind = z.enum(KEY_KINDS);
export type KeyKind = z.infer<typeof KeyKind>;

/** A project id is one NATS subject token: it becomes part of `tally.*.<projectId>`. */
export const ProjectId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only');

/** KV `project.<id>`. */
export const ProjectRecord = z.object({
  id: ProjectId,
  name: z.string().min(1).max(200),
  createdAt: z.iso.datetime(),
});
export type ProjectRecord = z.infer<typeof ProjectRecord>;

/** KV `key.<sha256 hex of the key>`. A revoked key keeps its record with `revokedAt` set. */
export const ApiKeyRecord = z.object({
  keyId: z.string().min(1),
  projectId: ProjectId,
  kind: KeyKind,
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().optional(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;
