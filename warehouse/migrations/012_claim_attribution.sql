-- 012: who a claim is attributed to ("X said", "according to X", ", its chief executive told
-- reporters"): an organisation's canonical name or a person as written, NULL when the article
-- states the claim itself. Kept as text, not an entity id, because the speaker is often a
-- person, and a news agency that reports is the claim's source, not a party to it. Claims
-- stored before this migration keep NULL until their article is extracted again.
ALTER TABLE claims ADD COLUMN attributed_to VARCHAR;
