import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { AlertRule as RuleRow } from '../generated/prisma/client.js';

export interface NewDelivery {
  id: string;
  url: string;
  format: string;
  event: string;
  body: string;
}

export interface Evaluated {
  state: 'ok' | 'firing';
  /** Null when the metric could not be read (the state is left as it was). */
  value: number | null;
  firedAt: Date | null;
  deliveries: NewDelivery[];
}

/** Claims due rules for evaluation and records the outcome with its deliveries, atomically. */
@Injectable()
export class RuleEvaluationRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims one due rule with `FOR UPDATE SKIP LOCKED` and runs `evaluate` while holding its row
   * lock, then stores the new state, the next evaluation time and any deliveries in the same
   * transaction. Another replica skips a locked rule, so each evaluation happens once and a
   * transition (and its notification) is written exactly once. False when nothing was due.
   */
  async evaluateNextDue(
    nextEvalInMs: number,
    evaluate: (rule: RuleRow) => Promise<Evaluated>,
    maxHoldMs: number,
  ): Promise<boolean> {
    return this.prisma.$transaction(
      async (tx) => {
        const due = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM alert_rules
          WHERE enabled AND next_eval_at <= now()
          ORDER BY next_eval_at
          LIMIT 1
          FOR UPDATE SKIP LOCKED`;
        const id = due[0]?.id;
        if (id === undefined) return false;
        const rule = await tx.alertRule.findUniqueOrThrow({ where: { id } });
        const outcome = await evaluate(rule);
        const now = new Date();
        await tx.alertRule.update({
          where: { id },
          data: {
            state: outcome.state,
            ...(outcome.value === null ? {} : { lastValue: outcome.value, lastEvaluatedAt: now }),
            ...(outcome.firedAt ? { lastFiredAt: outcome.firedAt } : {}),
            nextEvalAt: new Date(now.getTime() + nextEvalInMs),
          },
        });
        if (outcome.deliveries.length > 0) {
          await tx.webhookDelivery.createMany({
            data: outcome.deliveries.map((d) => ({
              ...d,
              ruleId: id,
              projectId: rule.projectId,
              status: 'pending',
              nextAttemptAt: now,
            })),
          });
        }
        return true;
      },
      { timeout: maxHoldMs, maxWait: maxHoldMs },
    );
  }

  /** New rollups arrived for these projects: evaluate their rules now rather than on the timer. */
  async markDue(projectIds: readonly string[]): Promise<void> {
    if (projectIds.length === 0) return;
    // NOTE: runs for every consumed batch of rollup deltas: on the pool, not through Prisma.
    await this.prisma.pool.query({
      name: 'mark-rules-due',
      text: `UPDATE alert_rules SET next_eval_at = now()
             WHERE project_id = ANY($1::text[]) AND enabled AND next_eval_at > now()`,
      values: [projectIds],
    });
  }
}
