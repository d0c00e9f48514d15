-- 004: MinHash signatures of article texts, so syndicated copies share a cluster (cluster_id).
ALTER TABLE articles ADD COLUMN minhash BLOB;
