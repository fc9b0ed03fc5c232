// Numbers as a person reads them. Revenue stays exact: micro-units as BigInt, formatted from a
// decimal string (Intl.NumberFormat formats strings without going through floating point).

const counts = new Intl.NumberFormat();
const rates = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export const formatCount = (n) => counts.format(n);
export const formatRate = (perSecond) => rates.format(perSecond);

/** "12.5" → 12500000n; the API sends revenue as exact decimal strings. */
export function decimalToMicros(text) {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return 0n;
  const fraction = (match[2] ?? '').slice(0, 6).padEnd(6, '0');
  return BigInt(match[1]) * 1_000_000n + BigInt(fraction);
}

function microsToDecimal(micros) {
  const fraction = String(micros % 1_000_000n).padStart(6, '0');
  return `${micros / 1_000_000n}.${fraction}`;
}

export function formatMoney(micros, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(
      microsToDecimal(micros),
    );
  } catch {
    // A code this browser's Intl does not know: still show the exact amount.
    return `${microsToDecimal(micros)} ${currency}`;
  }
}

const dayAndTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
export const formatTime = (ms) => dayAndTime.format(ms);

export const TYPE_LABELS = {
  page_view: 'Page views',
  click: 'Clicks',
  purchase: 'Purchases',
  login: 'Logins',
  custom: 'Custom events',
};
