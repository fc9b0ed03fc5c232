import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { waitFor, type ServiceProcess } from '@tally/testkit';
import { postExpect202 } from './client.js';
import {
  counts,
  enterKey,
  launchChromium,
  newDashboardPage,
  UI_TIMEOUT_MS,
  untilText,
} from './dashboard-browser.js';
import { dumpProblems, log, startStack, waitUntilAggregatorIdle, type Stack } from './stack.js';

/**
 * How long the numbers may take after the page is live again: its reload on reconnect comes 1 s
 * later. NOTE: well below the page's 30 s periodic reload, so only the reload on reconnect passes.
 */
const RELOAD_AFTER_RECONNECT_MS = 5_000;
/** What Chromium logs for the dropped stream and for each request that finds the gateway down. */
const FAILED_LOAD_IN_OUTAGE =
  /^console: Failed to load resource: net::ERR_(INCOMPLETE_CHUNKED_ENCODING|CONNECTION_REFUSED)$/;

/** `perUser` page views from each of `users` users (`<prefix>-1`, …), timestamped now. */
function pageViews(prefix: string, users: number, perUser: number) {
  const timestamp = new Date().toISOString();
  return Array.from({ length: users * perUser }, (_, i) => ({
    type: 'page_view',
    userId: `${prefix}-${(i % users) + 1}`,
    timestamp,
    properties: { path: '/pricing' },
  }));
}

/*
 * The dashboard follows GET /v1/live and, when the connection drops, retries with growing delays
 * and reloads its numbers on reconnect (the gateway does not replay missed deltas). Here its
 * gateway process is SIGKILLed and restarted on the same port (the page's origin), while events
 * reach the API through a second gateway replica.
 */
describe('Tally end to end: the dashboard when its gateway restarts', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext | undefined;
  /** The API while the page's gateway is down, as another replica behind a balancer would be. */
  let replica: ServiceProcess;

  before(async () => {
    stack = await startStack(2);
    replica = await stack.startGatewayReplica('gateway-replica');
    browser = await launchChromium();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
  });

  it('shows reconnecting, comes back live and reloads what it missed', async () => {
    try {
      const opened = await newDashboardPage(browser);
      context = opened.context;
      const { page, errors } = opened;
      let refusedRetries = 0;
      page.on('requestfailed', (request) => {
        const refused = request.failure()?.errorText === 'net::ERR_CONNECTION_REFUSED';
        if (refused && new URL(request.url()).pathname === '/v1/live') refusedRetries++;
      });
      await page.goto(`${stack.gatewayUrl}/dashboard`);
      await enterKey(page, stack.readKey);
      await untilText(page, '#live-status', 'live');
      await untilText(page, '#total-events', '0');

      const exit = await stack.gateway.kill('SIGKILL');
      log(`gateway SIGKILLed (exit ${String(exit)})`);
      await untilText(page, '#live-status', 'reconnecting');

      const missed = pageViews('missed', 4, 3);
      await postExpect202(replica.origin, stack.writeKey, { events: missed });
      await waitUntilAggregatorIdle(stack);
      // Stored and counted, but nothing carries their deltas to the page.
      assert.equal((await page.locator('#live-status').textContent())?.trim(), 'reconnecting');
      assert.equal((await page.locator('#total-events').textContent())?.trim(), '0');
      // A retry finds nobody listening: the reconnect below must come from a later one.
      await waitFor(async () => refusedRetries > 0, {
        timeoutMs: UI_TIMEOUT_MS,
        intervalMs: 100,
        what: 'the page to retry GET /v1/live while the gateway is down',
      });

      await stack.gateway.restart();
      log(`gateway restarted on the same port (pid ${stack.gateway.pid})`);
      await untilText(page, '#live-status', 'live');
      await untilText(
        page,
        '#total-events',
        counts.format(missed.length),
        RELOAD_AFTER_RECONNECT_MS,
      );
      await untilText(page, '#unique-users', '4', RELOAD_AFTER_RECONNECT_MS);

      // The new stream carries deltas again; the missed ones were never replayed.
      const later = pageViews('later', 2, 1);
      await postExpect202(stack.gatewayUrl, stack.writeKey, { events: later });
      await untilText(page, '#live-seen-total', counts.format(later.length));
      await untilText(page, '#total-events', counts.format(missed.length + later.length));
      await untilText(page, '#unique-users', '6');
      // Any reload that fell into the outage showed an error; the reloads since cleared it.
      assert.equal(await page.locator('#board-error').isHidden(), true);

      assert.deepEqual(
        errors.filter((error) => !FAILED_LOAD_IN_OUTAGE.test(error)),
        [],
      );
    } catch (err) {
      dumpProblems(stack);
      throw err;
    }
  });
});
