import { randomUUID } from 'node:crypto';
import type { AlertDestination, AlertWebhookPayload, EventType } from '@tally/contracts';
import type { AlertRule as RuleRow } from '../generated/prisma/client.js';
import { renderBody } from '../webhooks/webhook-body.js';
import type { NewDelivery } from './rule-evaluation.repository.js';
import type { RuleSpec } from './rule-decision.js';

export interface Transition {
  event: 'alert.firing' | 'alert.resolved';
  value: number;
  previous: number;
  at: number;
}

/** One delivery per destination of the rule, each with the body its format asks for. */
export function notifications(rule: RuleRow, t: Transition): NewDelivery[] {
  const spec = rule as unknown as RuleSpec;
  const payload: AlertWebhookPayload = {
    type: t.event,
    timestamp: new Date(t.at).toISOString(),
    data: {
      ruleId: rule.id,
      ruleName: rule.name,
      projectId: rule.projectId,
      metric: spec.metric,
      eventType: rule.eventType as EventType,
      ...(rule.dimension === null ? {} : { dimension: rule.dimension }),
      comparison: spec.comparison,
      threshold: rule.threshold,
      windowSeconds: rule.windowSeconds,
      value: t.value,
      ...(spec.comparison === 'change_pct' ? { previousValue: t.previous } : {}),
    },
  };
  return (rule.destinations as AlertDestination[]).map((d) => ({
    id: `msg_${randomUUID().replaceAll('-', '')}`,
    url: d.url,
    format: d.format,
    event: t.event,
    body: renderBody(d.format, payload),
  }));
}
