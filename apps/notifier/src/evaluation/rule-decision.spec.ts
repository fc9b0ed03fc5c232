import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricsPoint } from '@tally/contracts';
import { decide, metricValue, ruleWindows, type Range, type RuleSpec } from './rule-decision.js';

const rule = (over: Partial<RuleSpec> = {}): RuleSpec => ({
  metric: 'count',
  currency: null,
  comparison: 'above',
  threshold: 10,
  hysteresisPct: 0,
  cooldownSeconds: 300,
  windowSeconds: 300,
  ...over,
});
const T = Date.parse('2026-11-25T10:15:30Z');
const ok = { state: 'ok' as const, lastFiredAt: null };
const firing = { state: 'firing' as const, lastFiredAt: T - 1_000 };

describe('rule decisions', () => {
  it('reads the same window firing and resolving: the minutes over the last window', () => {
    const at = (iso: string) => ruleWindows(Date.parse(iso), 60, 'above');
    const iso = (r: Range | null) => r && [r.from, r.to].map((t) => new Date(t).toISOString());
    // 30 clicks at 10:33:06 (issue 12, finding 11): still in the window until 10:35:00.
    assert.deepEqual(iso(at('2026-11-25T10:33:06.500Z').current), [
      '2026-11-25T10:32:00.000Z',
      '2026-11-25T10:34:00.000Z',
    ]);
    assert.deepEqual(iso(at('2026-11-25T10:34:59.999Z').current), [
      '2026-11-25T10:33:00.000Z',
      '2026-11-25T10:35:00.000Z',
    ]);
    assert.deepEqual(iso(at('2026-11-25T10:35:00.000Z').current), [
      '2026-11-25T10:34:00.000Z',
      '2026-11-25T10:36:00.000Z',
    ]);
    assert.equal(at('2026-11-25T10:33:06.500Z').previous, null);
    assert.deepEqual(ruleWindows(T, 300, 'below'), ruleWindows(T, 300, 'above'));
  });

  it('change_pct compares two windows of complete minutes', () => {
    const w = ruleWindows(T, 300, 'change_pct');
    assert.equal(new Date(w.current.to).toISOString(), '2026-11-25T10:15:00.000Z');
    assert.equal(new Date(w.current.from).toISOString(), '2026-11-25T10:10:00.000Z');
    assert.equal(w.previous?.to, w.current.from);
    assert.equal(w.current.from - w.previous.from, 300_000);
    // Within the grace period after a minute ends, that minute is not taken as complete yet.
    const early = ruleWindows(Date.parse('2026-11-25T10:15:02Z'), 60, 'change_pct');
    assert.equal(new Date(early.current.to).toISOString(), '2026-11-25T10:14:00.000Z');
    assert.equal(new Date(early.previous!.from).toISOString(), '2026-11-25T10:12:00.000Z');
  });

  it('sums the metric, revenue in the rule currency only', () => {
    const points: MetricsPoint[] = [
      { bucket: 'a', count: 2, uniqueUsers: 1, revenue: { EUR: '1.50', USD: '9' } },
      { bucket: 'b', count: 3, uniqueUsers: 2, revenue: { EUR: '2.25' } },
    ];
    assert.equal(metricValue(points, 'count', null), 5);
    assert.equal(metricValue(points, 'unique_users', null), 3);
    assert.equal(metricValue(points, 'revenue', 'EUR'), 3.75);
  });

  it('fires once when crossing above, stays firing, resolves on recovery', () => {
    assert.deepEqual(decide(rule(), ok, 11, 0, T), { state: 'firing', notify: 'alert.firing' });
    assert.deepEqual(decide(rule(), firing, 50, 0, T), { state: 'firing', notify: null });
    assert.deepEqual(decide(rule(), firing, 10, 0, T), { state: 'ok', notify: 'alert.resolved' });
    assert.deepEqual(decide(rule(), ok, 10, 0, T), { state: 'ok', notify: null });
  });

  it('does not fire again within the cooldown (no flapping)', () => {
    const justFired = { state: 'ok' as const, lastFiredAt: T - 60_000 };
    assert.deepEqual(decide(rule(), justFired, 20, 0, T), { state: 'ok', notify: null });
    assert.equal(decide(rule(), justFired, 20, 0, T + 240_000).notify, 'alert.firing');
  });

  it('resolves only past the hysteresis margin', () => {
    const r = rule({ hysteresisPct: 20 });
    assert.equal(decide(r, firing, 9, 0, T).notify, null);
    assert.equal(decide(r, firing, 8, 0, T).notify, 'alert.resolved');
  });

  it('below fires on zero (no events at all)', () => {
    const r = rule({ comparison: 'below', threshold: 1 });
    assert.equal(decide(r, ok, 0, 0, T).notify, 'alert.firing');
    assert.equal(decide(r, firing, 1, 0, T).notify, 'alert.resolved');
  });

  it('change_pct compares with the previous window', () => {
    const r = rule({ comparison: 'change_pct', threshold: 50 });
    assert.equal(decide(r, ok, 16, 10, T).notify, 'alert.firing');
    assert.equal(decide(r, ok, 4, 10, T).notify, 'alert.firing');
    assert.equal(decide(r, ok, 14, 10, T).notify, null);
    assert.equal(decide(r, ok, 1, 0, T).notify, 'alert.firing');
    assert.equal(decide(r, ok, 0, 0, T).notify, null);
  });
});
