import type pg from 'pg';

export interface RuleFixture {
  id: string;
  projectId: string;
  metric?: 'count' | 'unique_users' | 'revenue';
  eventType?: string;
  dimension?: string | null;
  windowSeconds?: number;
  comparison?: 'above' | 'below' | 'change_pct';
  threshold: number;
  /** Destination URLs (each gets a delivery per transition). */
  urls?: string[];
  /** When the rule's timer runs out; far ahead so only a rollup delta makes it due. */
  nextEvalAt?: Date;
}

/**
 * Stores rules as the rules API would (cooldown and hysteresis 0), straight in the notifier's
 * table, so a test can hold more rules than one project may create through the API.
 */
export async function insertRules(sql: pg.Client, rules: readonly RuleFixture[]): Promise<void> {
  const column = <T>(pick: (r: RuleFixture) => T) => rules.map(pick);
  await sql.query(
    `INSERT INTO alert_rules (id, project_id, name, metric, event_type, dimension,
       window_seconds, comparison, threshold, cooldown_seconds, destinations, secret, next_eval_at)
     SELECT id, project_id, 'rule ' || id, metric, event_type, dimension,
       window_seconds, comparison, threshold, 0, destinations, 'whsec_dGVzdA==', next_eval_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
       $7::text[], $8::float8[], $9::jsonb[], $10::timestamptz[])
       AS u(id, project_id, metric, event_type, dimension, window_seconds, comparison,
         threshold, destinations, next_eval_at)`,
    [
      column((r) => r.id),
      column((r) => r.projectId),
      column((r) => r.metric ?? 'count'),
      column((r) => r.eventType ?? 'click'),
      column((r) => r.dimension ?? null),
      column((r) => r.windowSeconds ?? 60),
      column((r) => r.comparison ?? 'above'),
      column((r) => r.threshold),
      column((r) =>
        JSON.stringify(
          (r.urls ?? ['https://hooks.example.com/tally']).map((url) => ({
            url,
            format: 'standard',
          })),
        ),
      ),
      column((r) => (r.nextEvalAt ?? new Date()).toISOString()),
    ],
  );
}
