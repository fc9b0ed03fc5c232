import {
  AlertRuleBody,
  AlertRuleInput,
  AlertRulePatch,
  AlertRulePatchBody,
} from '@tally/contracts';
import type { z } from 'zod';
import { ApiError } from '../http/api-error.js';

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

function renamed(body: Partial<AlertRuleBody>): Record<string, unknown> {
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
  const parsed = AlertRuleBody.safeParse(body);
  if (!parsed.success) invalid(parsed.error);
  const rule = AlertRuleInput.safeParse(renamed(parsed.data));
  if (!rule.success) invalid(rule.error);
  return rule.data;
}

/** Validates a `PATCH` body: any subset of the create body. */
export function toPatchInput(body: unknown): AlertRulePatch {
  const parsed = AlertRulePatchBody.safeParse(body);
  if (!parsed.success) invalid(parsed.error);
  // NOTE: AlertRulePatch has no defaults, so an omitted field is left unchanged.
  const patch = AlertRulePatch.safeParse(renamed(parsed.data));
  if (!patch.success) invalid(patch.error);
  return patch.data;
}
