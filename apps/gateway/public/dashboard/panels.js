// Writes the numbers into the page. Everything that came from the API (event names, paths,
// reasons, excerpts: user-supplied text) goes in through textContent, never as markup.
import { formatCount, formatMoney, formatRate, formatTime, TYPE_LABELS } from './format.js';
import { $ } from './page-elements.js';

/** @typedef {import('@tally/contracts').MetricsPoint} MetricsPoint */
/** @typedef {import('@tally/contracts').RejectedEventItem} RejectedEventItem */
/** @typedef {import('./live-rates.js').LiveRate} LiveRate */
/** @typedef {{ count: number, users: number, revenue: Map<string, bigint> }} Totals */

/**
 * The body of table `id`, where its rows go.
 * @param {string} id
 */
const tableBody = (id) =>
  /** @type {HTMLTableSectionElement} */ (/** @type {HTMLTableElement} */ ($(id)).tBodies[0]);

/**
 * @param {string} tag
 * @param {string} text
 * @param {string} [className]
 */
function cell(tag, text, className) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

/** @param {string} text */
function codeCell(text) {
  const td = document.createElement('td');
  td.append(cell('code', text));
  return td;
}

/** @param {...HTMLElement} cells */
function row(...cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

/**
 * Totals cards: `{ count, users, revenue: Map<currency, micros> }`.
 * @param {Totals} totals
 */
export function showTotals(totals) {
  $('total-events').textContent = formatCount(totals.count);
  $('unique-users').textContent = formatCount(totals.users);
  const currencies = [...totals.revenue].sort(([a], [b]) => a.localeCompare(b));
  $('revenue').replaceChildren(
    ...(currencies.length === 0
      ? [cell('li', '—', 'none')]
      : currencies.map(([currency, micros]) => cell('li', formatMoney(micros, currency)))),
  );
}

/**
 * Top dimensions: `[{ dimension, count, uniqueUsers }]`, shown highest count first.
 * @param {MetricsPoint[]} points
 */
export function showTop(points) {
  // NOTE: the API picks the top N but answers them in dimension order.
  const sorted = [...points].sort((a, b) => b.count - a.count);
  const top = sorted[0]?.count ?? 0;
  tableBody('top-dimensions').replaceChildren(
    ...sorted.map((p) => {
      // Grouped by dimension, every point has one ('' for events without it).
      const dimension = p.dimension ?? '';
      const bar = cell('span', '', 'bar');
      bar.style.width = `${top > 0 ? (100 * p.count) / top : 0}%`;
      const name = document.createElement('td');
      name.className = 'name';
      name.append(bar, cell('span', dimension === '' ? '(none)' : dimension, 'label'));
      const tr = row(
        name,
        cell('td', formatCount(p.count), 'num'),
        cell('td', formatCount(p.uniqueUsers), 'num'),
      );
      tr.dataset.dimension = dimension;
      return tr;
    }),
  );
  $('top-empty').hidden = points.length > 0;
}

/** @param {RejectedEventItem} item */
function reason(item) {
  return item.errors.map((e) => `${e.path || 'event'}: ${e.message}`).join('; ');
}

/**
 * Rejected events of the range, newest first; `more` when the API's list was cut.
 * @param {RejectedEventItem[]} items
 * @param {boolean} more
 * @param {number} shown how many of them to list
 */
export function showRejected(items, more, shown) {
  $('rejected-count').textContent = `${formatCount(items.length)}${more ? '+' : ''}`;
  tableBody('rejected-list').replaceChildren(
    ...items
      .slice(0, shown)
      .map((item) =>
        row(
          cell('td', formatTime(Date.parse(item.receivedAt)), 'time'),
          cell('td', reason(item)),
          codeCell(item.excerpt),
        ),
      ),
  );
  $('rejected-empty').hidden = items.length > 0;
}

/**
 * Live events/s per type: `[{ type, perSecond, seen }]`.
 * @param {LiveRate[]} rates
 */
export function showLiveRates(rates) {
  tableBody('live-rates').replaceChildren(
    ...rates.map(({ type, perSecond, seen }) => {
      const tr = row(
        cell('th', TYPE_LABELS[type] ?? type),
        cell('td', formatRate(perSecond), 'num rate'),
        cell('td', formatCount(seen), 'num seen'),
      );
      tr.dataset.type = type;
      return tr;
    }),
  );
  const sum = (/** @type {(rate: LiveRate) => number} */ pick) =>
    rates.reduce((total, r) => total + pick(r), 0);
  $('live-rate-total').textContent = formatRate(sum((r) => r.perSecond));
  $('live-seen-total').textContent = formatCount(sum((r) => r.seen));
}
