import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { MetricsPoint } from '@tally/contracts';
import { Counter } from 'prom-client';
import type { NotifierConfig } from '../config/notifier.config.js';
import type { AlertRule as RuleRow } from '../generated/prisma/client.js';
import { notifications } from './alert-notification.js';
import { EVALUATION_CLOCK, type Clock } from './evaluation-clock.js';
import { decide, metricValue, type RuleSpec } from './rule-decision.js';
import { RuleEvaluationRepository, type Evaluated } from './rule-evaluation.repository.js';
import { groupByWindow, type WindowGroup } from './window-groups.js';
import { WindowMetricsClient } from './window-metrics.client.js';

/** Metrics queries in flight at once for one claim of rules. */
const QUERY_CONCURRENCY = 4;

const transitions = new Counter({
  name: 'tally_notifier_alert_transitions_total',
  help: 'Alert state changes that produced notifications',
  labelNames: ['event'],
});
const queries = new Counter({
  name: 'tally_notifier_metric_queries_total',
  help: 'Metrics queries sent to evaluate rules (rules reading the same window share one)',
  labelNames: ['outcome'],
});
const evaluations = new Counter({
  name: 'tally_notifier_rule_evaluations_total',
  help: 'Rule evaluations, by whether the metric could be read',
  labelNames: ['outcome'],
});

interface WindowPoints {
  current: MetricsPoint[];
  previous: MetricsPoint[];
}

/**
 * Evaluates the due rules of one project together: one metrics query per distinct window (see
 * `groupByWindow`), then each rule's decision on its share of the answers.
 */
@Injectable()
export class RuleBatchEvaluator {
  private readonly logger = new Logger(RuleBatchEvaluator.name);
  private readonly alerts: NotifierConfig['alerts'];

  constructor(
    private readonly repository: RuleEvaluationRepository,
    private readonly metrics: WindowMetricsClient,
    config: ConfigService<NotifierConfig, true>,
    @Inject(EVALUATION_CLOCK) private readonly clock: Clock,
  ) {
    this.alerts = config.get('alerts', { infer: true });
  }

  /** Evaluates one claim of due rules; false when none was due. */
  evaluateDue(): Promise<boolean> {
    const { evalIntervalMs, evalBatchSize, queryTimeoutMs } = this.alerts;
    return this.repository.evaluateDue(
      {
        nextEvalInMs: evalIntervalMs,
        limit: evalBatchSize,
        // Queries start within 2 timeouts; a change_pct group then needs 2 more at most.
        maxHoldMs: queryTimeoutMs * 4 + 5_000,
      },
      (rules) => this.evaluateAll(rules, Date.now() + queryTimeoutMs * 2),
    );
  }

  /**
   * NOTE: rules whose group has not been queried by `deadline` get no outcome: they stay due
   * and the next claim takes them, so a project with many distinct windows cannot hold its row
   * locks past the transaction timeout.
   */
  private async evaluateAll(rules: RuleRow[], deadline: number): Promise<Map<string, Evaluated>> {
    const now = this.clock();
    const groups = groupByWindow(rules, now);
    const outcomes = new Map<string, Evaluated>();
    let next = 0;
    const worker = async () => {
      while (next < groups.length && Date.now() < deadline) {
        const group = groups[next++]!;
        const points = await this.read(group);
        for (const rule of group.rules) outcomes.set(rule.id, this.evaluate(rule, points, now));
      }
    };
    await Promise.all(Array.from({ length: QUERY_CONCURRENCY }, worker));
    return outcomes;
  }

  /** The group's series, or null when the aggregator did not answer. */
  private async read(group: WindowGroup): Promise<WindowPoints | null> {
    const { queryTimeoutMs } = this.alerts;
    try {
      const current = await this.metrics.series(group.current, queryTimeoutMs);
      queries.inc({ outcome: 'ok' });
      const previous = group.previous
        ? await this.metrics.series(group.previous, queryTimeoutMs)
        : [];
      if (group.previous) queries.inc({ outcome: 'ok' });
      return { current, previous };
    } catch (err) {
      queries.inc({ outcome: 'failed' });
      const ruleIds = group.rules.map((r) => r.id);
      this.logger.warn({ err, ruleIds }, 'metric unavailable; rules left as they were');
      return null;
    }
  }

  private evaluate(rule: RuleRow, points: WindowPoints | null, now: number): Evaluated {
    const spec = rule as unknown as RuleSpec;
    const state = rule.state as 'ok' | 'firing';
    // NOTE: no data is not zero: when the aggregator cannot answer, a `below` rule must not
    // fire, so the state stays as it is until the next evaluation.
    if (points === null) {
      evaluations.inc({ outcome: 'unavailable' });
      return { state, value: null, firedAt: null, deliveries: [] };
    }
    evaluations.inc({ outcome: 'ok' });
    const value = metricValue(points.current, spec.metric, rule.currency);
    const previous = metricValue(points.previous, spec.metric, rule.currency);
    const last = { state, lastFiredAt: rule.lastFiredAt?.getTime() ?? null };
    const decision = decide(spec, last, value, previous, now);
    if (!decision.notify) return { state: decision.state, value, firedAt: null, deliveries: [] };
    transitions.inc({ event: decision.notify });
    this.logger.log(
      { ruleId: rule.id, projectId: rule.projectId, event: decision.notify, value },
      'alert transition',
    );
    return {
      state: decision.state,
      value,
      firedAt: decision.notify === 'alert.firing' ? new Date(now) : null,
      deliveries: notifications(rule, { event: decision.notify, value, previous, at: now }),
    };
  }
}
