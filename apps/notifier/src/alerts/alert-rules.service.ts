import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Counter } from 'prom-client';
import {
  AlertRuleInput,
  type AlertDestination,
  type AlertRuleReply,
  type AlertRuleRequest,
} from '@tally/contracts';
import type { NotifierConfig } from '../config/notifier.config.js';
import { AddressPolicy, DestinationRefusedError } from '../webhooks/address-policy.js';
import { generateSecret } from '../webhooks/webhook-signature.js';
import { AlertRulesRepository } from './alert-rules.repository.js';
import { cursorAfter, fittingPage, positionOf } from './rule-list-page.js';

type Failure = Extract<AlertRuleReply, { ok: false }>;
type ListRequest = Extract<AlertRuleRequest, { op: 'list' }>;

const refusedAtLimit = new Counter({
  name: 'tally_notifier_rules_refused_at_limit_total',
  help: 'Alert rules not created because their project had ALERT_RULES_PER_PROJECT rules',
});

/**
 * Rule CRUD: validates rules, refuses destinations that resolve to forbidden addresses, keeps a
 * project within its rule limit and lists rules a page at a time.
 */
@Injectable()
export class AlertRulesService {
  private readonly logger = new Logger(AlertRulesService.name);
  private readonly maxRulesPerProject: number;

  constructor(
    private readonly rules: AlertRulesRepository,
    private readonly policy: AddressPolicy,
    config: ConfigService<NotifierConfig, true>,
  ) {
    this.maxRulesPerProject = config.get('alerts', { infer: true }).rulesPerProject;
  }

  async handle(request: AlertRuleRequest): Promise<AlertRuleReply> {
    const { projectId } = request;
    switch (request.op) {
      case 'list':
        return this.page(request);
      case 'get': {
        const rule = await this.rules.get(projectId, request.id);
        return rule ? { ok: true, rules: [rule] } : notFound(request.id);
      }
      case 'create': {
        const problem =
          consistency(request.rule) ?? (await this.refusal(request.rule.destinations));
        if (problem) return problem;
        const secret = generateSecret();
        const max = this.maxRulesPerProject;
        const rule = await this.rules.createWithin(
          max,
          randomUUID(),
          projectId,
          request.rule,
          secret,
        );
        if (!rule) {
          refusedAtLimit.inc();
          return limitReached(max);
        }
        this.logger.log({ projectId, ruleId: rule.id }, 'alert rule created');
        return { ok: true, rules: [rule], secret };
      }
      case 'update': {
        const existing = await this.rules.get(projectId, request.id);
        if (!existing) return notFound(request.id);
        const merged = AlertRuleInput.safeParse({ ...existing, ...request.patch });
        if (!merged.success) return invalid(merged.error.issues.map((i) => i.message).join('; '));
        const problem =
          consistency(merged.data) ??
          (request.patch.destinations ? await this.refusal(request.patch.destinations) : undefined);
        if (problem) return problem;
        const rule = await this.rules.update(projectId, request.id, request.patch);
        if (!rule) return notFound(request.id);
        this.logger.log({ projectId, ruleId: rule.id }, 'alert rule updated');
        return { ok: true, rules: [rule] };
      }
      case 'delete': {
        if (!(await this.rules.delete(projectId, request.id))) return notFound(request.id);
        this.logger.log({ projectId, ruleId: request.id }, 'alert rule deleted');
        return { ok: true, rules: [] };
      }
    }
  }

  private async page({ projectId, limit, cursor }: ListRequest): Promise<AlertRuleReply> {
    const after = cursor === undefined ? undefined : positionOf(cursor);
    if (cursor !== undefined && !after) {
      return { ok: false, code: 'invalid_cursor', message: 'not a cursor of this list' };
    }
    // One more than the page: whether it exists says whether a next page does.
    const rules = await this.rules.page(projectId, after, limit + 1);
    const page = fittingPage(rules.slice(0, limit));
    const last = page.at(-1);
    return page.length < rules.length && last
      ? { ok: true, rules: page, nextCursor: cursorAfter(last) }
      : { ok: true, rules: page };
  }

  private async refusal(destinations: readonly AlertDestination[]): Promise<Failure | undefined> {
    for (const d of destinations) {
      try {
        await this.policy.check(d.url);
      } catch (err) {
        if (err instanceof DestinationRefusedError) {
          return { ok: false, code: 'destination_refused', message: err.message };
        }
        throw err;
      }
    }
    return undefined;
  }
}

function consistency(rule: AlertRuleInput): Failure | undefined {
  if (rule.metric === 'revenue' && !rule.currency) {
    return invalid('a revenue rule needs a currency');
  }
  return undefined;
}

const limitReached = (max: number): Failure => ({
  ok: false,
  code: 'rule_limit_reached',
  message: `this project already has ${max} alert rules, the most allowed; delete one first`,
});
const invalid = (message: string): Failure => ({ ok: false, code: 'invalid_rule', message });
const notFound = (id: string): Failure => ({
  ok: false,
  code: 'not_found',
  message: `no alert rule ${id} in this project`,
});
