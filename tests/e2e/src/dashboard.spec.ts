import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor, workspaceRoot } from '@tally/testkit';
import { postExpect202 } from './client.js';
import {
  counts,
  enterKey,
  launchChromium,
  newDashboardPage,
  UI_TIMEOUT_MS,
  untilText,
} from './dashboard-browser.js';
import { dashboardTraffic, HOSTILE_ELEMENT } from './dashboard-traffic.js';
import { dumpProblems, log, startStack, type Stack } from './stack.js';

const ARTIFACTS_DIR = join(workspaceRoot(), 'test-artifacts');
const SCREENSHOT = join(ARTIFACTS_DIR, 'dashboard.png');
/** `TALLY_DOCS_SCREENSHOT=1` also refreshes the README's picture from this run. */
const DOCS_SCREENSHOT =
  process.env.TALLY_DOCS_SCREENSHOT === '1'
    ? join(workspaceRoot(), 'docs', 'dashboard.png')
    : undefined;
const money = (cents: number, currency: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);

/*
 * The dashboard in real Chromium (Debian's, driven by playwright-core) on the full pipeline:
 * gateway, ingest and aggregator as processes on real NATS and Postgres. The page is fed only by
 * the public API with a read key, exactly as a product person's browser would be.
 */
describe('Tally end to end: the dashboard in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  /** The current page's console errors (CSP violations land here too) and uncaught errors. */
  let browserErrors: string[] = [];

  before(async () => {
    stack = await startStack(2);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function newPage(): Promise<Page> {
    await context?.close();
    const opened = await newDashboardPage(browser);
    context = opened.context;
    browserErrors = opened.errors;
    return opened.page;
  }

  it("refuses a wrong key with the API's message and does not keep it", async () => {
    try {
      const page = await newPage();
      const res = await page.goto(`${stack.gatewayUrl}/`);
      assert.equal(new URL(page.url()).pathname, '/dashboard');
      assert.equal(res?.status(), 200);
      await enterKey(page, 'tr_this-key-does-not-exist');
      await untilText(page, '#key-error', 'unknown or revoked key');
      await enterKey(page, stack.writeKey);
      await untilText(page, '#key-error', 'this endpoint needs a read key');
      assert.equal(await page.evaluate('localStorage.length'), 0);
      assert.equal(await page.locator('#board').isHidden(), true);
    } catch (err) {
      dumpProblems(stack);
      throw err;
    }
  });

  it('shows totals, users, revenue, top pages, rejected events and live rates as events arrive', async () => {
    try {
      const page = await newPage();
      await page.goto(`${stack.gatewayUrl}/dashboard`);
      await enterKey(page, stack.readKey);
      await untilText(page, '#live-status', 'live');
      for (const [selector, empty] of [
        ['#total-events', '0'],
        ['#unique-users', '0'],
        ['#revenue', '—'],
        ['#rejected-count', '0'],
        ['#live-seen-total', '0'],
      ] as const) {
        await untilText(page, selector, empty);
      }
      assert.equal(await page.locator('#chart').getAttribute('data-total'), '0');

      const traffic = dashboardTraffic(Date.now());
      const { expected } = traffic;
      for (const batch of traffic.batches) {
        await postExpect202(stack.gatewayUrl, stack.writeKey, { events: batch });
      }
      log(
        `sent ${expected.events} events from ${expected.users} users over ` +
          `${expected.minutesWithEvents} minutes, and 1 invalid one`,
      );

      // Live: deltas reach the page within its 10 s rate window.
      await waitFor(async () => Number(await page.locator('#live-rate-total').textContent()) > 0, {
        timeoutMs: UI_TIMEOUT_MS,
        intervalMs: 100,
        what: 'the live events/s to move',
      });
      await untilText(page, '#live-seen-total', counts.format(expected.events));

      await untilText(page, '#total-events', counts.format(expected.events));
      await untilText(page, '#unique-users', counts.format(expected.users));
      const revenue = [...expected.revenueCents]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, cents]) => money(cents, currency));
      await waitFor(
        async () =>
          JSON.stringify(await page.locator('#revenue li').allTextContents()) ===
          JSON.stringify(revenue),
        { timeoutMs: UI_TIMEOUT_MS, intervalMs: 100, what: `revenue ${revenue.join(', ')}` },
      );
      await untilText(page, '#rejected-count', String(expected.rejected));
      await untilText(
        page,
        '#rejected-list tbody tr:first-child code',
        JSON.stringify(traffic.batches.at(-1)?.at(-1)),
      );

      const topRow = page.locator('#top-dimensions tbody tr').first();
      await untilText(page, '#top-dimensions tbody tr:first-child .label', expected.topPage.path);
      assert.deepEqual(
        (await topRow.locator('td.num').allTextContents()).map((t) => t.trim()),
        [counts.format(expected.topPage.count), counts.format(expected.topPage.users)],
      );
      const chart = page.locator('#chart');
      assert.equal(await chart.getAttribute('data-total'), String(expected.events));
      assert.equal(
        await chart.getAttribute('data-buckets-with-events'),
        String(expected.minutesWithEvents),
      );
      assert.equal(await page.locator('#chart canvas').count(), 1);

      mkdirSync(ARTIFACTS_DIR, { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      if (DOCS_SCREENSHOT) await page.screenshot({ path: DOCS_SCREENSHOT, fullPage: true });
      log(`screenshot: ${SCREENSHOT}${DOCS_SCREENSHOT ? ` and ${DOCS_SCREENSHOT}` : ''}`);

      // User-supplied text (here a clicked element's name) is shown as text, never as markup.
      await page.locator('#top-type').selectOption('click');
      await waitFor(
        async () =>
          (await page.locator('#top-dimensions .label', { hasText: HOSTILE_ELEMENT }).count()) ===
          1,
        { timeoutMs: UI_TIMEOUT_MS, intervalMs: 100, what: 'the markup-like element name as text' },
      );
      assert.equal(await page.locator('#top-dimensions img').count(), 0);
      assert.notEqual(await page.title(), 'pwned');

      // Longer ranges read hour and day buckets (days from local midnight, here Berlin's): the
      // same events, fewer bars.
      for (const [range, title] of [
        ['day', 'Events per hour'],
        ['week', 'Events per day'],
      ] as const) {
        await page.locator('#range').selectOption(range);
        await untilText(page, '#chart-title', title);
        await untilText(page, '#total-events', counts.format(expected.events));
        await untilText(page, '#unique-users', counts.format(expected.users));
        assert.equal(await chart.getAttribute('data-total'), String(expected.events));
      }

      // The key is remembered: a reload opens the board straight from the API's numbers.
      await page.reload();
      await untilText(page, '#total-events', counts.format(expected.events));
      assert.equal(await page.locator('#key-prompt').isHidden(), true);

      await page.locator('#change-key').click();
      assert.equal(await page.locator('#key-prompt').isVisible(), true);
      assert.equal(await page.evaluate('localStorage.length'), 0);

      assert.deepEqual(browserErrors, []);
    } catch (err) {
      dumpProblems(stack);
      throw err;
    }
  });
});
