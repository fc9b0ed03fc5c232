import { Injectable } from '@nestjs/common';
import type { Delivery } from '@tally/contracts';
import { PrismaService } from '../database/prisma.service.js';

export interface ClaimedDelivery {
  id: string;
  rule_id: string;
  project_id: string;
  url: string;
  body: string;
  /** Attempts including the one just claimed. */
  attempts: number;
  secret: string;
}

export interface AttemptRecord {
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
}

/** Webhook deliveries: the rows are the retry schedule, so it survives any restart. */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims up to `limit` due deliveries with `FOR UPDATE SKIP LOCKED` (replicas never claim
   * the same row) and counts the attempt. The claim is a lease: `next_attempt_at` moves past
   * the attempt's timeout, so a replica killed mid-attempt leaves a row another picks up.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.prisma.$queryRaw<ClaimedDelivery[]>`
      UPDATE webhook_deliveries d
      SET attempts = d.attempts + 1,
          next_attempt_at = now() + ${leaseMs} * interval '1 millisecond',
          updated_at = now()
      FROM alert_rules r
      WHERE r.id = d.rule_id AND d.id IN (
        SELECT id FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.rule_id, d.project_id, d.url, d.body, d.attempts, r.secret`;
  }

  /**
   * Records an attempt and the delivery's next state. Guarded by the attempt number, so the
   * result of an attempt whose lease ran out (and was retried elsewhere) cannot overwrite a
   * newer one.
   */
  async record(
    delivery: ClaimedDelivery,
    attempt: AttemptRecord,
    next: { status: 'succeeded' | 'dead' } | { status: 'pending'; at: Date },
  ): Promise<void> {
    const nextAt = next.status === 'pending' ? next.at : null;
    await this.prisma.$transaction([
      this.prisma.$executeRaw`
        INSERT INTO webhook_attempts
          (delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt)
        VALUES (${delivery.id}, ${delivery.attempts}, ${attempt.startedAt}, ${attempt.durationMs},
                ${attempt.statusCode}, ${attempt.error}, ${attempt.responseExcerpt})
        ON CONFLICT DO NOTHING`,
      this.prisma.$executeRaw`
        UPDATE webhook_deliveries
        SET status = ${next.status}, next_attempt_at = ${nextAt},
            last_error = ${attempt.error}, updated_at = now()
        WHERE id = ${delivery.id} AND attempts = ${delivery.attempts} AND status = 'pending'`,
    ]);
  }

  async log(projectId: string, ruleId: string, limit: number): Promise<Delivery[] | undefined> {
    const rule = await this.prisma.alertRule.findFirst({
      where: { projectId, id: ruleId },
      select: { id: true },
    });
    if (!rule) return undefined;
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { ruleId },
      orderBy: { createdAt: 'desc' },
      take: limit,
      include: { log: { orderBy: { attempt: 'asc' } } },
    });
    return rows.map((d) => ({
      id: d.id,
      ruleId: d.ruleId,
      url: d.url,
      event: d.event as Delivery['event'],
      status: d.status as Delivery['status'],
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
      lastError: d.lastError,
      createdAt: d.createdAt.toISOString(),
      log: d.log.map((a) => ({
        attempt: a.attempt,
        at: a.startedAt.toISOString(),
        durationMs: a.durationMs,
        statusCode: a.statusCode,
        error: a.error,
        responseExcerpt: a.responseExcerpt,
      })),
    }));
  }
}
