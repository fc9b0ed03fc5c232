import type { AlertRule, Delivery, KeyKind } from '@tally/contracts';

/**
 * Only the scheme, host and port of a webhook URL. NOTE: the path and query are the secret of
 * many webhooks (a Slack URL is its own credential), and user info is a password.
 */
export const maskedUrl = (url: string): string =>
  URL.canParse(url) ? `${new URL(url).origin}/***` : '***';

/** A rule as a key of `kind` may see it: a read key sees destination URLs masked. */
export function ruleShownTo(kind: KeyKind, rule: AlertRule): AlertRule {
  if (kind === 'manage') return rule;
  return { ...rule, destinations: rule.destinations.map((d) => ({ ...d, url: maskedUrl(d.url) })) };
}

/** A delivery as a key of `kind` may see it (the URL as in `ruleShownTo`). */
export function deliveryShownTo(kind: KeyKind, delivery: Delivery): Delivery {
  return kind === 'manage' ? delivery : { ...delivery, url: maskedUrl(delivery.url) };
}
