import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionOf } from './partitioner.js';

describe('partitionOf', () => {
  it('is stable for the same project and user', () => {
    assert.equal(partitionOf('p', 'user-42', 8), partitionOf('p', 'user-42', 8));
  });

  it('stays within range and spreads users evenly', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 80_000; i++) {
      const p = partitionOf('project', `user-${i}`, 8);
      assert.ok(p >= 0 && p < 8);
      counts[p] = (counts[p] ?? 0) + 1;
    }
    for (const n of counts) assert.ok(n > 9_000 && n < 11_000, `uneven: ${counts.join(',')}`);
  });

  it('separates the same user id in different projects', () => {
    const differ = Array.from({ length: 100 }, (_, i) => `u${i}`).some(
      (u) => partitionOf('a', u, 8) !== partitionOf('b', u, 8),
    );
    assert.ok(differ);
  });
});
