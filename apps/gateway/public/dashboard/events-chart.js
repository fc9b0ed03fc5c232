import uPlot from './uplot.esm.js';

const HEIGHT = 260;
const integers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
// NOTE: uPlot's types mark its path builders optional (custom builds can leave them out); the
// package's ESM build, which the gateway serves, has them all.
const bars = /** @type {NonNullable<typeof uPlot.paths.bars>} */ (uPlot.paths.bars);

/** The events-per-bucket bar chart (uPlot on a canvas; nothing of the data becomes markup). */
export class EventsChart {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    /** @type {uPlot | undefined} */
    this.plot = undefined;
    /** Width of a bucket in seconds, from the data `show` was given last. */
    this.stepSeconds = 60;
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(container);
  }

  size() {
    return { width: Math.max(this.container.clientWidth, 300), height: HEIGHT };
  }

  /**
   * Draws `counts[i]` events at bucket `starts[i]` (epoch ms).
   * @param {number[]} starts
   * @param {number[]} counts
   */
  show(starts, counts) {
    /** @type {uPlot.AlignedData} */
    const data = [starts.map((ms) => ms / 1000), counts];
    const [first, second] = starts;
    this.stepSeconds = first !== undefined && second !== undefined ? (second - first) / 1000 : 60;
    if (this.plot) this.plot.setData(data);
    else this.plot = new uPlot(this.options(), data, this.container);
    // What the test (and a curious reader of the DOM) can check the drawing against.
    this.container.dataset.total = String(counts.reduce((sum, n) => sum + n, 0));
    this.container.dataset.bucketsWithEvents = String(counts.filter((n) => n > 0).length);
  }

  /** @returns {uPlot.Options} */
  options() {
    return {
      ...this.size(),
      legend: { show: false },
      cursor: { points: { show: false } },
      scales: {
        // Half a bucket of room on each side, so the first and last bars are drawn whole.
        x: {
          time: true,
          range: (_u, min, max) => [min - this.stepSeconds / 2, max + this.stepSeconds / 2],
        },
        y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
      },
      axes: [
        { stroke: '#5b6472', grid: { stroke: '#eef0f3' } },
        {
          stroke: '#5b6472',
          grid: { stroke: '#eef0f3' },
          values: (_u, splits) =>
            splits.map((v) => (Number.isInteger(v) ? integers.format(v) : '')),
        },
      ],
      series: [
        {},
        {
          label: 'Events',
          stroke: '#4f46e5',
          fill: 'rgba(79, 70, 229, 0.35)',
          paths: bars({ size: [0.7, 48], radius: 0.1 }),
          points: { show: false },
        },
      ],
    };
  }
}
