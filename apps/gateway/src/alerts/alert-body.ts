import {
  ALERT_COMPARISONS,
  ALERT_METRICS,
  AlertDestination,
  AlertRuleInput,
  AlertRulePatch,
  EVENT_TYPES,
} from '@tally/contracts';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** `"90s"`, `"5m"`, `"1h"`, `"1d"` (or a number of seconds) → seconds. */
const Duration = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^\d+[smhd]$/, 'a duration like "30s", "5m", "1h" or "1d"')
    .transform((v) => Number(v.slice(0, -1)) * UNIT_SECONDS[v.at(-1) as keyof typeof UNIT_SECONDS]),
]);

/** The public body of `POST /v1/alerts`; `PATCH` takes any subset of it. */
const AlertBody = z.strictObject({
  name: z.string(),
  metric: z.enum(ALERT_METRICS),
  eventType: z.enum(EVENT_TYPES),
  /** Filter on the event's name/element/path (the rollups' dimension). */
  dimension: z.string().optional(),
  currency: z.string().optional(),
  window: Duration,
  comparison: z.enum(ALERT_COMPARISONS),
  threshold: z.number(),
  cooldown: Duration.optional(),
  hysteresisPct: z.number().optional(),
  destinations: z.array(AlertDestination),
  enabled: z.boolean().optional(),
});
type AlertBody = z.infer<typeof AlertBody>;

const PUBLIC_NAMES: Record<string, string> = {
  windowSeconds: 'window',
  cooldownSeconds: 'cooldown',
};

function invalid(error: z.ZodError): never {
  const details = error.issues.map((i) => ({
    path: i.path.map((p) => PUBLIC_NAMES[String(p)] ?? String(p)).join('.'),
    message: i.message,
  }));
  throw new ApiError(400, 'invalid_rule', 'invalid alert rule', details);
}

function renamed(body: Partial<AlertBody>): Record<string, unknown> {
  const { window, cooldown, ...rest } = body;
  return {
    ...rest,
    ...(window === undefined ? {} : { windowSeconds: window }),
    ...(cooldown === undefined ? {} : { cooldownSeconds: cooldown }),
  };
}

/**
 * Validates a create body into the notifier's rule contract (400 `invalid_rule` otherwise).
 * NOTE: the contract holds the real bounds (whole minutes, ranges); checking it here makes a
 * bad rule a 400 from the gateway without a round trip.
 */
export function toCreateInput(body: unknown): AlertRuleInput {
  const parsed = AlertBody.safeParse(body);
  if (!parsed.success) invalid(parsed.error);
  const rule = AlertRuleInput.safeParse(renamed(parsed.data));
  if (!rule.success) invalid(rule.error);
  return rule.data;
}

/** Validates a `PATCH` body: any subset of the create body. */
export function toPatchInput(body: unknown): AlertRulePatch {
  const parsed = AlertBody.partial().safeParse(body);
  if (!parsed.success) invalid(parsed.error);
  // NOTE: AlertRulePatch has no defaults, so an omitted field is left unchanged.
  const patch = AlertRulePatch.safeParse(renamed(parsed.data));
  if (!patch.success) invalid(patch.error);
  return patch.data;
}
