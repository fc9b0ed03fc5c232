import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rollupDelta } from './rollup-delta.fixture.js';
import { foldWatermarks } from './watermark-fold.js';

const MINUTE = 60_000;
const T = Date.parse('2026-11-25T10:15:00.000Z');

describe('foldWatermarks', () => {
  it('keeps the highest seq and the newest bucket per project, whatever the order', () => {
    const updates = foldWatermarks([
      rollupDelta('p1', 20, [T]),
      rollupDelta('p1', 10, [T + 5 * MINUTE, T - MINUTE]),
      rollupDelta('p1', 15, []),
    ]);
    assert.deepEqual(updates, [{ projectId: 'p1', lastSeq: 20, lastBucket: T + 5 * MINUTE }]);
  });

  it('gives one update per project, sorted by project id', () => {
    const updates = foldWatermarks([
      rollupDelta('p2', 3, [T]),
      rollupDelta('p1', 7, [T]),
      rollupDelta('p2', 9, []),
    ]);
    assert.deepEqual(
      updates.map((u) => [u.projectId, u.lastSeq]),
      [
        ['p1', 7],
        ['p2', 9],
      ],
    );
  });

  it('leaves the bucket unknown when no delta of the project has rows', () => {
    assert.deepEqual(foldWatermarks([rollupDelta('p1', 4, [])]), [
      { projectId: 'p1', lastSeq: 4, lastBucket: undefined },
    ]);
  });
});
