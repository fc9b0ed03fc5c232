import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nestsDeeperThan } from './nesting-depth.js';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('nestsDeeperThan', () => {
  it('counts arrays and objects as levels, scalars as none', () => {
    assert.equal(nestsDeeperThan('x', 0), false);
    assert.equal(nestsDeeperThan({ a: 1 }, 0), true);
    assert.equal(nestsDeeperThan({ a: [{ b: 1 }] }, 3), false);
    assert.equal(nestsDeeperThan({ a: [{ b: 1 }] }, 2), true);
    assert.equal(nestsDeeperThan({ a: {}, b: [[[]]] }, 3), true);
  });

  it('handles nesting far beyond what the stack allows', () => {
    assert.equal(nestsDeeperThan(nested(500_000), 64), true);
    assert.equal(nestsDeeperThan(nested(64), 64), false);
  });
});
