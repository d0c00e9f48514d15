-- 017: a claim verdict is about the claim, not one copy of it. Besides the claim it was given
-- on, a verdict row keeps what makes another claim the same one: its subject, type and object
-- (object_key: the object organisation's id, else its text in lower case) with the evidence
-- sentence normalised (sentence_key: sha256 of the sentence in lower case, every run of
-- characters other than letters and digits made one space, trimmed), and the story cluster of
-- the reviewed article (cluster_id, article_id). A claim with the same subject, type and object
-- takes the verdict when its sentence has the same key, or when its article is another copy
-- in the same near-duplicate cluster (docs/review.md, "The same claim"). The reviewed copy
-- itself re-opens when its sentence changes, as before. Verdicts given before this migration
-- take the keys of their claim where its sentence is still the one reviewed; a verdict whose
-- claim is gone or whose sentence changed keeps NULL keys and applies by claim id and
-- evidence hash only (as it did).
ALTER TABLE claim_reviews ADD COLUMN subject_id VARCHAR;
ALTER TABLE claim_reviews ADD COLUMN claim_type VARCHAR;
ALTER TABLE claim_reviews ADD COLUMN object_key VARCHAR;
ALTER TABLE claim_reviews ADD COLUMN sentence_key VARCHAR;
ALTER TABLE claim_reviews ADD COLUMN article_id VARCHAR;
ALTER TABLE claim_reviews ADD COLUMN cluster_id VARCHAR;

UPDATE claim_reviews SET
    subject_id = k.subject_id, claim_type = k.type, object_key = k.object_key,
    sentence_key = k.sentence_key, article_id = k.article_id, cluster_id = k.cluster_id
FROM (
    SELECT c.id, sha256(c.evidence) AS evidence_hash, c.subject_id, c.type, coalesce(c.object_id, lower(trim(c.object_text)), '') AS object_key,
           sha256(trim(regexp_replace(lower(c.evidence), '[^\pL\pN]+', ' ', 'g'))) AS sentence_key,
           c.article_id, coalesce(a.cluster_id, a.id) AS cluster_id
    FROM claims c JOIN articles a ON a.id = c.article_id
) k
WHERE claim_reviews.claim_id = k.id AND claim_reviews.evidence_hash = k.evidence_hash;
