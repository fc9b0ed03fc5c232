import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { BackgroundLoop } from './background-loop.js';

/** Answers each round with the next of `rounds` (a value, or a function for its own timing). */
class ScriptedLoop extends BackgroundLoop {
  steps = 0;

  constructor(
    private readonly rounds: Array<boolean | (() => Promise<boolean>)>,
    idleMs: number,
  ) {
    super({ idleMs, failure: 'round failed' });
  }

  get log(): BackgroundLoop['logger'] {
    return this.logger;
  }

  protected step(): Promise<boolean> {
    const round = this.rounds[this.steps++] ?? false;
    return typeof round === 'function' ? round() : Promise.resolve(round);
  }
}

describe('BackgroundLoop', () => {
  it('runs rounds back to back while they report more, then waits until destroyed', async () => {
    const loop = new ScriptedLoop([true, true, false], 60_000);
    loop.onApplicationBootstrap();
    await delay(50);
    assert.equal(loop.steps, 3);
    const started = Date.now();
    await loop.onModuleDestroy();
    assert.ok(Date.now() - started < 1_000, 'the idle wait did not end with the module');
    assert.equal(loop.steps, 3);
  });

  it('logs a failed round and goes on after the idle wait', async (t) => {
    const failing = () => Promise.reject(new Error('database gone'));
    const loop = new ScriptedLoop([failing, true], 10);
    const error = t.mock.method(loop.log, 'error', () => undefined);
    loop.onApplicationBootstrap();
    await delay(100);
    await loop.onModuleDestroy();
    assert.ok(loop.steps >= 3);
    assert.equal(error.mock.callCount(), 1);
    assert.equal(error.mock.calls[0]?.arguments[1], 'round failed');
  });

  it('waits for the round in flight when destroyed', async () => {
    let finish = (_more: boolean) => undefined as void;
    const inFlight = () => new Promise<boolean>((resolve) => (finish = resolve));
    const loop = new ScriptedLoop([inFlight], 60_000);
    loop.onApplicationBootstrap();
    let destroyed = false;
    const destroying = loop.onModuleDestroy().then(() => (destroyed = true));
    await delay(20);
    assert.equal(destroyed, false);
    finish(true);
    await destroying;
    assert.equal(loop.steps, 1);
  });
});
