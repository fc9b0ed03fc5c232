import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort } from './free-port.js';
import { GiveUpWaiting, waitFor } from './wait-for.js';

test('waitFor returns the first truthy probe value', async () => {
  let calls = 0;
  const value = await waitFor(async () => (++calls >= 3 ? `after ${calls}` : undefined), {
    timeoutMs: 2_000,
    intervalMs: 5,
    what: 'three calls',
  });
  assert.equal(value, 'after 3');
});

test('waitFor times out naming what it waited for and the last probe error', async () => {
  await assert.rejects(
    waitFor(
      async () => {
        throw new Error('still broken');
      },
      { timeoutMs: 100, intervalMs: 10, what: 'the thing' },
    ),
    /^Error: timed out after 100ms waiting for the thing; last probe error: still broken$/,
  );
});

test('waitFor does not let a hanging probe outlive the timeout', async () => {
  const started = Date.now();
  await assert.rejects(
    waitFor(() => new Promise<undefined>(() => undefined), {
      timeoutMs: 100,
      what: 'a hanging probe',
    }),
    /timed out after 100ms waiting for a hanging probe/,
  );
  assert.ok(Date.now() - started < 1_000);
});

test('waitFor stops at once on GiveUpWaiting', async () => {
  const started = Date.now();
  await assert.rejects(
    waitFor(
      async () => {
        throw new GiveUpWaiting('pointless');
      },
      { timeoutMs: 5_000, what: 'nothing' },
    ),
    /pointless/,
  );
  assert.ok(Date.now() - started < 1_000);
});

test('freePort returns a bindable loopback port', async () => {
  const port = await freePort();
  assert.ok(Number.isInteger(port) && port > 0 && port < 65_536);
});
