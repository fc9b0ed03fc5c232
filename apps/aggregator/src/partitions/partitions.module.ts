import { Global, Module } from '@nestjs/common';
import { PARTITION_OWNERSHIP } from '@tally/nats';
import { PartitionLeases } from './partition-leases.js';

/** Global so that the NATS module's consumer runners get the aggregator's partition leases. */
@Global()
@Module({
  providers: [PartitionLeases, { provide: PARTITION_OWNERSHIP, useExisting: PartitionLeases }],
  exports: [PARTITION_OWNERSHIP],
})
export class PartitionsModule {}
