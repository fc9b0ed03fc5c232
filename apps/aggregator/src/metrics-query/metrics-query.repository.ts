import { Injectable } from '@nestjs/common';
import type { MetricsPoint, MetricsQuery } from '@tally/contracts';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../database/prisma.service.js';
import { isWholeHourZone } from './time-zones.js';

interface SeriesRow {
  bucket: Date;
  dimension: string | null;
  count: bigint;
  users: number;
  revenue: Record<string, string> | null;
}

/** Reads rollup series; unique users are merged with HLL unions, never summed. */
@Injectable()
export class MetricsQueryRepository {
  constructor(private readonly prisma: PrismaService) {}

  async series(query: MetricsQuery): Promise<MetricsPoint[]> {
    const byDimension = query.groupByDimension;
    const dimensionColumn = byDimension ? Prisma.sql`dimension` : Prisma.sql`NULL::text`;
    const { granularity, bucket: perBucket } = bucketing(query);
    const bucket = query.total ? Prisma.sql`${new Date(query.from)}::timestamptz` : perBucket;
    const typeFilter = query.type ? Prisma.sql`AND event_type = ${query.type}` : Prisma.empty;
    const dimensionFilter =
      query.dimension !== undefined ? Prisma.sql`AND dimension = ${query.dimension}` : Prisma.empty;
    const where = Prisma.sql`
      project_id = ${query.projectId} AND granularity = ${granularity}
      AND bucket >= ${new Date(query.from)} AND bucket < ${new Date(query.to)}
      ${typeFilter} ${dimensionFilter}`;
    const topFilter =
      byDimension && query.top !== undefined
        ? Prisma.sql`AND dimension IN (
            SELECT dimension FROM rollups WHERE ${where}
            GROUP BY dimension ORDER BY sum(count) DESC, dimension LIMIT ${query.top})`
        : Prisma.empty;
    const rows = await this.prisma.$queryRaw<SeriesRow[]>`
      WITH per_currency AS (
        SELECT ${bucket} AS bucket, ${dimensionColumn} AS dimension, currency,
               sum(count) AS count, sum(revenue) AS revenue, hll_union_agg(users) AS users
        FROM rollups
        WHERE ${where} ${topFilter}
        GROUP BY 1, 2, 3
      )
      SELECT bucket, dimension, sum(count)::bigint AS count,
             round(hll_cardinality(hll_union_agg(users)))::float8 AS users,
             jsonb_object_agg(currency, revenue::text) FILTER (WHERE currency <> '') AS revenue
      FROM per_currency
      GROUP BY bucket, dimension
      ORDER BY bucket, dimension`;
    return rows.map((row) => ({
      bucket: row.bucket.toISOString(),
      ...(byDimension ? { dimension: row.dimension ?? '' } : {}),
      count: Number(row.count),
      uniqueUsers: Number(row.users ?? 0),
      revenue: row.revenue ?? {},
    }));
  }
}

/**
 * Day buckets in a time zone are unions of the UTC hour buckets (or minute buckets, for zones
 * with half-hour offsets) between two local midnights; HLL unions keep unique users exact to
 * the sketch's error rather than summed.
 */
function bucketing(query: MetricsQuery): { granularity: string; bucket: Prisma.Sql } {
  const zone = query.timeZone;
  if (query.granularity !== 'day' || zone === undefined || zone === 'UTC') {
    return { granularity: query.granularity, bucket: Prisma.sql`bucket` };
  }
  return {
    granularity: isWholeHourZone(zone) ? 'hour' : 'minute',
    bucket: Prisma.sql`(date_trunc('day', bucket AT TIME ZONE ${zone}) AT TIME ZONE ${zone})`,
  };
}
