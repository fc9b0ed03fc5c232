import { decimalToMicros, type SeriesPoint } from './client.js';

/** What the test expects one accepted event to add to the rollups. */
export interface CountedEvent {
  type: string;
  /** The rollup dimension: the name, else the type's natural one (element, path, method). */
  dimension: string;
  userId: string;
  /** Event time, epoch ms. */
  timestamp: number;
  revenue?: { currency: string; micros: bigint };
}

export interface BucketStats {
  count: number;
  uniqueUsers: number;
  /** micro-units per currency, as strings so deepStrictEqual shows them plainly */
  revenueMicros: Record<string, string>;
}

export type SeriesMap = Record<string, BucketStats>;

const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type Granularity = keyof typeof BUCKET_MS;

export function bucketStart(timestamp: number, granularity: Granularity): number {
  return Math.floor(timestamp / BUCKET_MS[granularity]) * BUCKET_MS[granularity];
}

function key(bucket: string, dimension: string | undefined): string {
  return dimension === undefined ? bucket : `${bucket} | ${dimension}`;
}

/** The series the API should answer for these events. */
export function expectedSeries(
  events: readonly CountedEvent[],
  granularity: Granularity,
  opts: { byDimension?: boolean } = {},
): SeriesMap {
  const acc = new Map<
    string,
    { count: number; users: Set<string>; revenue: Map<string, bigint> }
  >();
  for (const event of events) {
    const bucket = new Date(bucketStart(event.timestamp, granularity)).toISOString();
    const k = key(bucket, opts.byDimension ? event.dimension : undefined);
    let entry = acc.get(k);
    if (!entry) {
      entry = { count: 0, users: new Set(), revenue: new Map() };
      acc.set(k, entry);
    }
    entry.count += 1;
    entry.users.add(event.userId);
    if (event.revenue) {
      const { currency, micros } = event.revenue;
      entry.revenue.set(currency, (entry.revenue.get(currency) ?? 0n) + micros);
    }
  }
  const out: SeriesMap = {};
  for (const [k, entry] of acc) {
    out[k] = {
      count: entry.count,
      uniqueUsers: entry.users.size,
      revenueMicros: Object.fromEntries([...entry.revenue].map(([c, m]) => [c, m.toString()])),
    };
  }
  return out;
}

/** The API's answer in the same shape; revenue strings are parsed exactly. */
export function observedSeries(
  points: readonly SeriesPoint[],
  opts: { byDimension?: boolean } = {},
): SeriesMap {
  const out: SeriesMap = {};
  for (const point of points) {
    const k = key(point.bucket, opts.byDimension ? (point.dimension ?? '(missing)') : undefined);
    if (k in out) throw new Error(`the API answered bucket ${k} twice`);
    out[k] = {
      count: point.count,
      uniqueUsers: point.uniqueUsers,
      revenueMicros: Object.fromEntries(
        Object.entries(point.revenue).map(([c, v]) => [c, decimalToMicros(v).toString()]),
      ),
    };
  }
  return out;
}

export function totalCount(series: SeriesMap): number {
  return Object.values(series).reduce((n, s) => n + s.count, 0);
}

/** Sum of revenue per currency over all buckets, in micro-units. */
export function totalRevenue(series: SeriesMap): Record<string, string> {
  const sums = new Map<string, bigint>();
  for (const stats of Object.values(series)) {
    for (const [c, m] of Object.entries(stats.revenueMicros)) {
      sums.set(c, (sums.get(c) ?? 0n) + BigInt(m));
    }
  }
  return Object.fromEntries([...sums].map(([c, m]) => [c, m.toString()]));
}

/** Deterministic PRNG (mulberry32) so a failing run can be reproduced from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
