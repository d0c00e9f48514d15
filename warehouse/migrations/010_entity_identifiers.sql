-- 010: external identifiers of organisations known to reference data (dossier.extract.gazetteer):
-- the gazetteer id ("ptk:<ISIN or symbol>" for a listed company from pytickersymbols,
-- "list:<slug>" for an entry of models/known_organisations.json), the ticker, the ISIN and the
-- English Wikipedia URL. NULL for organisations no reference data knows. A later mention that
-- is not linked never clears a link (the store writes them with an UPDATE, not the upsert).
ALTER TABLE entities ADD COLUMN known_id VARCHAR;
ALTER TABLE entities ADD COLUMN ticker VARCHAR;
ALTER TABLE entities ADD COLUMN isin VARCHAR;
ALTER TABLE entities ADD COLUMN wikipedia_url VARCHAR;
