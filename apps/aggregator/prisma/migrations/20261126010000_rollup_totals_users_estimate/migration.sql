-- The cardinality of each totals row's sketch, kept up to date by the writer: a series bucket of
-- one row answers its unique users without reading the sketch (~10 µs per sketch otherwise).
ALTER TABLE "rollup_totals" ADD COLUMN "users_estimate" DOUBLE PRECISION;

UPDATE "rollup_totals" SET "users_estimate" = hll_cardinality("users");

ALTER TABLE "rollup_totals" ALTER COLUMN "users_estimate" SET NOT NULL;
