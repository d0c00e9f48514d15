-- Crash safety (issue 8). Organisations whose evidence changed wait here until their draft
-- is refreshed. A batch queues them in the same transaction that writes its evidence, and
-- the refresh removes them in the transaction that writes their drafts, so a run killed
-- between the two leaves the work queued and the next run finishes it.
CREATE TABLE profile_refresh_queue (
    entity_id  VARCHAR PRIMARY KEY,
    queued_at  TIMESTAMPTZ NOT NULL,
    run_id     VARCHAR                 -- the run that queued it (informative)
);
