-- 006: feeds that keep failing are backed off; runs keep counts per stage and what was skipped.
-- A failing feed is not polled again before next_poll_after (NULL: polled on every run);
-- error_count (001) is its count of consecutive failures, reset by the next good poll.
ALTER TABLE feeds ADD COLUMN next_poll_after TIMESTAMPTZ;
ALTER TABLE feeds ADD COLUMN last_success TIMESTAMPTZ;  -- last poll answered with 200 or 304

-- counts per stage: {"feeds": {"polled": 5, ...}, "fetch": {...}, "text": {...}, "nlp": {...}, ...}
ALTER TABLE runs ADD COLUMN stage_counts JSON;
-- items deliberately left alone, each {stage, item, reason}: robots.txt refusals, backed-off feeds
ALTER TABLE runs ADD COLUMN skipped JSON;
-- articles.status gains 'skipped' (robots.txt): retried on the next run like a failure.
