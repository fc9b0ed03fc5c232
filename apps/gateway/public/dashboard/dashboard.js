// The dashboard: asks for a read key, loads the numbers of the selected range from the API,
// bumps them with live deltas as they arrive and reloads them shortly after (the deltas carry
// counts and revenue but not users), and every REFRESH_EVERY_MS in any case.
import { ApiError, getJson } from './api.js';
import { EventsChart } from './events-chart.js';
import { decimalToMicros } from './format.js';
import { LiveRates } from './live-rates.js';
import { followLiveDeltas } from './live-stream.js';
import { $ } from './page-elements.js';
import { showLiveRates, showRejected, showTop, showTotals } from './panels.js';
import { bucketIndex, rangeAt, rangeParams } from './ranges.js';

/** @typedef {import('@tally/contracts').MetricsSeriesReply} MetricsSeriesReply */
/** @typedef {import('@tally/contracts').RejectedEventsReply} RejectedEventsReply */
/** @typedef {import('@tally/contracts').RollupDelta} RollupDelta */
/** @typedef {import('./live-stream.js').LiveState} LiveState */
/** @typedef {import('./panels.js').Totals} Totals */
/** @typedef {import('./ranges.js').Range} Range */
/**
 * The answers a load gathers: the range's total, its series, its top dimensions, rejected events.
 * @typedef {[
 *   total: MetricsSeriesReply,
 *   series: MetricsSeriesReply,
 *   top: MetricsSeriesReply,
 *   rejected: RejectedEventsReply,
 * ]} BoardReplies
 */
/**
 * The numbers on the board, set together by every load: the range, its totals and its count per
 * bucket.
 * @typedef {{ range: Range, totals: Totals, counts: number[] }} Board
 */

const KEY_STORAGE = 'tally.readKey';
const REFRESH_EVERY_MS = 30_000;
const REFRESH_AFTER_DELTA_MS = 1_000;
const TOP_N = 8;
const REJECTED_LIMIT = 100;
const REJECTED_SHOWN = 5;

/** The value of form field `id` (an input or a select). */
const fieldValue = (/** @type {string} */ id) =>
  /** @type {HTMLInputElement | HTMLSelectElement} */ ($(id)).value;

const session = {
  /** The read key in use; '' until the prompt or localStorage gave one. */
  key: '',
  /** @type {Board | undefined} */
  board: undefined,
  /** Bumped by every load and by stop(): an answer for an older one is dropped. */
  generation: 0,
  /** @type {(() => void) | undefined} */
  stopLive: undefined,
  /** @type {number | undefined} */
  ticker: undefined,
  /** @type {number | undefined} */
  refreshTimer: undefined,
  liveRates: new LiveRates(),
};
const chart = new EventsChart($('chart'));

/** @param {Record<string, string>} revenue decimal strings per currency */
function revenueMap(revenue) {
  return new Map(Object.entries(revenue).map(([c, amount]) => [c, decimalToMicros(amount)]));
}

/**
 * @param {string} key
 * @param {Range} range
 * @returns {Promise<BoardReplies>}
 */
async function fetchBoard(key, range) {
  const params = rangeParams(range);
  const topParams = {
    ...params,
    type: fieldValue('top-type'),
    groupBy: 'dimension',
    top: String(TOP_N),
  };
  const replies = await Promise.all([
    getJson('/v1/metrics', { ...params, total: 'true' }, key),
    getJson('/v1/metrics', params, key),
    getJson('/v1/metrics', { ...topParams, total: 'true' }, key),
    getJson('/v1/rejected', { limit: String(REJECTED_LIMIT) }, key),
  ]);
  // NOTE: the contracts' types, not checked here: the gateway's tests check its answers.
  return /** @type {BoardReplies} */ (replies);
}

/** @param {Board} board */
function render(board) {
  showTotals(board.totals);
  chart.show(board.range.starts, board.counts);
}

/** Loads every panel for the selected range; throws ApiError on a refused key or a failure. */
async function load() {
  const generation = ++session.generation;
  const range = rangeAt(fieldValue('range'), Date.now());
  const [total, series, top, rejected] = await fetchBoard(session.key, range);
  if (generation !== session.generation) return;
  const sum = total.series[0];
  const counts = range.starts.map(() => 0);
  for (const point of series.series) {
    addAt(counts, bucketIndex(range, Date.parse(point.bucket)), point.count);
  }
  session.board = {
    range,
    totals: {
      count: sum?.count ?? 0,
      users: sum?.uniqueUsers ?? 0,
      revenue: revenueMap(sum?.revenue ?? {}),
    },
    counts,
  };
  render(session.board);
  showTop(top.series);
  const inRange = rejected.rejected.filter((r) => Date.parse(r.receivedAt) >= range.from);
  showRejected(inRange, inRange.length === REJECTED_LIMIT, REJECTED_SHOWN);
  $('chart-title').textContent = range.chartTitle;
  $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
  $('board-error').hidden = true;
}

/** Loads; a refused key goes back to the prompt (false), other failures show on the board. */
async function reload() {
  try {
    await load();
  } catch (error) {
    if (error instanceof ApiError && error.isKeyProblem) {
      askForKey(error.message);
      return false;
    }
    const message = error instanceof Error ? error.message : String(error);
    $('board-error').textContent = `Could not load the numbers: ${message}`;
    $('board-error').hidden = false;
  }
  return true;
}

function reloadSoon() {
  session.refreshTimer ??= setTimeout(() => {
    session.refreshTimer = undefined;
    void reload();
  }, REFRESH_AFTER_DELTA_MS);
}

/**
 * Adds `count` to `counts[index]`; an index of -1 (outside the range) adds nothing.
 * @param {number[]} counts
 * @param {number} index
 * @param {number} count
 */
function addAt(counts, index, count) {
  const before = counts[index];
  if (before !== undefined) counts[index] = before + count;
}

/**
 * A rollup delta: counts and revenue move at once; users follow with the reload.
 * @param {RollupDelta} delta
 */
function applyDelta(delta) {
  const now = Date.now();
  const { board } = session;
  for (const row of delta.rows) {
    session.liveRates.add(row.type, row.count, now);
    const index = board ? bucketIndex(board.range, row.bucket) : -1;
    if (!board || index < 0) continue;
    addAt(board.counts, index, row.count);
    board.totals.count += row.count;
    for (const [currency, micros] of Object.entries(row.revenueMicros)) {
      const before = board.totals.revenue.get(currency) ?? 0n;
      board.totals.revenue.set(currency, before + BigInt(micros));
    }
  }
  if (board) render(board);
  showLiveRates(session.liveRates.rates(now));
  $('key-hint').textContent = `project ${delta.projectId} · ${keyHint(session.key)}`;
  reloadSoon();
}

/** @param {LiveState} state */
function showLiveState(state) {
  $('live-status').dataset.state = state;
  $('live-status').textContent = state;
  // Deltas are not replayed: whatever happened while disconnected comes with a reload.
  if (state === 'live') reloadSoon();
}

const keyHint = (/** @type {string} */ key) => `key …${key.slice(-4)}`;

function stop() {
  session.generation++;
  session.stopLive?.();
  clearInterval(session.ticker);
  clearTimeout(session.refreshTimer);
  Object.assign(session, { stopLive: undefined, ticker: undefined, refreshTimer: undefined });
}

/** @param {string} [message] why the key is asked for again */
function askForKey(message) {
  stop();
  localStorage.removeItem(KEY_STORAGE);
  $('board').hidden = true;
  $('controls').hidden = true;
  $('key-prompt').hidden = false;
  $('key-error').textContent = message ?? '';
  $('key-error').hidden = !message;
  const keyInput = /** @type {HTMLInputElement} */ ($('key-input'));
  keyInput.value = '';
  keyInput.focus();
}

/**
 * Opens the board with `key` once the API accepted it; back to the prompt with its message if not.
 * @param {string} key
 */
async function open(key) {
  stop();
  session.key = key;
  session.liveRates = new LiveRates();
  if (!(await reload())) return;
  showLiveRates([]);
  localStorage.setItem(KEY_STORAGE, key);
  $('key-prompt').hidden = true;
  $('board').hidden = false;
  $('controls').hidden = false;
  $('key-hint').textContent = keyHint(key);
  session.stopLive = followLiveDeltas(key, {
    onDelta: applyDelta,
    onState: showLiveState,
    onKeyRejected: (error) => askForKey(error.message),
  });
  let lastFullLoad = Date.now();
  session.ticker = setInterval(() => {
    showLiveRates(session.liveRates.rates(Date.now()));
    if (Date.now() - lastFullLoad >= REFRESH_EVERY_MS) {
      lastFullLoad = Date.now();
      void reload();
    }
  }, 1_000);
}

$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = fieldValue('key-input').trim();
  if (key) void open(key);
});
$('change-key').addEventListener('click', () => askForKey());
$('range').addEventListener('change', () => void reload());
$('top-type').addEventListener('change', () => void reload());

const stored = localStorage.getItem(KEY_STORAGE);
if (stored) void open(stored);
else askForKey();
