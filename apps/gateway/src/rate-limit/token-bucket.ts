/** A limit: tokens refill at `ratePerSecond` up to `burst`. */
export interface BucketPolicy {
  ratePerSecond: number;
  burst: number;
}

export type Admission =
  { admitted: true; remaining: number } | { admitted: false; retryAfterSeconds: number };

/**
 * A token bucket whose balance may go negative: consumption reported by other gateway replicas
 * is debited after the fact, and a key that overdrew is refused until the refill pays it back.
 * Times are milliseconds on a monotonic clock.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly policy: BucketPolicy,
    now: number,
  ) {
    this.tokens = policy.burst;
    this.updatedAt = now;
  }

  /**
   * Takes `cost` tokens when the bucket holds them. A cost above the burst is admitted from a
   * full bucket (and overdraws it), so a batch larger than the burst is slowed, not refused forever.
   */
  take(cost: number, now: number): Admission {
    const balance = this.refill(now);
    const needed = Math.min(cost, this.policy.burst);
    if (balance < needed) {
      const seconds = Math.ceil((needed - balance) / this.policy.ratePerSecond);
      return { admitted: false, retryAfterSeconds: Math.max(1, seconds) };
    }
    this.tokens -= cost;
    return { admitted: true, remaining: Math.max(0, Math.floor(this.tokens)) };
  }

  /** Whether the bucket holds `tokens` now. */
  holds(tokens: number, now: number): boolean {
    return this.refill(now) >= tokens;
  }

  /** Gives back tokens taken for more than was used, never above the burst. */
  credit(tokens: number, now: number): number {
    this.tokens = Math.min(this.policy.burst, this.refill(now) + tokens);
    return Math.max(0, Math.floor(this.tokens));
  }

  /** Removes tokens spent elsewhere, even below zero. */
  debit(tokens: number, now: number): void {
    this.refill(now);
    this.tokens -= tokens;
  }

  /** A full bucket is indistinguishable from a new one, so it can be dropped and recreated. */
  isFull(now: number): boolean {
    return this.refill(now) >= this.policy.burst;
  }

  private refill(now: number): number {
    const elapsedMs = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(
      this.policy.burst,
      this.tokens + (elapsedMs * this.policy.ratePerSecond) / 1_000,
    );
    this.updatedAt = now;
    return this.tokens;
  }
}
