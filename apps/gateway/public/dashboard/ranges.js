// The ranges the page offers, each as the API's buckets: the last N buckets up to and including
// the one that holds "now", so the chart and the totals cover exactly the same time.

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export const RANGES = {
  hour: { granularity: 'minute', buckets: 60, chartTitle: 'Events per minute' },
  day: { granularity: 'hour', buckets: 24, chartTitle: 'Events per hour' },
  week: { granularity: 'day', buckets: 7, chartTitle: 'Events per day' },
};

/** The browser's IANA time zone: day buckets run from local midnight to local midnight. */
export function timeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function bucketStart(granularity, ms, back) {
  if (granularity === 'minute') return (Math.floor(ms / MINUTE_MS) - back) * MINUTE_MS;
  if (granularity === 'hour') return (Math.floor(ms / HOUR_MS) - back) * HOUR_MS;
  const day = new Date(ms);
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() - back).getTime();
}

/** `{ starts, from, to, granularity, chartTitle }` of range `name` at time `now` (epoch ms). */
export function rangeAt(name, now) {
  const range = RANGES[name] ?? RANGES.hour;
  const starts = [];
  for (let back = range.buckets - 1; back >= 0; back--) {
    starts.push(bucketStart(range.granularity, now, back));
  }
  return { ...range, starts, from: starts[0], to: bucketStart(range.granularity, now, -1) };
}

/** The API's query parameters for the range. */
export function rangeParams(range) {
  return {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    granularity: range.granularity,
    ...(range.granularity === 'day' ? { tz: timeZone() } : {}),
  };
}

/** Index of the bucket that holds `ms`, or -1 outside the range. */
export function bucketIndex(range, ms) {
  if (ms < range.from || ms >= range.to) return -1;
  let index = 0;
  while (index + 1 < range.starts.length && range.starts[index + 1] <= ms) index++;
  return index;
}
