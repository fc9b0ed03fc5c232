import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRetryAfter, retryDelayMs } from './retry-delay.js';

describe('parseRetryAfter', () => {
  test('reads delay-seconds, including fractions', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(' 0.25 '), 250);
  });

  test('reads an HTTP date relative to now, never negative', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:02 GMT', now), 2000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now), 0);
  });

  test('ignores a missing or unreadable header and caps absurd ones', () => {
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter('86400'), 5 * 60_000);
  });
});

describe('retryDelayMs', () => {
  const policy = { baseMs: 100, maxMs: 1000 };

  test('full jitter stays below the exponential ceiling, capped at maxMs', () => {
    assert.equal(
      retryDelayMs(0, policy, undefined, () => 0.999),
      99,
    );
    assert.equal(
      retryDelayMs(3, policy, undefined, () => 0.5),
      400,
    );
    assert.equal(
      retryDelayMs(10, policy, undefined, () => 0.999),
      999,
    );
    assert.equal(
      retryDelayMs(2, policy, undefined, () => 0),
      0,
    );
  });

  test('Retry-After is a floor under the jittered delay', () => {
    assert.equal(
      retryDelayMs(0, policy, 700, () => 0.5),
      700,
    );
    assert.equal(
      retryDelayMs(4, policy, 200, () => 0.9),
      900,
    );
  });
});
