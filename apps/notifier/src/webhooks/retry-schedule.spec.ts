import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRetryDelay, parseRetryAfter, parseSchedule } from './retry-schedule.js';

const policy = {
  schedule: parseSchedule('0,5s,5m,30m,2h'),
  jitter: 0.2,
  maxRetryAfterMs: 3_600_000,
};

describe('retry schedule', () => {
  it('parses the documented schedule', () => {
    assert.deepEqual(
      parseSchedule('0,5s,5m,30m,2h,500ms'),
      [0, 5_000, 300_000, 1_800_000, 7_200_000, 500],
    );
    assert.throws(() => parseSchedule('0,soon'), /not a duration/);
  });

  it('follows the schedule with bounded jitter and ends after the last step', () => {
    assert.equal(
      nextRetryDelay(policy, 1, undefined, () => 0.5),
      5_000,
    );
    assert.equal(
      nextRetryDelay(policy, 1, undefined, () => 0),
      4_000,
    );
    assert.equal(
      nextRetryDelay(policy, 1, undefined, () => 1),
      6_000,
    );
    assert.equal(
      nextRetryDelay(policy, 4, undefined, () => 0.5),
      7_200_000,
    );
    assert.equal(nextRetryDelay(policy, 5), null);
  });

  it('honours a longer Retry-After, capped', () => {
    assert.equal(
      nextRetryDelay(policy, 1, 60_000, () => 0.5),
      60_000,
    );
    assert.equal(
      nextRetryDelay(policy, 1, 1_000, () => 0.5),
      5_000,
    );
    assert.equal(
      nextRetryDelay(policy, 1, 86_400_000, () => 0.5),
      3_600_000,
    );
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Wed, 25 Nov 2026 10:01:00 GMT', now), 60_000);
    assert.equal(parseRetryAfter('whenever', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});
