/** One cumulative bucket of a Prometheus histogram: how many observations were ≤ `le`. */
export interface HistogramBucket {
  /** Upper bound in the metric's unit; `Infinity` for `+Inf`. */
  le: number;
  count: number;
}

const LE_LABEL = /(?:^|,)\s*le="([^"]*)"/;

/**
 * The `<name>_bucket` lines of a histogram in the Prometheus text format, summed over label sets
 * by `le` and sorted by bound; `undefined` when the text has none.
 */
export function parseHistogram(text: string, name: string): HistogramBucket[] | undefined {
  const prefix = `${name}_bucket{`;
  const counts = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const labelsEnd = line.lastIndexOf('}');
    const le = LE_LABEL.exec(line.slice(prefix.length, labelsEnd))?.[1];
    // The value may be followed by a timestamp.
    const count = Number(
      line
        .slice(labelsEnd + 1)
        .trim()
        .split(/\s+/)[0],
    );
    const bound = le === '+Inf' ? Infinity : Number(le);
    if (le === undefined || Number.isNaN(bound) || !Number.isFinite(count)) {
      throw new Error(`not a histogram bucket line: ${line}`);
    }
    counts.set(bound, (counts.get(bound) ?? 0) + count);
  }
  if (counts.size === 0) return undefined;
  return [...counts].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** The observations made between two scrapes of the same histogram, still cumulative. */
export function bucketDeltas(
  before: HistogramBucket[],
  after: HistogramBucket[],
): HistogramBucket[] {
  const earlier = new Map(before.map((b) => [b.le, b.count]));
  return after.map((b) => {
    const count = b.count - (earlier.get(b.le) ?? 0);
    if (count < 0) throw new Error('the histogram went backwards: was the process restarted?');
    return { le: b.le, count };
  });
}

/**
 * The upper bound of the bucket that holds the q-quantile (0 < q ≤ 1) of cumulative buckets:
 * the true quantile is at most this, and above the bound of the bucket before it. `undefined`
 * without observations; `Infinity` when it lies past the last finite bound.
 */
export function bucketQuantile(buckets: HistogramBucket[], q: number): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  return buckets.find((b) => b.count >= rank)?.le;
}
