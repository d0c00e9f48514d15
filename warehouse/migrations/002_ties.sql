-- 002: ties between organisations and places, with their kind (headquarters, site, market,
-- other), one per organisation, place and article, evidence sentence kept.
CREATE TABLE ties (
    id              VARCHAR PRIMARY KEY,   -- hash of (organisation, place, article)
    organisation_id VARCHAR NOT NULL,
    place_id        VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,      -- headquarters | site | market | other
    article_id      VARCHAR NOT NULL,
    evidence_start  INTEGER NOT NULL,
    evidence_end    INTEGER NOT NULL,
    first_seen      TIMESTAMPTZ NOT NULL,
    last_seen       TIMESTAMPTZ NOT NULL
);
CREATE INDEX ties_organisation ON ties (organisation_id);
CREATE INDEX ties_article ON ties (article_id);
