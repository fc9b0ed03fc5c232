const WHOLE_HOUR_OFFSET = /^GMT(?:[+-]\d{1,2}(?::00)?)?$/;

/**
 * Whether a zone's UTC offset is a whole number of hours all year round (sampled monthly, which
 * catches DST rules): then its local days are unions of UTC hour buckets; otherwise (India,
 * Nepal, Lord Howe…) they need minute buckets.
 */
export function isWholeHourZone(timeZone: string, year = new Date().getUTCFullYear()): boolean {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' });
  for (let month = 0; month < 12; month++) {
    const parts = format.formatToParts(Date.UTC(year, month, 15));
    const offset = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (!WHOLE_HOUR_OFFSET.test(offset)) return false;
  }
  return true;
}
