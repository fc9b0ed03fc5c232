import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveStreamQuota } from './live-stream-quota.js';

describe('LiveStreamQuota', () => {
  it('admits up to the per-key limit, then refuses that key but not others', () => {
    const quota = new LiveStreamQuota({ maxStreams: 10, maxStreamsPerKey: 2 });
    assert.equal(quota.take('a'), undefined);
    assert.equal(quota.take('a'), undefined);
    assert.equal(quota.take('a'), 'key_limit');
    assert.equal(quota.take('b'), undefined);
    quota.release('a');
    assert.equal(quota.take('a'), undefined);
  });

  it('refuses every key once the replica is full, and admits again after a release', () => {
    const quota = new LiveStreamQuota({ maxStreams: 2, maxStreamsPerKey: 2 });
    assert.equal(quota.take('a'), undefined);
    assert.equal(quota.take('b'), undefined);
    assert.equal(quota.take('c'), 'replica_limit');
    assert.equal(quota.take('a'), 'replica_limit');
    quota.release('b');
    assert.equal(quota.take('c'), undefined);
  });

  // NOTE: closing one of its own streams is what helps such a key, so that is what it hears.
  it('tells a key at its own limit so, even when the replica is full too', () => {
    const quota = new LiveStreamQuota({ maxStreams: 2, maxStreamsPerKey: 2 });
    quota.take('a');
    quota.take('a');
    assert.equal(quota.take('a'), 'key_limit');
  });
});
