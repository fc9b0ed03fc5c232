import { createHash } from 'node:crypto';

/** Same checksum Prisma stores: lowercase hex SHA-256 of the raw migration.sql bytes. */
export function migrationChecksum(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
