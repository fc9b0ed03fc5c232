import type { StreamRefusal } from './live-metrics.js';

export interface StreamLimits {
  maxStreams: number;
  maxStreamsPerKey: number;
}

/** Counts the open streams of one replica, in all and per key (by key hash). */
export class LiveStreamQuota {
  private readonly perKey = new Map<string, number>();
  private total = 0;

  constructor(readonly limits: StreamLimits) {}

  /**
   * Takes a slot for a stream of `keyHash`; returns the limit that is full instead. A key at its
   * own limit is told so first: closing one of its streams is what helps.
   */
  take(keyHash: string): StreamRefusal | undefined {
    const held = this.perKey.get(keyHash) ?? 0;
    if (held >= this.limits.maxStreamsPerKey) return 'key_limit';
    if (this.total >= this.limits.maxStreams) return 'replica_limit';
    this.perKey.set(keyHash, held + 1);
    this.total++;
    return undefined;
  }

  release(keyHash: string): void {
    const held = this.perKey.get(keyHash) ?? 0;
    if (held <= 1) this.perKey.delete(keyHash);
    else this.perKey.set(keyHash, held - 1);
    this.total = Math.max(0, this.total - 1);
  }
}
