-- 0005_stream_counts.sql (PostgreSQL) - a run's counters per stream, as a JSON
-- object {"Contact": {"processed": 10, "created": 2, ...}, ...}, written
-- with the run's totals in the batches' transactions, so that a run's
-- detail says which stream did what. NULL: a run from before.
-- Keep in step with ../sqlite/0005_stream_counts.sql.

ALTER TABLE sync_runs ADD COLUMN stream_counts TEXT;
