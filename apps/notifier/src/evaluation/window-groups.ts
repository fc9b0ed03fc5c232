import type { EventType, MetricsQuery } from '@tally/contracts';
import type { AlertRule as RuleRow } from '../generated/prisma/client.js';
import { ruleWindows, type Range, type RuleSpec } from './rule-decision.js';

/** Rules that read the same series over the same window(s): one query (two for change_pct). */
export interface WindowGroup {
  current: MetricsQuery;
  previous: MetricsQuery | null;
  rules: RuleRow[];
}

function metricsQuery(rule: RuleRow, range: Range): MetricsQuery {
  return {
    projectId: rule.projectId,
    type: rule.eventType as EventType,
    ...(rule.dimension === null ? {} : { dimension: rule.dimension }),
    from: range.from,
    to: range.to,
    granularity: 'minute',
    groupByDimension: false,
    // One point for the whole window: unique users one HLL union, not a sum of minutes.
    total: true,
  };
}

/**
 * Groups rules by the exact queries they need at `now`. The metric (count, unique users,
 * revenue in any currency), the comparison and the threshold are not part of a query: every
 * answer carries all metrics, so rules on the same type, dimension and window share it.
 */
export function groupByWindow(rules: readonly RuleRow[], now: number): WindowGroup[] {
  const groups = new Map<string, WindowGroup>();
  for (const rule of rules) {
    const spec = rule as unknown as RuleSpec;
    const w = ruleWindows(now, rule.windowSeconds, spec.comparison);
    const current = metricsQuery(rule, w.current);
    const previous = w.previous && metricsQuery(rule, w.previous);
    const key = JSON.stringify([current, previous]);
    const group = groups.get(key);
    if (group) group.rules.push(rule);
    else groups.set(key, { current, previous, rules: [rule] });
  }
  return [...groups.values()];
}
