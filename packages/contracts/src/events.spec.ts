import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrackedEvent } from './events.js';

const user = { userId: 'u-1' };

function issues(input: unknown): string[] {
  const result = TrackedEvent.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}:${i.code}`);
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

  it('rejects prototype-polluting property keys', () => {
    const hostile: unknown = JSON.parse(
      '{"type":"click","userId":"u","properties":{"__proto__":{"x":1}}}',
    );
    assert.deepEqual(issues(hostile), ['properties.__proto__:custom']);
  });

  it('rejects a missing userId, a bad id and a bad timestamp', () => {
    assert.deepEqual(issues({ type: 'click', id: 'nope', timestamp: 'yesterday' }).sort(), [
      'id:invalid_format',
      'timestamp:invalid_format',
      'userId:invalid_type',
    ]);
  });
});
