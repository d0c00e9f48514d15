-- 014: identity judgements are reversible. A merge or split records each row it moves (table,
-- row, column, value before, value after), so an un-merge or un-split puts exactly those rows
-- back; nothing is deleted. A split keeps the match key of the alias it split off, so runs
-- apply it without computing the key again (split rows written before this migration take
-- the key of the alias row the split moved, which carries it).
ALTER TABLE judgements ADD COLUMN other_key VARCHAR;
UPDATE judgements SET other_key = coalesce(
    (SELECT min(a.alias_key) FROM aliases a WHERE a.alias = judgements.other AND a.learned = 'reviewer'),
    lower(judgements.other))
WHERE kind = 'split';
CREATE TABLE judgement_moves (
    judgement_id VARCHAR NOT NULL,
    table_name   VARCHAR NOT NULL,  -- mentions | claims | ties | aliases | profiles
    row_key      VARCHAR NOT NULL,  -- the row's id; aliases: the alias; profiles: entity_id/revision
    column_name  VARCHAR NOT NULL,
    old_value    VARCHAR,
    new_value    VARCHAR
);
CREATE INDEX judgement_moves_judgement ON judgement_moves (judgement_id);
