-- Every event-stream sequence folded into the rollups, so a redelivered batch is never applied
-- twice, whatever order redeliveries arrive in. Rows are pruned after a retention period.
CREATE TABLE "applied_batches" (
    "partition" INTEGER NOT NULL,
    "seq" BIGINT NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "applied_batches_pkey" PRIMARY KEY ("partition","seq")
);

CREATE INDEX "applied_batches_applied_at_idx" ON "applied_batches"("applied_at");
