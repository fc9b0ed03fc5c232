import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from './token-bucket.js';

const policy = { ratePerSecond: 10, burst: 20 };

describe('TokenBucket', () => {
  it('admits up to the burst at once, then refuses', () => {
    const bucket = new TokenBucket(policy, 0);
    assert.deepEqual(bucket.take(15, 0), { admitted: true, remaining: 5 });
    assert.deepEqual(bucket.take(5, 0), { admitted: true, remaining: 0 });
    assert.equal(bucket.take(1, 0).admitted, false);
  });

  it('refills at the rate and never above the burst', () => {
    const bucket = new TokenBucket(policy, 0);
    bucket.take(20, 0);
    assert.equal(bucket.take(6, 500).admitted, false, '5 tokens after 500 ms');
    assert.deepEqual(bucket.take(5, 500), { admitted: true, remaining: 0 });
    assert.deepEqual(bucket.take(1, 60_000), { admitted: true, remaining: 19 });
  });

  it('goes negative on a debit and refuses until the refill pays the debt back', () => {
    const bucket = new TokenBucket(policy, 0);
    bucket.debit(50, 0);
    assert.deepEqual(bucket.take(1, 0), { admitted: false, retryAfterSeconds: 4 });
    assert.equal(bucket.take(1, 3_000).admitted, false, 'balance -0 after 3 s');
    assert.equal(bucket.take(1, 3_100).admitted, true, 'balance 1 after 3.1 s');
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    const bucket = new TokenBucket(policy, 0);
    bucket.take(20, 0);
    assert.deepEqual(bucket.take(1, 0), { admitted: false, retryAfterSeconds: 1 }, '0.1 s');
    assert.deepEqual(bucket.take(11, 0), { admitted: false, retryAfterSeconds: 2 }, '1.1 s');
    assert.deepEqual(bucket.take(20, 950), { admitted: false, retryAfterSeconds: 2 }, '1.05 s');
  });

  it('admits a cost above the burst from a full bucket only, and overdraws it', () => {
    const bucket = new TokenBucket(policy, 0);
    bucket.take(1, 0);
    assert.deepEqual(bucket.take(30, 0), { admitted: false, retryAfterSeconds: 1 });
    assert.deepEqual(bucket.take(30, 100), { admitted: true, remaining: 0 });
    assert.deepEqual(bucket.take(1, 100), { admitted: false, retryAfterSeconds: 2 });
  });

  it('is full again once idle long enough', () => {
    const bucket = new TokenBucket(policy, 0);
    bucket.take(20, 0);
    assert.equal(bucket.isFull(1_999), false);
    assert.equal(bucket.isFull(2_000), true);
  });

  it('holds what it holds, never more than the burst, and takes credit back up to the burst', () => {
    const bucket = new TokenBucket(policy, 0);
    assert.equal(bucket.holds(20, 0), true);
    assert.equal(bucket.holds(21, 0), false, 'never more than the burst');
    bucket.take(15, 0);
    assert.equal(bucket.holds(6, 0), false);
    assert.equal(bucket.credit(10, 0), 15);
    assert.equal(bucket.credit(1_000, 0), 20, 'never above the burst');
  });
});
