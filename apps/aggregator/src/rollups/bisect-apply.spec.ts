import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyBisecting } from './bisect-apply.js';

class Permanent extends Error {}
const isPermanent = (err: unknown) => err instanceof Permanent;

/** An all-or-nothing sink that refuses any attempt holding a bad item. */
function sink(bad: ReadonlySet<number>) {
  const applied: number[] = [];
  const attempt = async (items: readonly number[]): Promise<void> => {
    const refused = items.find((item) => bad.has(item));
    if (refused !== undefined) throw new Permanent(`bad ${refused}`);
    applied.push(...items);
  };
  return { applied, attempt };
}

describe('applyBisecting', () => {
  it('refuses exactly the bad items and applies every other one once', async () => {
    const patterns: ((i: number, size: number) => boolean)[] = [
      () => false,
      () => true,
      (i) => i === 0,
      (i, size) => i === size - 1,
      (i) => i % 3 === 1,
    ];
    for (const size of [0, 1, 2, 7, 16, 33]) {
      for (const isBad of patterns) {
        const items = Array.from({ length: size }, (_, i) => i);
        const bad = new Set(items.filter((i) => isBad(i, size)));
        const { applied, attempt } = sink(bad);
        const refused = await applyBisecting(items, attempt, isPermanent);
        assert.deepEqual(
          refused.map((r) => r.item),
          items.filter((i) => bad.has(i)),
        );
        assert.deepEqual(
          [...applied].sort((a, b) => a - b),
          items.filter((i) => !bad.has(i)),
        );
        for (const r of refused) assert.equal((r.error as Error).message, `bad ${r.item}`);
      }
    }
  });

  it('rethrows a failure that may pass later instead of refusing items for it', async () => {
    const down = new Error('connection terminated');
    await assert.rejects(
      applyBisecting(
        [1, 2, 3],
        async () => {
          throw down;
        },
        isPermanent,
      ),
      down,
    );
  });
});
