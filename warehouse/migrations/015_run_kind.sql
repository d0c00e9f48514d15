-- 015: a run says what kind of run it was. `ingest` polls feeds and fetches new articles;
-- `reprocess` re-analyses stored article texts (those stamped with another models version)
-- without fetching. Runs recorded before this migration were all ingest runs.
ALTER TABLE runs ADD COLUMN kind VARCHAR DEFAULT 'ingest';
UPDATE runs SET kind = 'ingest' WHERE kind IS NULL;
