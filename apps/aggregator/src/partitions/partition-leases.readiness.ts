import { Injectable } from '@nestjs/common';
import type { ReadinessCheck } from '@tally/platform';
import { PartitionLeases } from './partition-leases.js';

/**
 * `partition-leases` on `/readyz`: down while the lease session is lost (after a database blip,
 * until it reconnects), when this replica has released its partitions and consumes nothing.
 */
@Injectable()
export class PartitionLeasesReadiness implements ReadinessCheck {
  readonly name = 'partition-leases';

  constructor(private readonly leases: PartitionLeases) {}

  isReady(): Promise<boolean> {
    return Promise.resolve(this.leases.connected);
  }
}
