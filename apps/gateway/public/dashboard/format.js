// Numbers as a person reads them. Revenue stays exact: micro-units as BigInt, formatted from a
// decimal string (Intl.NumberFormat formats strings without going through floating point).

const counts = new Intl.NumberFormat();
const rates = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export const formatCount = (/** @type {number} */ n) => counts.format(n);
export const formatRate = (/** @type {number} */ perSecond) => rates.format(perSecond);

/**
 * "12.5" → 12500000n; the API sends revenue as exact decimal strings.
 * @param {string} text
 */
export function decimalToMicros(text) {
  const [, whole, decimals] = /^(\d+)(?:\.(\d+))?$/.exec(text) ?? [];
  if (whole === undefined) return 0n;
  const fraction = (decimals ?? '').slice(0, 6).padEnd(6, '0');
  return BigInt(whole) * 1_000_000n + BigInt(fraction);
}

/**
 * 12500000n → "12.500000", a decimal string NumberFormat formats exactly.
 * @param {bigint} micros
 */
function microsToDecimal(micros) {
  const fraction = String(micros % 1_000_000n).padStart(6, '0');
  return /** @type {Intl.StringNumericLiteral} */ (`${micros / 1_000_000n}.${fraction}`);
}

/**
 * @param {bigint} micros
 * @param {string} currency ISO 4217 code
 */
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
export const formatTime = (/** @type {number} */ ms) => dayAndTime.format(ms);

/** @type {Readonly<Record<string, string>>} */
export const TYPE_LABELS = {
  page_view: 'Page views',
  click: 'Clicks',
  purchase: 'Purchases',
  login: 'Logins',
  custom: 'Custom events',
};
