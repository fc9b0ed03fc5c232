/** An hour of plausible traffic with every number the dashboard should show worked out. */
export interface DashboardTraffic {
  /** Valid events followed by one invalid one, as sent in batches. */
  batches: unknown[][];
  expected: {
    events: number;
    users: number;
    /** Revenue per currency in cents. */
    revenueCents: Map<string, number>;
    topPage: { path: string; count: number; users: number };
    /** Minute buckets that hold at least one event. */
    minutesWithEvents: number;
    rejected: number;
  };
}

const MINUTE_MS = 60_000;
const USERS = 37;
/** Paths weighted by how often they are viewed. */
const PAGES = ['/pricing', '/pricing', '/', '/docs', '/pricing', '/', '/blog/launch'];
/** A clicked element's name that is markup: the page must show it as text. */
export const HOSTILE_ELEMENT = '<img src=x onerror="document.title=\'pwned\'">';
const BATCH = 200;

/**
 * Page views, clicks, logins and purchases (EUR, and one USD) spread over the last 55 minutes
 * before `now`, from 37 users, plus one event of an unknown type. Deterministic: the same `now`
 * gives the same events.
 */
export function dashboardTraffic(now: number): DashboardTraffic {
  const events: Array<{ type: string; userId: string; timestamp: string; properties: object }> = [];
  const revenueCents = new Map<string, number>();
  let serial = 0;
  const add = (type: string, minutesAgo: number, properties: object) => {
    serial++;
    const userId = `user-${String(((serial * 13 + minutesAgo * 7) % USERS) + 1).padStart(2, '0')}`;
    const timestamp = new Date(now - minutesAgo * MINUTE_MS - (serial % 50) * 1_000);
    events.push({ type, userId, timestamp: timestamp.toISOString(), properties });
  };
  for (let m = 0; m < 55; m++) {
    for (let i = 0; i < 2 + ((m * 7) % 5); i++) {
      add('page_view', m, { path: PAGES[(m + i * 3) % PAGES.length] });
    }
    if (m % 9 === 4) add('click', m, { element: HOSTILE_ELEMENT });
    for (let i = 0; i < 1 + (m % 3); i++) add('click', m, { element: i ? 'buy' : 'signup' });
    if (m % 4 === 1) add('login', m, { method: 'password', success: true });
    if (m % 6 === 2) {
      const currency = m === 38 ? 'USD' : 'EUR';
      const cents = 1999 + m * 137;
      revenueCents.set(currency, (revenueCents.get(currency) ?? 0) + cents);
      add('purchase', m, { orderId: `order-${m}`, amount: cents / 100, currency });
    }
  }
  const pageViews = new Map<string, string[]>();
  for (const e of events.filter((e) => e.type === 'page_view')) {
    const path = (e.properties as { path: string }).path;
    pageViews.set(path, [...(pageViews.get(path) ?? []), e.userId]);
  }
  // Highest count first, ties by name: the order of the API's top-N.
  const [topPath, topUsers] = [...pageViews].sort(
    ([a, ua], [b, ub]) => ub.length - ua.length || (a < b ? -1 : 1),
  )[0] as [string, string[]];
  const invalid = { type: 'hover', userId: 'user-01', properties: {} };
  const all: unknown[] = [...events, invalid];
  const batches: unknown[][] = [];
  for (let i = 0; i < all.length; i += BATCH) batches.push(all.slice(i, i + BATCH));
  return {
    batches,
    expected: {
      events: events.length,
      users: new Set(events.map((e) => e.userId)).size,
      revenueCents,
      topPage: { path: topPath, count: topUsers.length, users: new Set(topUsers).size },
      minutesWithEvents: new Set(events.map((e) => Math.floor(Date.parse(e.timestamp) / MINUTE_MS)))
        .size,
      rejected: 1,
    },
  };
}
