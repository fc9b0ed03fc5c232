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

export interface DueClaim {
  nextEvalInMs: number;
  /** Most rules claimed together; all of them belong to one project. */
  limit: number;
  /** How long the claim may hold its row locks (the evaluation runs inside it). */
  maxHoldMs: number;
}

/** Claims due rules for evaluation and records the outcomes with their deliveries, atomically. */
@Injectable()
export class RuleEvaluationRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims the due rules of one project (the one due longest) with `FOR UPDATE SKIP LOCKED` and
   * runs `evaluate` on them together while holding their row locks, so rules that read the same
   * window share one metrics query; then stores the new states, the next evaluation time and any
   * deliveries in the same transaction. Another replica skips locked rules, so each evaluation
   * happens once and a transition (and its notification) is written exactly once. False when
   * nothing was due.
   */
  async evaluateDue(
    claim: DueClaim,
    evaluate: (rules: RuleRow[]) => Promise<Map<string, Evaluated>>,
  ): Promise<boolean> {
    return this.prisma.$transaction(
      async (tx) => {
        // NOTE: the first row is locked too, so two replicas never pick the same project's
        // rules; a project's rules split over replicas only when one already holds some.
        const due = await tx.$queryRaw<{ id: string }[]>`
          WITH first AS (
            SELECT project_id FROM alert_rules
            WHERE enabled AND next_eval_at <= now()
            ORDER BY next_eval_at
            LIMIT 1
            FOR UPDATE SKIP LOCKED)
          SELECT r.id FROM alert_rules r JOIN first USING (project_id)
          WHERE r.enabled AND r.next_eval_at <= now()
          ORDER BY r.next_eval_at
          LIMIT ${claim.limit}
          FOR UPDATE OF r SKIP LOCKED`;
        if (due.length === 0) return false;
        const rules = await tx.alertRule.findMany({ where: { id: { in: due.map((d) => d.id) } } });
        const outcomes = await evaluate(rules);
        const now = new Date();
        const next = new Date(now.getTime() + claim.nextEvalInMs);
        const evaluated = rules.flatMap((rule) => {
          const outcome = outcomes.get(rule.id);
          return outcome ? [{ rule, outcome }] : [];
        });
        await tx.$executeRaw`
          UPDATE alert_rules r SET
            state = u.state,
            last_value = COALESCE(u.value, r.last_value),
            last_evaluated_at = CASE WHEN u.value IS NULL THEN r.last_evaluated_at ELSE ${now}::timestamptz END,
            last_fired_at = COALESCE(u.fired_at, r.last_fired_at),
            next_eval_at = ${next}
          FROM unnest(
            ${evaluated.map((e) => e.rule.id)}::text[],
            ${evaluated.map((e) => e.outcome.state)}::text[],
            ${evaluated.map((e) => e.outcome.value)}::float8[],
            ${evaluated.map((e) => e.outcome.firedAt?.toISOString() ?? null)}::timestamptz[]
          ) AS u(id, state, value, fired_at)
          WHERE r.id = u.id`;
        const deliveries = evaluated.flatMap(({ rule, outcome }) =>
          outcome.deliveries.map((d) => ({
            ...d,
            ruleId: rule.id,
            projectId: rule.projectId,
            status: 'pending',
            nextAttemptAt: now,
          })),
        );
        if (deliveries.length > 0) await tx.webhookDelivery.createMany({ data: deliveries });
        return true;
      },
      { timeout: claim.maxHoldMs, maxWait: claim.maxHoldMs },
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
