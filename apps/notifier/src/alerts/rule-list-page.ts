import { ALERT_LIST_LIMITS, type AlertRule } from '@tally/contracts';

/** Where a page of a project's rule list starts: after this rule, in (createdAt, id) order. */
export interface RulePosition {
  createdAt: Date;
  id: string;
}

/** The opaque `nextCursor` that starts the next page after `rule`. */
export function cursorAfter(rule: AlertRule): string {
  return Buffer.from(`${Date.parse(rule.createdAt)}.${rule.id}`).toString('base64url');
}

/** The position a cursor names, or `undefined` when it is not one this notifier made. */
export function positionOf(cursor: string): RulePosition | undefined {
  const match = /^(\d{1,15})\.(.+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) return undefined;
  return { createdAt: new Date(Number(match[1])), id: match[2]! };
}

/**
 * The leading rules whose JSON fits in `maxBytes` (always at least one). NOTE: the reply must
 * fit in one NATS message; a rule at its field limits is ~40 KiB, so the count alone cannot say.
 */
export function fittingPage(
  rules: readonly AlertRule[],
  maxBytes: number = ALERT_LIST_LIMITS.maxPageBytes,
): AlertRule[] {
  const page: AlertRule[] = [];
  let bytes = 0;
  for (const rule of rules) {
    bytes += Buffer.byteLength(JSON.stringify(rule));
    if (page.length > 0 && bytes > maxBytes) break;
    page.push(rule);
  }
  return page;
}
