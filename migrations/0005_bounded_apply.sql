-- Imports apply in bounded steps behind a switch (issue 12): no write transaction holds
-- the lock for long, however large the feed, and readers still never see half of one.
-- A run writes its programmes with its id in `run_id` and marks the live ones it
-- replaces with its id in `retired_by`; its provider's `live_run` moves to the run's id
-- in one small transaction at the end. Readers take a programme when
-- `run_id <= live_run` and `retired_by` is NULL or above `live_run`; retired rows are
-- deleted afterwards, in bounded steps too. Existing rows (run 0) stay live.
ALTER TABLE programmes ADD COLUMN run_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE programmes ADD COLUMN retired_by INTEGER;
ALTER TABLE providers ADD COLUMN live_run INTEGER NOT NULL DEFAULT 0;
-- 1 from a run's first step until its switch, or until what it wrote before failing
-- has been removed: no programme carries the id of a run without it, so the rows of a
-- failed run can never come into sight when a later run of the provider switches.
ALTER TABLE import_log ADD COLUMN applying INTEGER NOT NULL DEFAULT 0;
-- Set once the run's feed is staged and settled, with its counts and rejects recorded:
-- a later call goes on applying without reading the feed again. `applied_through` is the
-- last provider channel whose step has committed (its counts are in added, updated and
-- removed), where a call that stopped at its time budget or died continues.
ALTER TABLE import_log ADD COLUMN staged_at INTEGER;
ALTER TABLE import_log ADD COLUMN applied_through TEXT;
-- The run that created a channel or a mapping, so that a run that fails can take back
-- what it added (their data is refreshed at the switch only).
ALTER TABLE channels ADD COLUMN created_by_run INTEGER;
ALTER TABLE channel_mappings ADD COLUMN created_by_run INTEGER;
CREATE INDEX programmes_run ON programmes (run_id);
CREATE INDEX programmes_retired ON programmes (retired_by) WHERE retired_by IS NOT NULL;
