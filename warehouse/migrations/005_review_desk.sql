-- 005: the reviewer's desk. Reviewer decisions are rows that are never deleted, only
-- superseded (superseded_by names the later row); every action is also in review_events.

-- What a draft carries beside its content: the reviewer overrides applied on top of the
-- assembled fields, and, for a draft opened beside an approved revision, its diff.
ALTER TABLE profiles ADD COLUMN overrides JSON;             -- {field: value} applied to this revision
ALTER TABLE profiles ADD COLUMN diff JSON;                  -- {field: {approved, draft} | {added, removed}}
ALTER TABLE profiles ADD COLUMN approved_revision INTEGER;  -- the approved revision `diff` compares with

-- Field edits: re-applied on top of every later draft of the organisation.
CREATE TABLE profile_overrides (
    id            VARCHAR PRIMARY KEY,
    entity_id     VARCHAR NOT NULL,
    field         VARCHAR NOT NULL,   -- one of the editable profile fields (docs/review.md)
    value         JSON,               -- the reviewer's value; NULL clears the field's override
    reviewer      VARCHAR NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    note          VARCHAR,
    superseded_by VARCHAR
);
CREATE INDEX profile_overrides_entity ON profile_overrides (entity_id);

-- Verdicts on single claims, keyed on the claim's stable id plus a hash of its evidence
-- sentence: a verdict holds while the evidence is the same and re-opens when it changes.
CREATE TABLE claim_reviews (
    id            VARCHAR PRIMARY KEY,
    claim_id      VARCHAR NOT NULL,
    evidence_hash VARCHAR NOT NULL,   -- sha256 of the evidence sentence the reviewer saw
    entity_id     VARCHAR,            -- the profile it was reviewed on
    verdict       VARCHAR NOT NULL,   -- accepted | rejected
    reviewer      VARCHAR NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    note          VARCHAR,
    superseded_by VARCHAR
);
CREATE INDEX claim_reviews_claim ON claim_reviews (claim_id);

-- People who may sign in to `dossier serve`. Disabled, never deleted.
CREATE TABLE users (
    username      VARCHAR PRIMARY KEY,
    password_hash VARCHAR NOT NULL,   -- argon2id, with its parameters and salt
    role          VARCHAR NOT NULL,   -- viewer | reviewer | admin
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL,
    disabled_at   TIMESTAMPTZ
);
