import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyRateLimiter } from './key-rate-limiter.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function limiter(readPerSecond = 2) {
  const clock = { now: 0 };
  const policies = {
    write: { ratePerSecond: 100, burst: 100 },
    read: { ratePerSecond: readPerSecond, burst: 2 },
    manage: { ratePerSecond: 1, burst: 1 },
  };
  return { clock, limiter: new KeyRateLimiter(policies, () => clock.now) };
}

describe('KeyRateLimiter', () => {
  it('keeps one bucket per key, with the limit of its kind', () => {
    const { limiter: l } = limiter();
    assert.equal(l.take(A, 'write', 100)?.admitted, true);
    assert.equal(l.take(A, 'write', 1)?.admitted, false);
    assert.equal(l.take(B, 'read', 1)?.admitted, true);
    assert.equal(l.take(B, 'read', 1)?.admitted, true);
    assert.equal(l.take(B, 'read', 1)?.admitted, false);
  });

  it('reports what it admitted once, summed per key, and not what it refused', () => {
    const { limiter: l } = limiter();
    l.take(A, 'write', 60);
    l.take(A, 'write', 30);
    l.take(A, 'write', 30);
    l.take(B, 'read', 1);
    assert.deepEqual(l.drainUsage(), [
      [A, 'write', 90],
      [B, 'read', 1],
    ]);
    assert.deepEqual(l.drainUsage(), []);
  });

  it('debits peers’ usage, also for a key it has not seen, without reporting it as its own', () => {
    const { clock, limiter: l } = limiter();
    l.debit(A, 'write', 150);
    assert.deepEqual(l.take(A, 'write', 1), { admitted: false, retryAfterSeconds: 1 });
    clock.now = 510;
    assert.equal(l.take(A, 'write', 1)?.admitted, true);
    assert.deepEqual(l.drainUsage(), [[A, 'write', 1]]);
  });

  it('evicts full buckets only, and an evicted key starts full again', () => {
    const { clock, limiter: l } = limiter();
    l.take(A, 'write', 100);
    l.take(B, 'read', 1);
    l.take(B, 'read', 1);
    clock.now = 600;
    l.evictFull();
    assert.equal(l.bucketCount, 2, 'neither refilled yet');
    clock.now = 1_000;
    l.evictFull();
    assert.equal(l.bucketCount, 0);
    assert.equal(l.take(A, 'write', 100)?.admitted, true);
  });

  it('does not limit, nor keep buckets for, a kind whose rate is 0', () => {
    const { limiter: l } = limiter(0);
    assert.equal(l.policyOf('read'), undefined);
    for (let i = 0; i < 10; i++) assert.equal(l.take(B, 'read', 1), undefined);
    l.debit(B, 'read', 5);
    assert.equal(l.bucketCount, 0);
    assert.deepEqual(l.drainUsage(), []);
  });

  it('reserves up front, settles to what was used, and reports only that', () => {
    const { limiter: l } = limiter();
    assert.equal(l.holds(A, 'write', 101), false, 'never more than the burst');
    assert.equal(l.holds(A, 'write', 100), true);
    assert.equal(l.reserve(A, 'write', 100)?.admitted, true);
    assert.equal(l.holds(A, 'write', 1), false, 'all reserved while the request runs');
    assert.deepEqual(l.drainUsage(), [], 'peers hear of it once settled');
    assert.equal(l.settle(A, 'write', 100, 30), 70);
    assert.deepEqual(l.drainUsage(), [[A, 'write', 30]]);
    assert.equal(l.take(A, 'write', 70)?.admitted, true);
    assert.equal(l.take(A, 'write', 1)?.admitted, false);
  });
});
