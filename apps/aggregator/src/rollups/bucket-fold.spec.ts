import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredEvent, StoredEventBatch } from '@tally/contracts';
import { bucketStart, foldBatches } from './bucket-fold.js';

const T = Date.parse('2026-11-25T10:15:30.500Z');

function event(overrides: Partial<StoredEvent>): StoredEvent {
  return {
    id: crypto.randomUUID(),
    type: 'click',
    dimension: 'buy',
    userId: 'u1',
    timestamp: T,
    receivedAt: T,
    ...overrides,
  };
}

function batch(events: StoredEvent[], projectId = 'p1'): StoredEventBatch {
  return { v: 1, batchId: 'b', projectId, partition: 0, events };
}

describe('bucketStart', () => {
  it('floors to the UTC minute, hour and day', () => {
    assert.equal(new Date(bucketStart(T, 'minute')).toISOString(), '2026-11-25T10:15:00.000Z');
    assert.equal(new Date(bucketStart(T, 'hour')).toISOString(), '2026-11-25T10:00:00.000Z');
    assert.equal(new Date(bucketStart(T, 'day')).toISOString(), '2026-11-25T00:00:00.000Z');
  });
});

describe('foldBatches', () => {
  it('counts every event once and collects distinct users', () => {
    const rows = foldBatches([
      batch([event({ userId: 'a' }), event({ userId: 'b' })]),
      batch([event({ userId: 'a' })]),
    ]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.count, 3);
    assert.deepEqual([...(rows[0]?.users ?? [])].sort(), ['a', 'b']);
  });

  it('puts late events in the minute of their event time', () => {
    const late = T - 3 * 86_400_000;
    const rows = foldBatches([batch([event({}), event({ timestamp: late })])]);
    assert.deepEqual(rows.map((r) => r.bucket).sort(), [
      bucketStart(late, 'minute'),
      bucketStart(T, 'minute'),
    ]);
  });

  it('sums revenue per currency exactly, in micro-units', () => {
    const purchase = (amountMicros: number, currency: string) =>
      event({ type: 'purchase', dimension: '', revenue: { currency, amountMicros } });
    const rows = foldBatches([
      batch([purchase(100_000, 'EUR'), purchase(200_000, 'EUR'), purchase(5_000_000, 'USD')]),
    ]);
    const byCurrency = Object.fromEntries(rows.map((r) => [r.currency, r.revenueMicros]));
    assert.deepEqual(byCurrency, { EUR: 300_000n, USD: 5_000_000n });
  });

  it('keeps projects, types and dimensions apart', () => {
    const rows = foldBatches([
      batch([event({}), event({ dimension: 'other' }), event({ type: 'login', dimension: 'sso' })]),
      batch([event({})], 'p2'),
    ]);
    const keys = rows.map((r) => `${r.projectId}/${r.eventType}/${r.dimension}=${r.count}`).sort();
    assert.deepEqual(keys, [
      'p1/click/buy=1',
      'p1/click/other=1',
      'p1/login/sso=1',
      'p2/click/buy=1',
    ]);
  });
});
