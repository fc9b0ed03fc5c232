import { EVENT_TYPES, Granularity, type MetricsQuery } from '@tally/contracts';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';

const SeriesParams = z
  .object({
    type: z.enum(EVENT_TYPES).optional(),
    name: z.string().max(1024).optional(),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    granularity: Granularity.default('hour'),
    groupBy: z.literal('dimension').optional(),
    tz: z
      .string()
      .max(64)
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin')
      .optional(),
    top: z.coerce.number().int().min(1).max(100).optional(),
  })
  .refine((p) => p.top === undefined || p.groupBy === 'dimension', {
    path: ['top'],
    message: 'top needs groupBy=dimension',
  });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Validates `GET /v1/metrics` parameters into the aggregator's query contract. */
export function toMetricsQuery(projectId: string, params: unknown): MetricsQuery {
  const parsed = SeriesParams.safeParse(params);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      param: i.path.join('.'),
      message: i.message,
    }));
    throw new ApiError(400, 'invalid_query', 'invalid query parameters', details);
  }
  const p = parsed.data;
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
  };
}
