export interface PartitionWork {
  partition: number;
  signal: AbortSignal;
}

/**
 * Decides which partitions of a partitioned consumer this replica runs. The default runs all of
 * them; an app can provide one that spreads partitions over its replicas.
 */
export interface PartitionOwnership {
  run(
    consumer: string,
    partitions: number,
    work: (task: PartitionWork) => Promise<void>,
    stop: AbortSignal,
  ): Promise<void>;
}

export const PARTITION_OWNERSHIP = Symbol('PARTITION_OWNERSHIP');

export class AllPartitions implements PartitionOwnership {
  async run(
    _consumer: string,
    partitions: number,
    work: (task: PartitionWork) => Promise<void>,
    stop: AbortSignal,
  ): Promise<void> {
    await Promise.all(
      Array.from({ length: partitions }, (_, partition) => work({ partition, signal: stop })),
    );
  }
}
