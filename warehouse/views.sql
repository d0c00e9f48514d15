-- Public, documented views (warehouse/README.md). Recreated on every writer connection;
-- tables may change through migrations, these columns stay.
CREATE OR REPLACE VIEW v_profiles_current AS
SELECT c.entity_id, c.name, c.aliases, c.type, c.category, c.region, c.primary_domain, c.confidence, c.grade,
       c.grade_label, c.source_count, c.independent_source_count, c.status, c.revision, c.updated_at,
       e.known_id, e.ticker, e.isin, e.wikipedia_url
FROM (
    SELECT p.*,
           row_number() OVER (
               PARTITION BY entity_id
               ORDER BY (status = 'approved') DESC, revision DESC
           ) AS pick
    FROM profiles p
    WHERE status IN ('approved', 'draft')
) c
LEFT JOIN entities e ON e.id = c.entity_id
WHERE c.pick = 1;

CREATE OR REPLACE VIEW v_claims AS
SELECT c.id AS claim_id,
       s.name AS subject,
       c.type,
       coalesce(o.name, c.object_text) AS object,
       c.polarity,
       c.modality,
       c.evidence,
       a.canonical_url AS article_url,
       a.published AS published_at,
       coalesce(c.confidence, c.extractor_confidence) AS confidence,
       -- The latest reviewer's verdict on this claim or a copy of it (same subject, type and
       -- object, with the same normalised sentence or in another article of its story cluster;
       -- docs/review.md); the reviewed copy re-opens when its own sentence changes (else NULL).
       -- dossier.store.reviews spells the same rule.
       (SELECT v.verdict FROM (
            SELECT r.verdict, r.created_at, r.id FROM claim_reviews r WHERE r.claim_id = c.id AND r.evidence_hash = sha256(c.evidence)
            UNION ALL
            SELECT r.verdict, r.created_at, r.id FROM claim_reviews r WHERE r.subject_id = c.subject_id AND r.claim_type = c.type
                AND r.object_key = coalesce(c.object_id, lower(trim(c.object_text)), '')
                AND r.sentence_key = sha256(trim(regexp_replace(lower(c.evidence), '[^\pL\pN]+', ' ', 'g')))
            UNION ALL
            SELECT r.verdict, r.created_at, r.id FROM claim_reviews r WHERE r.subject_id = c.subject_id AND r.claim_type = c.type
                AND r.object_key = coalesce(c.object_id, lower(trim(c.object_text)), '')
                AND r.cluster_id = coalesce(a.cluster_id, a.id) AND r.article_id <> c.article_id
        ) v ORDER BY v.created_at DESC, v.id DESC LIMIT 1) AS review_verdict,
       c.attributed_to
FROM claims c
JOIN entities s ON s.id = c.subject_id
LEFT JOIN entities o ON o.id = c.object_id
JOIN articles a ON a.id = c.article_id;

CREATE OR REPLACE VIEW v_entity_timeline AS
SELECT m.entity_id, e.name, a.id AS article_id, a.title, a.canonical_url AS article_url,
       coalesce(a.published, a.fetched) AS occurred_at, count(*) AS mentions
FROM mentions m
JOIN entities e ON e.id = m.entity_id
JOIN articles a ON a.id = m.article_id
GROUP BY ALL;

CREATE OR REPLACE VIEW v_alerts AS
SELECT a.id AS alert_id,
       a.kind,
       a.entity_id,
       e.name AS organisation,
       a.claim_id,
       a.summary,
       a.watch_ids,
       a.run_id,
       a.created_at,
       CASE WHEN a.delivered_at IS NOT NULL THEN 'delivered'
            WHEN a.attempts > 0 THEN 'failed'
            ELSE 'pending' END AS delivery,
       a.attempts,
       a.last_error,
       a.delivered_at
FROM alerts a
LEFT JOIN entities e ON e.id = a.entity_id;

CREATE OR REPLACE VIEW v_articles AS
SELECT a.id AS article_id,
       a.canonical_url AS article_url,
       a.title,
       a.publisher,
       a.feed_url,
       coalesce(a.published, a.fetched) AS published_at,
       a.status,
       coalesce(a.limited, false) AS limited,
       a.limited_reason,
       coalesce(a.cluster_id, a.id) AS story_id,
       a.models_version
FROM articles a;

CREATE OR REPLACE VIEW v_review_events AS
SELECT r.id AS event_id,
       r.occurred_at,
       r.reviewer,
       r.action,
       r.entity_id,
       e.name AS organisation,
       r.revision,
       r.note
FROM review_events r
LEFT JOIN entities e ON e.id = r.entity_id;

CREATE OR REPLACE VIEW v_profile_revisions AS
SELECT p.entity_id,
       e.name,
       p.revision,
       p.status,
       p.confidence,
       p.grade,
       p.grade_label,
       p.created_at,
       p.updated_at
FROM profiles p
LEFT JOIN entities e ON e.id = p.entity_id;
