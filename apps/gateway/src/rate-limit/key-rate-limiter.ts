import type { KeyKind } from '@tally/contracts';
import { TokenBucket, type Admission, type BucketPolicy } from './token-bucket.js';

/** Per key kind; a `ratePerSecond` of 0 means keys of that kind are not limited. */
export type RateLimitPolicies = Record<KeyKind, BucketPolicy>;

/** `[keyHash, kind, tokens]`, as carried by `RateLimitUsage`. */
export type KeyUsage = [string, KeyKind, number];

/** Milliseconds on a monotonic clock. */
export type Clock = () => number;

/**
 * One token bucket per API key (by the key's hash, never the key), refilling at the limit for the
 * whole deployment. It records what this replica admitted until `drainUsage` hands it to the
 * exchange, and takes what other replicas admitted through `debit`. Every call is a map lookup
 * and some arithmetic: nothing here waits on I/O.
 */
export class KeyRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private pending = new Map<string, KeyUsage>();

  constructor(
    private readonly policies: RateLimitPolicies,
    private readonly clock: Clock = () => performance.now(),
  ) {}

  /** The limit of `kind`, or `undefined` when keys of that kind are not limited. */
  policyOf(kind: KeyKind): BucketPolicy | undefined {
    const policy = this.policies[kind];
    return policy.ratePerSecond > 0 ? policy : undefined;
  }

  /** Charges `cost` to the key; `undefined` when keys of `kind` are not limited. */
  take(keyHash: string, kind: KeyKind, cost: number): Admission | undefined {
    const admission = this.reserve(keyHash, kind, cost);
    if (admission?.admitted) this.record(keyHash, kind, cost);
    return admission;
  }

  /** Whether the key's bucket holds `tokens` now (never true of more than the burst). */
  holds(keyHash: string, kind: KeyKind, tokens: number): boolean {
    return this.bucket(keyHash, kind)?.holds(tokens, this.clock()) ?? true;
  }

  /**
   * Takes `tokens` for a request whose cost is known only once it is done; `settle` charges what
   * it used. Until then peers are not told.
   */
  reserve(keyHash: string, kind: KeyKind, tokens: number): Admission | undefined {
    return this.bucket(keyHash, kind)?.take(tokens, this.clock());
  }

  /** Gives back what a reservation did not use, reports what it did; the tokens left. */
  settle(keyHash: string, kind: KeyKind, reserved: number, used: number): number | undefined {
    const bucket = this.bucket(keyHash, kind);
    if (!bucket) return undefined;
    this.record(keyHash, kind, used);
    return bucket.credit(reserved - used, this.clock());
  }

  /** Debits tokens another replica charged to the key. */
  debit(keyHash: string, kind: KeyKind, tokens: number): void {
    this.bucket(keyHash, kind)?.debit(tokens, this.clock());
  }

  /** What this replica admitted since the previous call, per key. */
  drainUsage(): KeyUsage[] {
    const usage = [...this.pending.values()];
    this.pending = new Map();
    return usage;
  }

  /** Drops full buckets (idle long enough to refill), which keeps memory to the active keys. */
  evictFull(): void {
    const now = this.clock();
    for (const [keyHash, bucket] of this.buckets) {
      if (bucket.isFull(now)) this.buckets.delete(keyHash);
    }
  }

  get bucketCount(): number {
    return this.buckets.size;
  }

  private bucket(keyHash: string, kind: KeyKind): TokenBucket | undefined {
    const existing = this.buckets.get(keyHash);
    if (existing) return existing;
    const policy = this.policyOf(kind);
    if (!policy) return undefined;
    const bucket = new TokenBucket(policy, this.clock());
    this.buckets.set(keyHash, bucket);
    return bucket;
  }

  private record(keyHash: string, kind: KeyKind, cost: number): void {
    const usage = this.pending.get(keyHash);
    if (usage) usage[2] += cost;
    else this.pending.set(keyHash, [keyHash, kind, cost]);
  }
}
