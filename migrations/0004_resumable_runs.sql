-- Where a run's staging stands, so that a later call continues it instead of starting
-- over (a handler cut at the host's limit, a killed process, a time budget spent):
-- every programme up to document position `resume_seq` is staged, and the feed's first
-- `resume_bytes` bytes as downloaded had the CRC-32 `resume_crc`, which a continuing
-- call checks so that a changed feed restarts the run. NULL when nothing can be kept.
ALTER TABLE import_log ADD COLUMN resume_seq INTEGER;
ALTER TABLE import_log ADD COLUMN resume_bytes INTEGER;
ALTER TABLE import_log ADD COLUMN resume_crc INTEGER;
-- The feed's validators when the run began reading it: a continuing call whose
-- response carries others starts over.
ALTER TABLE import_log ADD COLUMN feed_etag TEXT;
ALTER TABLE import_log ADD COLUMN feed_last_modified TEXT;
-- Set when a call stopped at its time budget: the run may be continued at once by the
-- next call, without waiting for its lease to run out.
ALTER TABLE import_log ADD COLUMN paused_at INTEGER;
