import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RollupDelta } from '@tally/contracts';
import { foldWatermarks } from './watermark-fold.js';

const MINUTE = 60_000;
const T = Date.parse('2026-11-25T10:15:00.000Z');

function delta(projectId: string, seq: number, buckets: number[]): RollupDelta {
  return {
    projectId,
    partition: 0,
    seq,
    rows: buckets.map((bucket) => ({
      type: 'click',
      dimension: 'buy',
      bucket,
      count: 1,
      revenueMicros: {},
    })),
  };
}

describe('foldWatermarks', () => {
  it('keeps the highest seq and the newest bucket per project, whatever the order', () => {
    const updates = foldWatermarks([
      delta('p1', 20, [T]),
      delta('p1', 10, [T + 5 * MINUTE, T - MINUTE]),
      delta('p1', 15, []),
    ]);
    assert.deepEqual(updates, [{ projectId: 'p1', lastSeq: 20, lastBucket: T + 5 * MINUTE }]);
  });

  it('gives one update per project, sorted by project id', () => {
    const updates = foldWatermarks([delta('p2', 3, [T]), delta('p1', 7, [T]), delta('p2', 9, [])]);
    assert.deepEqual(
      updates.map((u) => [u.projectId, u.lastSeq]),
      [
        ['p1', 7],
        ['p2', 9],
      ],
    );
  });

  it('leaves the bucket unknown when no delta of the project has rows', () => {
    assert.deepEqual(foldWatermarks([delta('p1', 4, [])]), [
      { projectId: 'p1', lastSeq: 4, lastBucket: undefined },
    ]);
  });
});
