import type { AlertWebhookPayload } from '@tally/contracts';

export type WebhookFormat = 'standard' | 'slack';

const COMPARISON_TEXT = { above: 'above', below: 'below', change_pct: 'changed by ≥' } as const;

/**
 * The body sent to one destination: the JSON payload as is (`standard`), or a Slack-compatible
 * `{ text }` message (incoming webhooks and Mattermost/Discord-Slack endpoints accept it).
 */
export function renderBody(format: WebhookFormat, payload: AlertWebhookPayload): string {
  if (format === 'standard') return JSON.stringify(payload);
  const d = payload.data;
  const what = `${d.metric} of ${d.eventType}${d.dimension === undefined ? '' : ` "${d.dimension}"`}`;
  const unit = d.comparison === 'change_pct' ? '%' : '';
  const head =
    payload.type === 'alert.firing' ? ':rotating_light: FIRING' : ':white_check_mark: RESOLVED';
  const text =
    `${head}: ${d.ruleName} (project ${d.projectId}): ${what} over ${d.windowSeconds / 60} min ` +
    `is ${d.value} (${COMPARISON_TEXT[d.comparison]} ${d.threshold}${unit})`;
  return JSON.stringify({ text });
}
