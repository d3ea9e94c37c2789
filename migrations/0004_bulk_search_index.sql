-- Programmes written by an import carry their run (NULL for rows written otherwise).
-- The search index takes an import's rows in one statement after it applies them
-- instead of by a trigger per row: the insert trigger is recreated by
-- `guide::ensure_search_index` for rows without a run only.
ALTER TABLE programmes ADD COLUMN run_id INTEGER;
DROP TRIGGER IF EXISTS programmes_fts_insert;
