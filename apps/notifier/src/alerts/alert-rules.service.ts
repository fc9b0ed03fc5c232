import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  AlertRuleInput,
  type AlertDestination,
  type AlertRuleReply,
  type AlertRuleRequest,
} from '@tally/contracts';
import { AddressPolicy, DestinationRefusedError } from '../webhooks/address-policy.js';
import { generateSecret } from '../webhooks/webhook-signature.js';
import { AlertRulesRepository } from './alert-rules.repository.js';

type Failure = Extract<AlertRuleReply, { ok: false }>;

/** Rule CRUD: validates rules and refuses destinations that resolve to forbidden addresses. */
@Injectable()
export class AlertRulesService {
  private readonly logger = new Logger(AlertRulesService.name);

  constructor(
    private readonly rules: AlertRulesRepository,
    private readonly policy: AddressPolicy,
  ) {}

  async handle(request: AlertRuleRequest): Promise<AlertRuleReply> {
    const { projectId } = request;
    switch (request.op) {
      case 'list':
        return { ok: true, rules: await this.rules.list(projectId) };
      case 'get': {
        const rule = await this.rules.get(projectId, request.id);
        return rule ? { ok: true, rules: [rule] } : notFound(request.id);
      }
      case 'create': {
        const problem =
          consistency(request.rule) ?? (await this.refusal(request.rule.destinations));
        if (problem) return problem;
        const secret = generateSecret();
        const rule = await this.rules.create(randomUUID(), projectId, request.rule, secret);
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

const invalid = (message: string): Failure => ({ ok: false, code: 'invalid_rule', message });
const notFound = (id: string): Failure => ({
  ok: false,
  code: 'not_found',
  message: `no alert rule ${id} in this project`,
});
