// The dashboard: asks for a read key, loads the numbers of the selected range from the API,
// bumps them with live deltas as they arrive and reloads them shortly after (the deltas carry
// counts and revenue but not users), and every REFRESH_EVERY_MS in any case.
import { getJson } from './api.js';
import { EventsChart } from './events-chart.js';
import { decimalToMicros } from './format.js';
import { LiveRates } from './live-rates.js';
import { followLiveDeltas } from './live-stream.js';
import { showLiveRates, showRejected, showTop, showTotals } from './panels.js';
import { bucketIndex, rangeAt, rangeParams } from './ranges.js';

const KEY_STORAGE = 'tally.readKey';
const REFRESH_EVERY_MS = 30_000;
const REFRESH_AFTER_DELTA_MS = 1_000;
const TOP_N = 8;
const REJECTED_LIMIT = 100;
const REJECTED_SHOWN = 5;

const $ = (id) => document.getElementById(id);

const session = {
  key: undefined,
  range: undefined,
  totals: undefined,
  counts: [],
  /** Bumped by every load and by stop(): an answer for an older one is dropped. */
  generation: 0,
  stopLive: undefined,
  ticker: undefined,
  refreshTimer: undefined,
  liveRates: new LiveRates(),
};
const chart = new EventsChart($('chart'));

function revenueMap(revenue) {
  return new Map(Object.entries(revenue).map(([c, amount]) => [c, decimalToMicros(amount)]));
}

async function fetchBoard(key, range) {
  const params = rangeParams(range);
  const topParams = { ...params, type: $('top-type').value, groupBy: 'dimension', top: TOP_N };
  return Promise.all([
    getJson('/v1/metrics', { ...params, total: 'true' }, key),
    getJson('/v1/metrics', params, key),
    getJson('/v1/metrics', { ...topParams, total: 'true' }, key),
    getJson('/v1/rejected', { limit: REJECTED_LIMIT }, key),
  ]);
}

function render() {
  showTotals(session.totals);
  chart.show(session.range.starts, session.counts);
}

/** Loads every panel for the selected range; throws ApiError on a refused key or a failure. */
async function load() {
  const generation = ++session.generation;
  const range = rangeAt($('range').value, Date.now());
  const [total, series, top, rejected] = await fetchBoard(session.key, range);
  if (generation !== session.generation) return;
  const sum = total.series[0];
  session.range = range;
  session.totals = {
    count: sum?.count ?? 0,
    users: sum?.uniqueUsers ?? 0,
    revenue: revenueMap(sum?.revenue ?? {}),
  };
  session.counts = range.starts.map(() => 0);
  for (const point of series.series) {
    const index = bucketIndex(range, Date.parse(point.bucket));
    if (index >= 0) session.counts[index] += point.count;
  }
  render();
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
    if (error.isKeyProblem) {
      askForKey(error.message);
      return false;
    }
    $('board-error').textContent = `Could not load the numbers: ${error.message}`;
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

/** A rollup delta: counts and revenue move at once; users follow with the reload. */
function applyDelta(delta) {
  const now = Date.now();
  for (const row of delta.rows) {
    session.liveRates.add(row.type, row.count, now);
    const index = session.range ? bucketIndex(session.range, row.bucket) : -1;
    if (index < 0) continue;
    session.counts[index] += row.count;
    session.totals.count += row.count;
    for (const [currency, micros] of Object.entries(row.revenueMicros)) {
      const before = session.totals.revenue.get(currency) ?? 0n;
      session.totals.revenue.set(currency, before + BigInt(micros));
    }
  }
  if (session.range) render();
  showLiveRates(session.liveRates.rates(now));
  $('key-hint').textContent = `project ${delta.projectId} · ${keyHint(session.key)}`;
  reloadSoon();
}

function showLiveState(state) {
  $('live-status').dataset.state = state;
  $('live-status').textContent = state;
  // Deltas are not replayed: whatever happened while disconnected comes with a reload.
  if (state === 'live') reloadSoon();
}

const keyHint = (key) => `key …${key.slice(-4)}`;

function stop() {
  session.generation++;
  session.stopLive?.();
  clearInterval(session.ticker);
  clearTimeout(session.refreshTimer);
  Object.assign(session, { stopLive: undefined, ticker: undefined, refreshTimer: undefined });
}

function askForKey(message) {
  stop();
  localStorage.removeItem(KEY_STORAGE);
  $('board').hidden = true;
  $('controls').hidden = true;
  $('key-prompt').hidden = false;
  $('key-error').textContent = message ?? '';
  $('key-error').hidden = !message;
  $('key-input').value = '';
  $('key-input').focus();
}

/** Opens the board with `key` once the API accepted it; back to the prompt with its message if not. */
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
  const key = $('key-input').value.trim();
  if (key) void open(key);
});
$('change-key').addEventListener('click', () => askForKey());
$('range').addEventListener('change', () => void reload());
$('top-type').addEventListener('change', () => void reload());

const stored = localStorage.getItem(KEY_STORAGE);
if (stored) void open(stored);
else askForKey();
