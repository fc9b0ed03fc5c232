/**
 * Partition of a (project, user) pair: FNV-1a over both, mod the partition count. Every event of
 * one user lands in one partition, so per-partition order is per-user order.
 */
export function partitionOf(projectId: string, userId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  const key = `${projectId}\u0000${userId}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
