-- HyperLogLog sketches for unique users (postgresql-hll); mergeable across buckets.
CREATE EXTENSION IF NOT EXISTS hll;

CREATE TABLE "rollups" (
    "project_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "dimension" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "granularity" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "count" BIGINT NOT NULL,
    "revenue" DECIMAL(24,6) NOT NULL,
    "users" hll NOT NULL,
    CONSTRAINT "rollups_pkey" PRIMARY KEY ("project_id","event_type","granularity","bucket","dimension","currency")
);

CREATE TABLE "partition_offsets" (
    "partition" INTEGER NOT NULL,
    "seq" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "partition_offsets_pkey" PRIMARY KEY ("partition")
);
