import { Injectable } from '@nestjs/common';
import type { MetricsPoint, MetricsQuery } from '@tally/contracts';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../database/prisma.service.js';

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
    const groupDimension = byDimension ? Prisma.sql`, dimension` : Prisma.empty;
    const typeFilter = query.type ? Prisma.sql`AND event_type = ${query.type}` : Prisma.empty;
    const dimensionFilter =
      query.dimension !== undefined ? Prisma.sql`AND dimension = ${query.dimension}` : Prisma.empty;
    const rows = await this.prisma.$queryRaw<SeriesRow[]>`
      WITH per_currency AS (
        SELECT bucket, ${dimensionColumn} AS dimension, currency,
               sum(count) AS count, sum(revenue) AS revenue, hll_union_agg(users) AS users
        FROM rollups
        WHERE project_id = ${query.projectId} AND granularity = ${query.granularity}
          AND bucket >= ${new Date(query.from)} AND bucket < ${new Date(query.to)}
          ${typeFilter} ${dimensionFilter}
        GROUP BY bucket${groupDimension}, currency
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
