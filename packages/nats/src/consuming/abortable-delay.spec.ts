import assert from 'node:assert/strict';
import { it } from 'node:test';
import { abortableDelay } from './abortable-delay.js';

const AN_HOUR_MS = 3_600_000;

it(
  'resolves at once for a signal that aborted before the delay began',
  { timeout: 10_000 },
  async () => {
    const signal = AbortSignal.abort();
    await abortableDelay(AN_HOUR_MS, signal);
    assert.equal(signal.aborted, true);
  },
);

it('resolves when the signal aborts during the delay', { timeout: 10_000 }, async () => {
  const stop = new AbortController();
  const delay = abortableDelay(AN_HOUR_MS, stop.signal);
  stop.abort();
  await delay;
  assert.equal(stop.signal.aborted, true);
});
