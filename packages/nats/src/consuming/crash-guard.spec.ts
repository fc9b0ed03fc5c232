import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CrashGuard, type GuardedStep } from './crash-guard.js';
import type { HandlingLog, HandlingMark } from './handling-log.js';

/** The guard's planning only: the marks' storage is tested on real NATS (ordered-redelivery). */
async function guardAfter(left: HandlingMark | undefined): Promise<CrashGuard<number>> {
  const log = { read: async () => left } as unknown as HandlingLog;
  const guard = new CrashGuard<number>(log, 'test', 2, (seq) => seq);
  await guard.start();
  return guard;
}

function summary(steps: GuardedStep<number>[]): string[] {
  return steps.map((step) =>
    step.kind === 'handle'
      ? `handle ${step.items.join(',')} x${step.mark.attempts}`
      : `dead ${step.item} after ${step.crashes}`,
  );
}

describe('CrashGuard.plan', () => {
  it('hands a batch over whole when no process died handling it', async () => {
    const guard = await guardAfter(undefined);
    assert.deepEqual(summary(guard.plan([4, 5, 6])), ['handle 4,5,6 x1']);
  });

  it('hands the messages of a batch a process died handling over one at a time', async () => {
    const guard = await guardAfter({ from: 4, to: 5, attempts: 1 });
    assert.deepEqual(summary(guard.plan([4, 5, 6, 7])), [
      'handle 4 x1',
      'handle 5 x1',
      'handle 6,7 x1',
    ]);
  });

  it('picks suspects by sequence, in a batch out of order too', async () => {
    const guard = await guardAfter({ from: 4, to: 5, attempts: 1 });
    assert.deepEqual(summary(guard.plan([6, 4])), ['handle 4 x1', 'handle 6 x1']);
  });

  it('counts the processes a message killed alone, and dead-letters it at the bound', async () => {
    const once = await guardAfter({ from: 5, to: 5, attempts: 1 });
    assert.deepEqual(summary(once.plan([5, 6])), ['handle 5 x2', 'handle 6 x1']);
    const twice = await guardAfter({ from: 5, to: 5, attempts: 2 });
    assert.deepEqual(summary(twice.plan([5, 6])), ['dead 5 after 2', 'handle 6 x1']);
  });
});
