import { MetricsQueryParams, type MetricsQuery } from '@tally/contracts';
import { INVALID_QUERY, validated } from '../http/validated.js';

/** Validates `GET /v1/metrics` parameters into the aggregator's query contract. */
export function toMetricsQuery(projectId: string, params: unknown): MetricsQuery {
  const p = validated(MetricsQueryParams, params, INVALID_QUERY);
  return {
    projectId,
    type: p.type,
    dimension: p.name,
    from: Date.parse(p.from),
    to: Date.parse(p.to),
    granularity: p.granularity,
    groupByDimension: p.groupBy === 'dimension',
    timeZone: p.tz,
    top: p.top,
    total: p.total === 'true',
  };
}
