-- 001: the initial warehouse model of DESIGN.md. Ids are short hashes of identifying parts.
CREATE TABLE feeds (
    url            VARCHAR PRIMARY KEY,
    title          VARCHAR,
    site_url       VARCHAR,
    publisher      VARCHAR,          -- registered domain of the feed's site (or of the feed URL)
    reliability    DOUBLE,           -- prior in [0, 1]; NULL means the default of the scoring model
    etag           VARCHAR,
    last_modified  VARCHAR,
    last_polled    TIMESTAMPTZ,
    last_status    INTEGER,
    last_error     VARCHAR,
    last_warning   VARCHAR,
    error_count    INTEGER NOT NULL DEFAULT 0,
    added_at       TIMESTAMPTZ NOT NULL,
    origin         VARCHAR NOT NULL DEFAULT 'user',  -- user (feeds add) | cli (ingest --feed) | demo
    active         BOOLEAN NOT NULL DEFAULT TRUE      -- polled by a plain `dossier ingest`
);

CREATE TABLE articles (
    id             VARCHAR PRIMARY KEY,  -- hash of the canonical URL (of the entry link while it failed)
    url            VARCHAR NOT NULL,     -- the URL fetched (after redirects)
    canonical_url  VARCHAR NOT NULL,
    feed_url       VARCHAR,
    entry_key      VARCHAR,              -- the feed entry's GUID, or its link
    entry_updated  TIMESTAMPTZ,
    title          VARCHAR,
    published      TIMESTAMPTZ,
    fetched        TIMESTAMPTZ,
    author         VARCHAR,
    site_name      VARCHAR,
    publisher      VARCHAR,
    language       VARCHAR,
    text           VARCHAR,
    content_hash   VARCHAR,
    cluster_id     VARCHAR,              -- near-duplicate cluster (syndicated copies share one)
    status         VARCHAR NOT NULL,     -- ok | failed
    error          VARCHAR,
    etag           VARCHAR,
    last_modified  VARCHAR,
    models_version VARCHAR,
    first_seen     TIMESTAMPTZ NOT NULL,
    last_seen      TIMESTAMPTZ NOT NULL
);
CREATE INDEX articles_entry ON articles (feed_url, entry_key);

CREATE TABLE entities (
    id         VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,        -- organisation | location
    country    VARCHAR,
    continent  VARCHAR,
    first_seen TIMESTAMPTZ NOT NULL,
    last_seen  TIMESTAMPTZ NOT NULL
);

CREATE TABLE aliases (
    entity_id   VARCHAR NOT NULL,
    alias       VARCHAR NOT NULL,
    alias_key   VARCHAR NOT NULL,
    learned     VARCHAR NOT NULL,       -- name | parenthetical | pattern | acronym | short_form | variant | reviewer
    first_seen  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (entity_id, alias)
);
CREATE INDEX aliases_key ON aliases (alias_key);

CREATE TABLE mentions (
    id             VARCHAR PRIMARY KEY,
    article_id     VARCHAR NOT NULL,
    entity_id      VARCHAR NOT NULL,
    text           VARCHAR NOT NULL,
    label          VARCHAR NOT NULL,
    start_char     INTEGER NOT NULL,
    end_char       INTEGER NOT NULL,
    sentence_start INTEGER NOT NULL,
    sentence_end   INTEGER NOT NULL,
    first_seen     TIMESTAMPTZ NOT NULL,
    last_seen      TIMESTAMPTZ NOT NULL
);
CREATE INDEX mentions_entity ON mentions (entity_id);
CREATE INDEX mentions_article ON mentions (article_id);

CREATE TABLE claims (
    id                   VARCHAR PRIMARY KEY,  -- hash of (subject, type, object, article)
    subject_id           VARCHAR NOT NULL,
    type                 VARCHAR NOT NULL,
    object_id            VARCHAR,              -- set when the object is an organisation
    object_text          VARCHAR,
    polarity             VARCHAR NOT NULL,
    modality             VARCHAR NOT NULL,
    evidence             VARCHAR NOT NULL,
    evidence_start       INTEGER NOT NULL,
    evidence_end         INTEGER NOT NULL,
    article_id           VARCHAR NOT NULL,
    rule                 VARCHAR,
    extractor_version    VARCHAR NOT NULL,
    extractor_confidence DOUBLE NOT NULL,
    confidence           DOUBLE,
    confidence_detail    JSON,
    first_seen           TIMESTAMPTZ NOT NULL,
    last_seen            TIMESTAMPTZ NOT NULL
);
CREATE INDEX claims_subject ON claims (subject_id);
CREATE INDEX claims_article ON claims (article_id);

CREATE TABLE profiles (
    entity_id                VARCHAR NOT NULL,
    revision                 INTEGER NOT NULL,
    status                   VARCHAR NOT NULL,  -- draft | approved | rejected | superseded
    name                     VARCHAR NOT NULL,
    aliases                  VARCHAR[],
    type                     VARCHAR,
    category                 VARCHAR,
    region                   VARCHAR,
    base                     VARCHAR,
    primary_domain           VARCHAR,
    topic                    VARCHAR,
    impact                   VARCHAR,
    operational_criticality  VARCHAR,
    time_horizon             VARCHAR,
    confidence               DOUBLE NOT NULL,
    grade                    VARCHAR NOT NULL,
    grade_label              VARCHAR NOT NULL,
    score_components         JSON,
    source_count             INTEGER NOT NULL,
    independent_source_count INTEGER NOT NULL,
    sources_phrase           VARCHAR,
    key_points               JSON,
    what_happened            JSON,
    what_to_watch            JSON,
    relationships            JSON,
    places                   JSON,
    evidence                 JSON,
    first_seen               TIMESTAMPTZ,
    last_seen                TIMESTAMPTZ,
    content_hash             VARCHAR NOT NULL,
    models_version           VARCHAR,
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ NOT NULL,
    reviewer                 VARCHAR,
    reviewed_at              TIMESTAMPTZ,
    note                     VARCHAR,
    PRIMARY KEY (entity_id, revision)
);

CREATE TABLE review_events (
    id        VARCHAR PRIMARY KEY,
    occurred_at TIMESTAMPTZ NOT NULL,
    reviewer  VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,
    entity_id VARCHAR,
    revision  INTEGER,
    before    JSON,
    after     JSON,
    note      VARCHAR
);

CREATE TABLE runs (
    id          VARCHAR PRIMARY KEY,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,   -- running | completed | failed
    duration_s  DOUBLE,
    counts      JSON,
    durations   JSON,
    failures    JSON,
    warnings    JSON
);
