import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoredEvent } from '@tally/contracts';
import { normaliseEvent, type NormaliseContext } from './event-normaliser.js';

const receivedAt = Date.parse('2026-11-25T12:00:00.000Z');
const ctx: NormaliseContext = {
  projectId: 'p1',
  receivedAt,
  maxAgeMs: 7 * 86_400_000,
  maxFutureMs: 10 * 60_000,
};

function accepted(raw: unknown, c: NormaliseContext = ctx, index = 0): StoredEvent {
  const result = normaliseEvent(raw, index, c);
  assert.ok(result.ok, JSON.stringify(result));
  return StoredEvent.parse(result.event);
}

function errorCodes(raw: unknown, c: NormaliseContext = ctx): string[] {
  const result = normaliseEvent(raw, 0, c);
  assert.ok(!result.ok);
  return result.errors.map((e) => `${e.path}:${e.code}`);
}

describe('normaliseEvent', () => {
  it('stamps events without a timestamp with the receive time', () => {
    const event = accepted({ type: 'click', userId: 'u', properties: { element: 'buy' } });
    assert.equal(event.timestamp, receivedAt);
    assert.equal(event.receivedAt, receivedAt);
    assert.equal(event.dimension, 'buy');
  });

  it('corrects the client clock skew using sentAt', () => {
    // The client clock runs 5 minutes behind: sentAt 11:55 arrives at 12:00.
    const skewed = { ...ctx, sentAt: '2026-11-25T11:55:00.000Z' };
    const event = accepted(
      {
        type: 'login',
        userId: 'u',
        timestamp: '2026-11-25T11:50:00.000Z',
        properties: { method: 'sso', success: true },
      },
      skewed,
    );
    assert.equal(new Date(event.timestamp).toISOString(), '2026-11-25T11:55:00.000Z');
  });

  it('derives the same id for the same timestamped event in a retried request', () => {
    const raw = { type: 'custom', name: 'x', userId: 'u', timestamp: '2026-11-25T11:59:00Z' };
    assert.equal(accepted(raw).id, accepted(raw).id);
    assert.notEqual(accepted(raw, ctx, 0).id, accepted(raw, ctx, 1).id);
    const refreshed = { ...ctx, sentAt: '2026-11-25T12:00:01Z' };
    assert.equal(accepted(raw, refreshed).id, accepted(raw).id);
    const batchSent = { ...ctx, sentAt: '2026-11-25T12:00:00Z' };
    const untimed = { type: 'custom', name: 'x', userId: 'u' };
    assert.equal(accepted(untimed, batchSent).id, accepted(untimed, batchSent).id);
  });

  it('keeps a given id, and never merges identical events that carry no id or time', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    assert.equal(accepted({ type: 'custom', name: 'x', userId: 'u', id }).id, id);
    const bare = { type: 'custom', name: 'x', userId: 'u' };
    assert.notEqual(accepted(bare).id, accepted(bare).id);
  });

  it('carries purchase revenue in micro-units', () => {
    const event = accepted({
      type: 'purchase',
      userId: 'u',
      properties: { orderId: 'o', amount: 19.99, currency: 'EUR' },
    });
    assert.deepEqual(event.revenue, { currency: 'EUR', amountMicros: 19_990_000 });
  });

  it('rejects events too far in the future or too old', () => {
    const at = (iso: string) => ({ type: 'custom', name: 'x', userId: 'u', timestamp: iso });
    assert.deepEqual(errorCodes(at('2026-11-25T12:30:00Z')), ['timestamp:timestamp_in_future']);
    assert.deepEqual(errorCodes(at('2026-11-01T00:00:00Z')), ['timestamp:timestamp_too_old']);
  });

  it('rejects oversized events and reports schema errors with paths', () => {
    const huge = {
      type: 'custom',
      name: 'x',
      userId: 'u',
      properties: { blob: 'x'.repeat(40_000) },
    };
    assert.deepEqual(errorCodes(huge), [':too_large']);
    const request = JSON.stringify({ events: [huge] });
    assert.deepEqual(errorCodes(huge, { ...ctx, requestBytes: Buffer.byteLength(request) }), [
      ':too_large',
    ]);
    assert.deepEqual(errorCodes({ type: 'page_view', userId: 'u', properties: {} }), [
      'properties.path:invalid_type',
    ]);
  });

  it('rejects, alone and with a reason, what storage cannot hold (issue 12, findings 1, 2, 12)', () => {
    const clean = { type: 'click', userId: 'u', properties: { element: 'ok' } };
    assert.equal(accepted(clean).dimension, 'ok');
    const nulElement = { type: 'click', userId: 'nul1', properties: { element: 'a\u0000b' } };
    assert.deepEqual(errorCodes(nulElement), ['properties.element:unstorable_text']);
    assert.deepEqual(errorCodes({ type: 'click', userId: 'nul\u0000user' }), [
      'userId:unstorable_text',
    ]);
    assert.deepEqual(errorCodes({ type: 'custom', name: 'lone\uD83D', userId: 'u' }), [
      'name:unstorable_text',
    ]);
    const wide = { type: 'custom', name: '\u4E00'.repeat(1024), userId: 'u' };
    assert.deepEqual(errorCodes(wide), ['name:dimension_too_long']);
    const hostile: unknown = JSON.parse('{"type":"click","userId":"u","__proto__":{"admin":1}}');
    assert.deepEqual(errorCodes(hostile), ['__proto__:reserved_key']);
  });

  it("checks a plain-text request's events by their fields alone, with the same outcomes", () => {
    const plain = { ...ctx, plainText: true };
    const event = { type: 'click', userId: 'u', timestamp: '2026-11-25T11:59:00Z', properties: {} };
    assert.deepEqual(accepted(event, plain), accepted(event));
    const wrong = { type: 'page_view', userId: 'u', properties: {} };
    assert.deepEqual(errorCodes(wrong, plain), errorCodes(wrong));
    const long = { type: 'custom', userId: 'u', name: '€'.repeat(700) };
    assert.deepEqual(errorCodes(long, plain), ['name:dimension_too_long']);
  });

  it('keeps the largest accepted amount an exact, safe integer of micro-units', () => {
    const event = accepted({
      type: 'purchase',
      userId: 'u',
      properties: { orderId: 'o', amount: 1e9, currency: 'EUR' },
    });
    assert.equal(event.revenue?.amountMicros, 1e15);
    assert.ok(Number.isSafeInteger(event.revenue?.amountMicros));
  });

  it('rejects event times Postgres cannot store, whatever window is configured', () => {
    const anyAge = { ...ctx, maxAgeMs: 1e16, maxFutureMs: 1e16 };
    const at = (iso: string) => ({ type: 'custom', name: 'x', userId: 'u', timestamp: iso });
    assert.deepEqual(errorCodes(at('0000-06-01T00:00:00Z'), anyAge), [
      'timestamp:timestamp_out_of_range',
    ]);
    assert.equal(
      new Date(accepted(at('0001-01-01T00:00:00Z'), anyAge).timestamp).toISOString(),
      '0001-01-01T00:00:00.000Z',
    );
    // The client's clock is an hour behind: the corrected time falls past the year 9999.
    const behind = { ...anyAge, sentAt: new Date(receivedAt - 3_600_000).toISOString() };
    assert.deepEqual(errorCodes(at('9999-12-31T23:30:00Z'), behind), [
      'timestamp:timestamp_out_of_range',
    ]);
  });
});
