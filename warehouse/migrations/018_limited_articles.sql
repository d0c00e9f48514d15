-- 018: access-limited articles. An article whose page was refused (HTTP 401/402/403/451), whose
-- extracted text is shorter than its feed's summary, that declares itself not free, or that is a
-- short text with a paywall notice is kept, flagged, with the reason (dossier.ingest.access).
-- Its evidence counts less toward confidence. Articles stored before this were read whole.
ALTER TABLE articles ADD COLUMN limited BOOLEAN DEFAULT false;
ALTER TABLE articles ADD COLUMN limited_reason VARCHAR;
UPDATE articles SET limited = false WHERE limited IS NULL;
