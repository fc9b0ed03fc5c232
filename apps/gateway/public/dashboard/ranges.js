// The ranges the page offers, each as the API's buckets: the last N buckets up to and including
// the one that holds "now", so the chart and the totals cover exactly the same time.

/** @typedef {import('@tally/contracts').Granularity} Granularity */
/** @typedef {{ granularity: Granularity, buckets: number, chartTitle: string }} RangeSpec */
/**
 * A range as the page queries and draws it: bucket `starts`, `from` (the first start) and `to`
 * (the end of the last bucket), all epoch ms.
 * @typedef {RangeSpec & { starts: number[], from: number, to: number }} Range
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** @satisfies {Record<string, RangeSpec>} */
export const RANGES = {
  hour: { granularity: 'minute', buckets: 60, chartTitle: 'Events per minute' },
  day: { granularity: 'hour', buckets: 24, chartTitle: 'Events per hour' },
  week: { granularity: 'day', buckets: 7, chartTitle: 'Events per day' },
};

/** The browser's IANA time zone: day buckets run from local midnight to local midnight. */
export function timeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * Start of the bucket `back` buckets before the one that holds `ms` (epoch ms).
 * @param {Granularity} granularity
 * @param {number} ms
 * @param {number} back
 */
function bucketStart(granularity, ms, back) {
  if (granularity === 'minute') return (Math.floor(ms / MINUTE_MS) - back) * MINUTE_MS;
  if (granularity === 'hour') return (Math.floor(ms / HOUR_MS) - back) * HOUR_MS;
  const day = new Date(ms);
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() - back).getTime();
}

/**
 * `{ starts, from, to, granularity, chartTitle }` of range `name` at time `now` (epoch ms).
 * @param {string} name `hour`, `day` or `week`; the last hour for any other name
 * @param {number} now
 * @returns {Range}
 */
export function rangeAt(name, now) {
  /** @type {RangeSpec} */
  const range = Object.hasOwn(RANGES, name)
    ? RANGES[/** @type {keyof typeof RANGES} */ (name)]
    : RANGES.hour;
  /** @type {number[]} */
  const starts = [];
  for (let back = range.buckets - 1; back >= 0; back--) {
    starts.push(bucketStart(range.granularity, now, back));
  }
  const from = bucketStart(range.granularity, now, range.buckets - 1);
  return { ...range, starts, from, to: bucketStart(range.granularity, now, -1) };
}

/**
 * The API's query parameters for the range.
 * @param {Range} range
 * @returns {Record<string, string>}
 */
export function rangeParams(range) {
  return {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    granularity: range.granularity,
    ...(range.granularity === 'day' ? { tz: timeZone() } : {}),
  };
}

/**
 * Index of the bucket that holds `ms`, or -1 outside the range.
 * @param {Range} range
 * @param {number} ms
 */
export function bucketIndex(range, ms) {
  if (ms < range.from || ms >= range.to) return -1;
  // The bucket before the first one that starts after `ms` (there is none in the last bucket).
  const next = range.starts.findIndex((start) => start > ms);
  return next === -1 ? range.starts.length - 1 : next - 1;
}
