import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../http/api-error.js';
import { toMetricsQuery } from './series-query.js';

const range = { from: '2026-11-01T00:00:00Z', to: '2026-11-08T00:00:00Z' };

function invalidParams(params: Record<string, string>): string[] {
  try {
    toMetricsQuery('p1', params);
  } catch (err) {
    assert.ok(err instanceof ApiError);
    const body = err.getResponse() as { error: { details: Array<{ param: string }> } };
    return body.error.details.map((d) => d.param);
  }
  assert.fail('expected a 400');
}

describe('toMetricsQuery', () => {
  it('maps the public parameters onto the query contract', () => {
    const query = toMetricsQuery('p1', {
      ...range,
      type: 'click',
      name: 'buy',
      granularity: 'day',
      groupBy: 'dimension',
      tz: 'Europe/Berlin',
      top: '5',
      total: 'true',
    });
    assert.deepEqual(query, {
      projectId: 'p1',
      type: 'click',
      dimension: 'buy',
      from: Date.parse(range.from),
      to: Date.parse(range.to),
      granularity: 'day',
      groupByDimension: true,
      timeZone: 'Europe/Berlin',
      top: 5,
      total: true,
    });
  });

  it('names each invalid parameter', () => {
    assert.deepEqual(invalidParams({ ...range, tz: 'Mars/Olympus' }), ['tz']);
    assert.deepEqual(invalidParams({ ...range, top: '3' }), ['top']);
    assert.deepEqual(invalidParams({ ...range, total: 'maybe' }), ['total']);
    assert.deepEqual(
      invalidParams({ from: 'yesterday', to: range.to, granularity: 'week' }).sort(),
      ['from', 'granularity'],
    );
  });
});
