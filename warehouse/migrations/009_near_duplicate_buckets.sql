-- 009: the near-duplicate index kept in the warehouse. Each stored MinHash signature is cut
-- into 25 bands of 5 values (the bands datasketch's MinHashLSH picks for threshold 0.5 and
-- 128 permutations); a band's bucket is the first 60 bits of md5('<band>:<band bytes as
-- upper-case hex>'). A new article's candidates are the articles sharing a bucket with it,
-- found by a join, so a batch no longer loads and indexes every signature ever stored
-- (which grew with the warehouse, in time and memory). dossier.ingest.dedupe.buckets
-- computes the same keys; tests/unit/test_dedupe.py checks that the two agree.
CREATE TABLE article_buckets (
    bucket     BIGINT NOT NULL,
    article_id VARCHAR NOT NULL
);

INSERT INTO article_buckets
SELECT ('0x' || substring(md5(b.band::VARCHAR || ':' || substring(hex(a.minhash), b.band * 40 + 1, 40)), 1, 15))::BIGINT,
       a.id
FROM articles a CROSS JOIN range(25) AS b(band)
WHERE a.status = 'ok' AND a.minhash IS NOT NULL AND octet_length(a.minhash) = 512;
