-- Warnings of a run by reason, with examples, as JSON like `rejects`
-- (`stop_repaired`: a stop not after its start replaced by the next programme's start).
ALTER TABLE import_log ADD COLUMN warning_reasons TEXT;
