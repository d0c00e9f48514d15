-- 016: watchlists and the alerts runs raise against them. A watch names what a reader wants to
-- be told about; an alert is one change a run made that a watch matched, with its webhook
-- delivery state on the same row (pending until delivered; failures counted, never fatal).
CREATE TABLE watches (
    id          VARCHAR PRIMARY KEY,  -- hash of (kind, value)
    kind        VARCHAR NOT NULL,     -- organisation | claim_type | domain | region | grade
    value       VARCHAR NOT NULL,     -- entity id, claim type, domain, region, or '*' / entity id for grade
    label       VARCHAR NOT NULL,     -- what the reader typed, resolved: the organisation's name, the type, ...
    created_by  VARCHAR,
    created_at  TIMESTAMPTZ NOT NULL,
    removed_at  TIMESTAMPTZ           -- a removed watch stays, for the alerts that name it
);
CREATE TABLE alerts (
    id            VARCHAR PRIMARY KEY,  -- hash of what the alert is about: a claim, a grade move, an organisation
    kind          VARCHAR NOT NULL,     -- new_claim | negated_claim | contradiction | grade_change | new_organisation
    entity_id     VARCHAR NOT NULL,     -- the organisation it is about
    claim_id      VARCHAR,              -- the claim, for claim alerts
    other_claim_id VARCHAR,             -- the claim contradicted, for contradictions
    watch_ids     VARCHAR[] NOT NULL,   -- the watches that matched
    summary       VARCHAR NOT NULL,     -- one line a person reads
    detail        JSON,                 -- grade before/after, domain, region, ...
    run_id        VARCHAR,              -- the run that raised it
    created_at    TIMESTAMPTZ NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,  -- webhook deliveries tried
    last_error    VARCHAR,              -- why the last delivery failed
    delivered_at  TIMESTAMPTZ           -- NULL: pending (or no webhook configured)
);
CREATE INDEX alerts_created ON alerts (created_at);
-- The grade an organisation had when alerts last looked: a grade alert is a move away from it.
CREATE TABLE alert_grades (
    entity_id   VARCHAR PRIMARY KEY,
    grade       VARCHAR NOT NULL,
    grade_label VARCHAR NOT NULL,
    seen_at     TIMESTAMPTZ NOT NULL
);
