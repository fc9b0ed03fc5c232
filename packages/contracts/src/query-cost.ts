import type { Granularity, MetricsQuery } from './messages.js';

/** Length of each rollup bucket. */
export const GRANULARITY_MS: Readonly<Record<Granularity, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** Limits of a metrics query (README, "Query API"). */
export const QUERY_LIMITS = {
  /** Buckets in the range × series: what one query may cost. */
  maxPoints: 10_000,
  /** Series of `groupBy=dimension` without `top`: the dimensions with the highest count. */
  defaultTop: 10,
  maxTop: 100,
} as const;

/** Why the aggregator refused a metrics query; the gateway answers each with its own status. */
export const QUERY_ERROR_CODES = ['invalid_query', 'query_too_large', 'too_many_queries'] as const;

export interface MetricsQueryCost {
  buckets: number;
  series: number;
  /** `buckets × series`, at most `QUERY_LIMITS.maxPoints`. */
  points: number;
}

type CostedQuery = Pick<MetricsQuery, 'from' | 'to' | 'granularity' | 'groupByDimension' | 'top'>;

/**
 * What a query costs before it runs: every bucket of its range (read even for `total`) times
 * its series. The series of `groupBy=dimension` are its `top` dimensions, so the cost is known
 * without looking at the data.
 */
export function metricsQueryCost(query: CostedQuery): MetricsQueryCost {
  const buckets = Math.ceil((query.to - query.from) / GRANULARITY_MS[query.granularity]);
  const series = query.groupByDimension ? seriesCap(query) : 1;
  return { buckets, series, points: buckets * series };
}

/** The number of dimensions a `groupBy=dimension` query answers at most. */
export function seriesCap(query: Pick<MetricsQuery, 'top'>): number {
  return query.top ?? QUERY_LIMITS.defaultTop;
}

/** Why `cost` is over the limit and how to narrow the query; `undefined` when it is not. */
export function overLimitMessage(
  cost: MetricsQueryCost,
  granularity: Granularity,
): string | undefined {
  if (cost.points <= QUERY_LIMITS.maxPoints) return undefined;
  return (
    `the query covers ${cost.buckets} ${granularity} buckets × ${cost.series} series = ` +
    `${cost.points} points; at most ${QUERY_LIMITS.maxPoints}: use a coarser granularity, ` +
    'a shorter range or fewer series (top, name)'
  );
}
