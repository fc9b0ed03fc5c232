import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AlertDestination, AlertWebhookPayload, EventType } from '@tally/contracts';
import { BackgroundLoop } from '@tally/platform';
import { Counter } from 'prom-client';
import type { NotifierConfig } from '../config/notifier.config.js';
import type { AlertRule as RuleRow } from '../generated/prisma/client.js';
import { renderBody } from '../webhooks/webhook-body.js';
import {
  decide,
  includesCurrentMinute,
  metricValue,
  windows,
  type RuleSpec,
} from './rule-decision.js';
import { RuleEvaluationRepository, type Evaluated } from './rule-evaluation.repository.js';
import { WindowMetricsClient } from './window-metrics.client.js';

const transitions = new Counter({
  name: 'tally_notifier_alert_transitions_total',
  help: 'Alert state changes that produced notifications',
  labelNames: ['event'],
});

/**
 * Evaluates due rules in a loop. A rule is due when its timer runs out (every
 * ALERT_EVAL_INTERVAL, which is what makes `below` rules fire when no events arrive at all)
 * or when a rollup delta for its project arrived.
 */
@Injectable()
export class RuleEvaluatorService extends BackgroundLoop {
  private readonly alerts: NotifierConfig['alerts'];

  constructor(
    private readonly repository: RuleEvaluationRepository,
    private readonly metrics: WindowMetricsClient,
    config: ConfigService<NotifierConfig, true>,
  ) {
    super({
      idleMs: config.get('alerts.pollIntervalMs', { infer: true }),
      failure: 'rule evaluation failed',
    });
    this.alerts = config.get('alerts', { infer: true });
  }

  protected step(): Promise<boolean> {
    const { evalIntervalMs, queryTimeoutMs } = this.alerts;
    return this.repository.evaluateNextDue(
      evalIntervalMs,
      (rule) => this.evaluate(rule, queryTimeoutMs),
      queryTimeoutMs * 2 + 5_000,
    );
  }

  private async evaluate(rule: RuleRow, timeoutMs: number): Promise<Evaluated> {
    const spec = rule as unknown as RuleSpec;
    const now = Date.now();
    const state = rule.state as 'ok' | 'firing';
    const w = windows(now, rule.windowSeconds, includesCurrentMinute(spec.comparison, state));
    const query = (range: { from: number; to: number }) =>
      this.metrics.series(
        {
          projectId: rule.projectId,
          type: rule.eventType as EventType,
          ...(rule.dimension === null ? {} : { dimension: rule.dimension }),
          from: range.from,
          to: range.to,
          granularity: 'minute',
          groupByDimension: false,
          // One point for the whole window: unique users one HLL union, not a sum of minutes.
          total: true,
        },
        timeoutMs,
      );
    let value: number;
    let previous = 0;
    try {
      value = metricValue(await query(w.current), spec.metric, rule.currency);
      if (spec.comparison === 'change_pct') {
        previous = metricValue(await query(w.previous), spec.metric, rule.currency);
      }
    } catch (err) {
      // NOTE: no data is not zero: when the aggregator cannot answer, a `below` rule must not
      // fire, so the state stays as it is until the next evaluation.
      this.logger.warn({ err, ruleId: rule.id }, 'metric unavailable; rule left as it was');
      return { state, value: null, firedAt: null, deliveries: [] };
    }
    const decision = decide(
      spec,
      { state, lastFiredAt: rule.lastFiredAt?.getTime() ?? null },
      value,
      previous,
      now,
    );
    if (!decision.notify) return { state: decision.state, value, firedAt: null, deliveries: [] };
    transitions.inc({ event: decision.notify });
    this.logger.log(
      { ruleId: rule.id, projectId: rule.projectId, event: decision.notify, value },
      'alert transition',
    );
    const payload: AlertWebhookPayload = {
      type: decision.notify,
      timestamp: new Date(now).toISOString(),
      data: {
        ruleId: rule.id,
        ruleName: rule.name,
        projectId: rule.projectId,
        metric: spec.metric,
        eventType: rule.eventType as EventType,
        ...(rule.dimension === null ? {} : { dimension: rule.dimension }),
        comparison: spec.comparison,
        threshold: rule.threshold,
        windowSeconds: rule.windowSeconds,
        value,
        ...(spec.comparison === 'change_pct' ? { previousValue: previous } : {}),
      },
    };
    const destinations = rule.destinations as AlertDestination[];
    return {
      state: decision.state,
      value,
      firedAt: decision.notify === 'alert.firing' ? new Date(now) : null,
      deliveries: destinations.map((d) => ({
        id: `msg_${randomUUID().replaceAll('-', '')}`,
        url: d.url,
        format: d.format,
        event: decision.notify!,
        body: renderBody(d.format, payload),
      })),
    };
  }
}
