/** @typedef {{ type: string, perSecond: number, seen: number }} LiveRate */

/**
 * Events per second per event type over a sliding window, from the live deltas as they arrive
 * (a delta's rows may belong to older buckets: late events count when they arrive).
 */
export class LiveRates {
  constructor(windowMs = 10_000) {
    this.windowMs = windowMs;
    /** @type {{ type: string, count: number, at: number }[]} */
    this.arrivals = [];
    /** @type {Map<string, number>} events per type since the page opened */
    this.seen = new Map();
  }

  /**
   * @param {string} type
   * @param {number} count
   * @param {number} at epoch ms of arrival
   */
  add(type, count, at) {
    this.arrivals.push({ type, count, at });
    this.seen.set(type, (this.seen.get(type) ?? 0) + count);
  }

  /**
   * `[{ type, perSecond, seen }]` for every type seen since the page opened.
   * @param {number} now epoch ms
   * @returns {LiveRate[]}
   */
  rates(now) {
    this.arrivals = this.arrivals.filter((a) => a.at > now - this.windowMs);
    const inWindow = new Map();
    for (const a of this.arrivals) inWindow.set(a.type, (inWindow.get(a.type) ?? 0) + a.count);
    return [...this.seen].map(([type, seen]) => ({
      type,
      seen,
      perSecond: ((inWindow.get(type) ?? 0) * 1000) / this.windowMs,
    }));
  }
}
