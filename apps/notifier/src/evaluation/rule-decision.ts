import type { MetricsPoint } from '@tally/contracts';

const MINUTE = 60_000;

export interface RuleSpec {
  metric: 'count' | 'unique_users' | 'revenue';
  currency: string | null;
  comparison: 'above' | 'below' | 'change_pct';
  threshold: number;
  hysteresisPct: number;
  cooldownSeconds: number;
  windowSeconds: number;
}

export interface Range {
  from: number;
  to: number;
}

/** How long after a minute ends its bucket is taken as complete (ingest-to-rollup lag). */
export const BUCKET_GRACE_MS = 5_000;

/**
 * Whether the still-filling current minute may count. A partial bucket can only under-count, so
 * it is used only where under-counting errs on the safe side: to fire an `above` rule (as soon
 * as the threshold is crossed) and to resolve a `below` rule. Otherwise (firing `below`,
 * resolving `above`, any `change_pct`) a partial minute would look like a drop, so only complete
 * minutes count, taken as complete `BUCKET_GRACE_MS` after they end.
 */
export function includesCurrentMinute(
  comparison: RuleSpec['comparison'],
  state: 'ok' | 'firing',
): boolean {
  return (
    (comparison === 'above' && state === 'ok') || (comparison === 'below' && state === 'firing')
  );
}

/** The window to evaluate, and the one just before it. */
export function windows(
  now: number,
  windowSeconds: number,
  includeCurrent: boolean,
): { current: Range; previous: Range } {
  const end = includeCurrent
    ? Math.floor(now / MINUTE) * MINUTE + MINUTE
    : Math.floor((now - BUCKET_GRACE_MS) / MINUTE) * MINUTE;
  const w = windowSeconds * 1_000;
  return { current: { from: end - w, to: end }, previous: { from: end - 2 * w, to: end - w } };
}

/**
 * The rule's metric over the points of a window. The evaluator asks for the window as one point
 * (`total`), so unique users are one HLL union; over several points they would be an upper bound.
 */
export function metricValue(
  points: readonly MetricsPoint[],
  metric: RuleSpec['metric'],
  currency: string | null,
): number {
  let total = 0;
  for (const p of points) {
    if (metric === 'count') total += p.count;
    else if (metric === 'unique_users') total += p.uniqueUsers;
    else total += Number(p.revenue[currency ?? ''] ?? 0);
  }
  return total;
}

function changePct(value: number, previous: number): number {
  if (previous === 0) return value === 0 ? 0 : Number.POSITIVE_INFINITY;
  return (Math.abs(value - previous) / previous) * 100;
}

/** Whether the condition holds (fire when it does). */
export function breaches(rule: RuleSpec, value: number, previous: number): boolean {
  switch (rule.comparison) {
    case 'above':
      return value > rule.threshold;
    case 'below':
      return value < rule.threshold;
    case 'change_pct':
      return changePct(value, previous) >= rule.threshold;
  }
}

/** Whether a firing rule is clear by the hysteresis margin (resolve when it is). */
export function recovered(rule: RuleSpec, value: number, previous: number): boolean {
  const h = rule.hysteresisPct / 100;
  switch (rule.comparison) {
    case 'above':
      return value <= rule.threshold * (1 - h);
    case 'below':
      return value >= rule.threshold * (1 + h);
    case 'change_pct':
      return changePct(value, previous) < rule.threshold * (1 - h);
  }
}

export interface Decision {
  state: 'ok' | 'firing';
  notify: 'alert.firing' | 'alert.resolved' | null;
}

/**
 * The next state of a rule. `ok` → `firing` when the condition holds and the cooldown since
 * the last firing has passed (so a flapping metric notifies at most once per cooldown);
 * `firing` → `ok` only once the value is back past the threshold by the hysteresis margin.
 */
export function decide(
  rule: RuleSpec,
  current: { state: 'ok' | 'firing'; lastFiredAt: number | null },
  value: number,
  previous: number,
  now: number,
): Decision {
  if (current.state === 'firing') {
    return recovered(rule, value, previous)
      ? { state: 'ok', notify: 'alert.resolved' }
      : { state: 'firing', notify: null };
  }
  const cooled =
    current.lastFiredAt === null || now - current.lastFiredAt >= rule.cooldownSeconds * 1_000;
  return breaches(rule, value, previous) && cooled
    ? { state: 'firing', notify: 'alert.firing' }
    : { state: 'ok', notify: null };
}
