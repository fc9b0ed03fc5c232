import { Injectable } from '@nestjs/common';
import type { AlertRule, AlertRuleInput } from '@tally/contracts';
import { PrismaService } from '../database/prisma.service.js';
import type { AlertRule as RuleRow } from '../generated/prisma/client.js';
import type { RulePosition } from './rule-list-page.js';

/** First key of the two-key advisory lock that serialises rule creation per project. */
const RULE_COUNT_LOCK_SPACE = 0x7a11_0001;

/** The only place that reads or writes alert rules for CRUD. */
@Injectable()
export class AlertRulesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Up to `take` of the project's rules after `after`, oldest first. */
  async page(
    projectId: string,
    after: RulePosition | undefined,
    take: number,
  ): Promise<AlertRule[]> {
    const rows = await this.prisma.alertRule.findMany({
      where: {
        projectId,
        ...(after && {
          OR: [
            { createdAt: { gt: after.createdAt } },
            { createdAt: after.createdAt, id: { gt: after.id } },
          ],
        }),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
    });
    return rows.map(toContract);
  }

  async get(projectId: string, id: string): Promise<AlertRule | undefined> {
    const row = await this.prisma.alertRule.findFirst({ where: { projectId, id } });
    return row ? toContract(row) : undefined;
  }

  /**
   * Creates the rule unless the project already has `maxRules`; `undefined` then. NOTE: the
   * advisory lock makes count-then-insert atomic per project, so concurrent creates cannot
   * overshoot the limit.
   */
  createWithin(
    maxRules: number,
    id: string,
    projectId: string,
    rule: AlertRuleInput,
    secret: string,
  ): Promise<AlertRule | undefined> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${RULE_COUNT_LOCK_SPACE}::int, hashtext(${projectId}))::text`;
      if ((await tx.alertRule.count({ where: { projectId } })) >= maxRules) return undefined;
      return toContract(await tx.alertRule.create({ data: newRow(id, projectId, rule, secret) }));
    });
  }

  async update(
    projectId: string,
    id: string,
    patch: Partial<AlertRuleInput>,
  ): Promise<AlertRule | undefined> {
    const { count } = await this.prisma.alertRule.updateMany({
      where: { projectId, id },
      // NOTE: a changed rule is evaluated again right away.
      data: { ...columns(patch), updatedAt: new Date(), nextEvalAt: new Date() },
    });
    return count === 0 ? undefined : this.get(projectId, id);
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.alertRule.deleteMany({ where: { projectId, id } });
    return count > 0;
  }
}

function newRow(id: string, projectId: string, rule: AlertRuleInput, secret: string) {
  return {
    id,
    projectId,
    secret,
    ...columns(rule),
    name: rule.name,
    metric: rule.metric,
    eventType: rule.eventType,
    windowSeconds: rule.windowSeconds,
    comparison: rule.comparison,
    threshold: rule.threshold,
    cooldownSeconds: rule.cooldownSeconds,
    destinations: rule.destinations,
  };
}

function columns(rule: Partial<AlertRuleInput>) {
  return {
    name: rule.name,
    metric: rule.metric,
    eventType: rule.eventType,
    dimension: rule.dimension,
    currency: rule.currency,
    windowSeconds: rule.windowSeconds,
    comparison: rule.comparison,
    threshold: rule.threshold,
    cooldownSeconds: rule.cooldownSeconds,
    hysteresisPct: rule.hysteresisPct,
    destinations: rule.destinations,
    enabled: rule.enabled,
  };
}

function toContract(row: RuleRow): AlertRule {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    metric: row.metric as AlertRule['metric'],
    eventType: row.eventType as AlertRule['eventType'],
    ...(row.dimension === null ? {} : { dimension: row.dimension }),
    ...(row.currency === null ? {} : { currency: row.currency }),
    windowSeconds: row.windowSeconds,
    comparison: row.comparison as AlertRule['comparison'],
    threshold: row.threshold,
    cooldownSeconds: row.cooldownSeconds,
    hysteresisPct: row.hysteresisPct,
    destinations: row.destinations as AlertRule['destinations'],
    enabled: row.enabled,
    state: row.state as AlertRule['state'],
    lastValue: row.lastValue,
    lastEvaluatedAt: row.lastEvaluatedAt?.toISOString() ?? null,
    lastFiredAt: row.lastFiredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
