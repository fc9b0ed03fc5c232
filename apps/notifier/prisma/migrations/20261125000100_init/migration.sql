CREATE TABLE "rollup_watermarks" (
    "project_id" TEXT NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "last_bucket" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "rollup_watermarks_pkey" PRIMARY KEY ("project_id")
);
