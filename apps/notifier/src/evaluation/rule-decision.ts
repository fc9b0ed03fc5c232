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
 * The window a rule reads, the same whether it is `ok` or `firing` (so a rule never fires on one
 * window and resolves on another), and for `change_pct` the window just before it.
 *
 * `above` / `below`: the whole minutes that overlap the last `windowSeconds`, the still-filling
 * current minute included. That always covers the full last `windowSeconds`, so a partial minute
 * never looks like a drop, and events leave the window only once their whole minute is older
 * than `windowSeconds` (30 clicks at 10:33:06 in a 1-minute window hold until 10:35:00). The
 * price: the window is up to one minute longer than `windowSeconds`.
 *
 * `change_pct`: two equal windows of complete minutes (complete `BUCKET_GRACE_MS` after they
 * end), because a partial current window against a full previous one would look like a drop.
 */
export function ruleWindows(
  now: number,
  windowSeconds: number,
  comparison: RuleSpec['comparison'],
): { current: Range; previous: Range | null } {
  const w = windowSeconds * 1_000;
  if (comparison !== 'change_pct') {
    const from = Math.floor((now - w) / MINUTE) * MINUTE;
    return { current: { from, to: Math.floor(now / MINUTE) * MINUTE + MINUTE }, previous: null };
  }
  const end = Math.floor((now - BUCKET_GRACE_MS) / MINUTE) * MINUTE;
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
