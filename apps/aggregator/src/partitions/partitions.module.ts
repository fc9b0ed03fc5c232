import { Global, Module } from '@nestjs/common';
import { PARTITION_OWNERSHIP } from '@tally/nats';
import { PartitionLeases } from './partition-leases.js';

/**
 * Global so that the NATS module's consumer runners get the aggregator's partition leases (and
 * the health module their readiness).
 */
@Global()
@Module({
  providers: [PartitionLeases, { provide: PARTITION_OWNERSHIP, useExisting: PartitionLeases }],
  exports: [PARTITION_OWNERSHIP, PartitionLeases],
})
export class PartitionsModule {}
