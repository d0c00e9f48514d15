-- 003: reviewer judgements on entity identity, re-applied on every run (as nomenklatura's
-- resolver). Rows are never deleted; a later judgement may supersede an earlier one.
CREATE TABLE judgements (
    id            VARCHAR PRIMARY KEY,
    kind          VARCHAR NOT NULL,   -- merge: `other` is an entity merged into entity_id
                                      -- split: `other` is an alias that does not name entity_id
    entity_id     VARCHAR NOT NULL,
    other         VARCHAR NOT NULL,
    reviewer      VARCHAR NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    note          VARCHAR,
    superseded_by VARCHAR
);
CREATE INDEX judgements_entity ON judgements (entity_id);
