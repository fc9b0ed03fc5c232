const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `"500ms"`, `"5s"`, `"5m"`, `"2h"` or a bare number of milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match?.[1]) throw new Error(`not a duration: "${text}"`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
}

/** A comma-separated list of delays before each attempt, the first usually `0` (now). */
export function parseSchedule(text: string): number[] {
  const steps = text.split(',').map(parseDuration);
  if (steps.length === 0) throw new Error('a retry schedule needs at least one step');
  return steps;
}

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds from `now`; else undefined. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface RetryPolicy {
  /** Delay before attempt n+1 (index n); its length is the number of attempts. */
  schedule: readonly number[];
  /** ± this fraction of each delay, so many failing deliveries do not retry in lockstep. */
  jitter: number;
  /** A receiver's `Retry-After` is honoured up to this long. */
  maxRetryAfterMs: number;
}

/**
 * Milliseconds until the next attempt after `attemptsMade` attempts have failed, or `null` when
 * the schedule is exhausted (the delivery is dead). A `Retry-After` longer than the scheduled
 * delay wins, capped so that a receiver cannot park a delivery forever.
 */
export function nextRetryDelay(
  policy: RetryPolicy,
  attemptsMade: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number | null {
  const base = policy.schedule[attemptsMade];
  if (base === undefined) return null;
  const jittered = Math.round(base * (1 + policy.jitter * (2 * random() - 1)));
  const asked = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return Math.max(jittered, asked, 0);
}
