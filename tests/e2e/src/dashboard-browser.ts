import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { waitFor } from '@tally/testkit';
import { log } from './stack.js';

/** Debian's chromium (scripts/test.mjs installs it and passes its path). */
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const UI_TIMEOUT_MS = 20_000;

/** Numbers as the page formats them (the pages run with locale en-US). */
export const counts = new Intl.NumberFormat('en-US');

export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  log(`chromium ${browser.version()} from ${CHROMIUM}`);
  return browser;
}

export interface DashboardPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** The page's console errors (CSP violations land here too) and uncaught errors. */
  readonly errors: string[];
}

/** A page in a fresh context (empty localStorage) that records its errors. */
export async function newDashboardPage(browser: Browser): Promise<DashboardPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  return { context, page, errors };
}

/** Waits until the element's text is `expected`, reporting the last text seen otherwise. */
export async function untilText(
  page: Page,
  selector: string,
  expected: string,
  timeoutMs = UI_TIMEOUT_MS,
): Promise<void> {
  let seen: string | null = null;
  await waitFor(
    async () => {
      seen = (await page.locator(selector).textContent())?.trim() ?? null;
      return seen === expected;
    },
    { timeoutMs, intervalMs: 100, what: `${selector} to read "${expected}"` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; it reads "${String(seen)}"`);
  });
}

export async function enterKey(page: Page, key: string): Promise<void> {
  await page.locator('#key-input').fill(key);
  await page.locator('#key-form button[type=submit]').click();
}
