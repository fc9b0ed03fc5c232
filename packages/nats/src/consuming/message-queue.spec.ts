import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageQueue } from './message-queue.js';

describe('MessageQueue', () => {
  it('takes what is there at once without a linger', async () => {
    const queue = new MessageQueue<number>();
    queue.push(1);
    assert.deepEqual(await queue.take(10), [1]);
  });

  it('lingers for a fuller batch, and stops lingering once it is full', async () => {
    const queue = new MessageQueue<number>();
    queue.push(1);
    const taken = queue.take(3, 60_000);
    queue.push(2);
    setImmediate(() => queue.push(3));
    // A full batch answers long before the one-minute linger ends.
    assert.deepEqual(await taken, [1, 2, 3]);
  });

  it('hands over a partial batch when the linger ends', async () => {
    const queue = new MessageQueue<number>();
    queue.push(1);
    const started = performance.now();
    assert.deepEqual(await queue.take(3, 40), [1]);
    assert.ok(performance.now() - started >= 35, 'waited for more until the linger ended');
  });

  it('answers undefined when closed while lingering, leaving the items to drain', async () => {
    const queue = new MessageQueue<number>();
    queue.push(1);
    const taken = queue.take(3, 60_000);
    setImmediate(() => queue.close());
    assert.equal(await taken, undefined);
    assert.deepEqual(queue.drain(), [1]);
  });
});
