-- Rollups summed over all dimensions, written in the same statement as the rollups. A series
-- without a dimension breakdown reads one row per bucket and currency here instead of unioning
-- one HLL sketch per dimension (the 30-day hourly series: 720 sketches instead of 7,200).
CREATE TABLE "rollup_totals" (
    "project_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "granularity" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "count" BIGINT NOT NULL,
    "revenue" DECIMAL(24,6) NOT NULL,
    "users" hll NOT NULL,
    CONSTRAINT "rollup_totals_pkey" PRIMARY KEY ("project_id","event_type","granularity","bucket","currency")
);

-- Writers wait while the existing rollups are summed, so none is counted twice or missed.
LOCK TABLE "rollups" IN SHARE MODE;

INSERT INTO "rollup_totals" ("project_id", "event_type", "currency", "granularity", "bucket", "count", "revenue", "users")
SELECT "project_id", "event_type", "currency", "granularity", "bucket", sum("count"), sum("revenue"), hll_union_agg("users")
FROM "rollups"
GROUP BY 1, 2, 3, 4, 5;
