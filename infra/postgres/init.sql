-- Tally first-boot setup. The postgres image runs this once, as POSTGRES_USER,
-- against a fresh data directory (never on an existing volume).
--
-- One database per owning service: the aggregator owns `tally` (rollups), the
-- notifier owns `tally_notifier` (rules, deliveries). Neither reads the
-- other's tables; their schemas are applied by their own migrations.

-- Every database created later from template1 (e.g. per-test databases) has
-- hll available too.
\connect template1
CREATE EXTENSION IF NOT EXISTS hll;

\connect postgres
CREATE DATABASE tally;
CREATE DATABASE tally_notifier;

\connect tally
CREATE EXTENSION IF NOT EXISTS hll;

\connect tally_notifier
CREATE EXTENSION IF NOT EXISTS hll;
