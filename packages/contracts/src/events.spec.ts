import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventErrors, TrackedEvent } from './events.js';
import { INGEST_LIMITS } from './limits.js';

const user = { userId: 'u-1' };

function issues(input: unknown): string[] {
  const result = TrackedEvent.safeParse(input);
  return result.success ? [] : eventErrors(result.error.issues).map((e) => `${e.path}:${e.code}`);
}

describe('TrackedEvent', () => {
  it('accepts one valid event of each type', () => {
    const valid = [
      { ...user, type: 'click', properties: { element: 'buy', page: '/p' } },
      { ...user, type: 'click' },
      {
        ...user,
        type: 'purchase',
        properties: { orderId: 'o1', amount: 9.99, currency: 'EUR' },
      },
      { ...user, type: 'login', properties: { method: 'password', success: false } },
      { ...user, type: 'page_view', properties: { path: '/home' } },
      { ...user, type: 'custom', name: 'signup_step', timestamp: '2026-01-01T00:00:00Z' },
    ];
    for (const event of valid) assert.deepEqual(issues(event), [], JSON.stringify(event));
  });

  it('rejects an unknown event type', () => {
    assert.deepEqual(issues({ ...user, type: 'hover' }), ['type:invalid_union']);
  });

  it('requires name on custom events', () => {
    assert.deepEqual(issues({ ...user, type: 'custom' }), ['name:invalid_type']);
  });

  it('enforces purchase rules: amount >= 0 and an ISO 4217 currency', () => {
    const bad = issues({
      ...user,
      type: 'purchase',
      properties: { orderId: 'o', amount: -1, currency: 'ABC' },
    });
    assert.deepEqual(bad.sort(), ['properties.amount:too_small', 'properties.currency:custom']);
    assert.deepEqual(
      issues({ ...user, type: 'purchase', properties: { amount: 1, currency: 'usd' } }).sort(),
      ['properties.currency:custom', 'properties.orderId:invalid_type'],
    );
  });

  it('requires method and success on login, path on page_view', () => {
    assert.deepEqual(issues({ ...user, type: 'login', properties: { method: 'sso' } }), [
      'properties.success:invalid_type',
    ]);
    assert.deepEqual(issues({ ...user, type: 'page_view', properties: {} }), [
      'properties.path:invalid_type',
    ]);
  });

  it('rejects prototype-polluting keys anywhere in the event, naming the key', () => {
    const hostile = (json: string) => issues(JSON.parse(json));
    assert.deepEqual(hostile('{"type":"click","userId":"u","properties":{"__proto__":{"x":1}}}'), [
      'properties.__proto__:reserved_key',
    ]);
    assert.deepEqual(hostile('{"type":"click","userId":"u","__proto__":{"x":1}}'), [
      '__proto__:reserved_key',
    ]);
    assert.deepEqual(
      hostile(
        '{"type":"custom","name":"n","userId":"u","properties":{"a":[{"constructor":{"prototype":1}}]}}',
      ),
      ['properties.a.0.constructor:reserved_key'],
    );
  });

  it('rejects a missing userId, a bad id and a bad timestamp', () => {
    assert.deepEqual(issues({ type: 'click', id: 'nope', timestamp: 'yesterday' }).sort(), [
      'id:invalid_format',
      'timestamp:invalid_format',
      'userId:invalid_type',
    ]);
  });
});

describe('TrackedEvent: only text Postgres stores as sent', () => {
  const click = (element: string, userId = 'u') => ({
    type: 'click',
    userId,
    properties: { element },
  });

  it('rejects a NUL in any string, naming where (finding 1 of issue 12)', () => {
    assert.deepEqual(issues(click('a\u0000b')), ['properties.element:unstorable_text']);
    assert.deepEqual(issues(click('a', 'nul\u0000user')), ['userId:unstorable_text']);
    assert.deepEqual(
      issues({ type: 'custom', name: 'n', userId: 'u', properties: { deep: [{ x: '\u0000' }] } }),
      ['properties.deep.0.x:unstorable_text'],
    );
    assert.deepEqual(
      issues({ type: 'custom', name: 'n', userId: 'u', properties: { 'k\u0000': 1 } }),
      ['properties.k\u0000:unstorable_text'],
    );
  });

  it('rejects lone surrogates (Postgres would store U+FFFD), keeps paired ones', () => {
    assert.deepEqual(issues(click('a\uD800')), ['properties.element:unstorable_text']);
    assert.deepEqual(issues(click('\uDC00a')), ['properties.element:unstorable_text']);
    assert.deepEqual(issues(click('\uDC00\uD800')), ['properties.element:unstorable_text']);
    assert.deepEqual(issues(click('\u{1F600}\u{10FFFF}')), []);
  });

  it('reports at most maxContentProblems reasons, however many the event carries', () => {
    const properties = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`k${i}`, '\u0000']),
    );
    const reasons = issues({ type: 'custom', name: 'n', userId: 'u', properties });
    assert.equal(reasons.length, INGEST_LIMITS.maxContentProblems);
    assert.deepEqual(reasons[0], 'properties.k0:unstorable_text');
  });

  it('accepts every other control character and noncharacter', () => {
    const controls = [...Array(0x20).keys(), 0x7f, 0x85, 0xfffe, 0xffff]
      .filter((c) => c !== 0)
      .map((c) => String.fromCharCode(c))
      .join('');
    assert.deepEqual(issues(click(controls, controls)), []);
  });

  it('rejects a dimension whose UTF-8 is too long for the rollups index, by bytes', () => {
    const bytes = INGEST_LIMITS.maxDimensionBytes;
    const cjk = '\u4E00'.repeat(Math.floor(bytes / 3) + 1);
    assert.deepEqual(issues(click(cjk)), ['properties.element:dimension_too_long']);
    assert.deepEqual(issues({ type: 'custom', userId: 'u', name: cjk }), [
      'name:dimension_too_long',
    ]);
    assert.deepEqual(issues({ type: 'page_view', userId: 'u', properties: { path: cjk } }), [
      'properties.path:dimension_too_long',
    ]);
    const login = { type: 'login', userId: 'u', properties: { method: cjk, success: true } };
    assert.deepEqual(issues(login), ['properties.method:dimension_too_long']);
    assert.deepEqual(issues(click('\u4E00'.repeat(Math.floor(bytes / 3)))), []);
    assert.deepEqual(issues(click('x'.repeat(INGEST_LIMITS.maxStringLength))), []);
    assert.deepEqual(issues(click('\u{1F600}'.repeat(INGEST_LIMITS.maxStringLength / 2))), []);
  });
});
