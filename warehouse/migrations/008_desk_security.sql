-- 008: review desk security (issue 8). Sign-in attempts are kept (never deleted): they drive
-- the rate limit and are the record of who tried what from where. A user's session_version
-- is carried in the session cookie; signing out bumps it, which ends every session issued
-- before, even a copied cookie that is still validly signed.
ALTER TABLE users ADD COLUMN session_version INTEGER DEFAULT 0;

CREATE TABLE login_attempts (
    attempted_at TIMESTAMPTZ NOT NULL,
    username     VARCHAR NOT NULL,   -- as typed (cut to 200 characters); may name no user
    client       VARCHAR NOT NULL,   -- the client's address as the desk saw it
    outcome      VARCHAR NOT NULL    -- ok | failed | throttled
);
CREATE INDEX login_attempts_username ON login_attempts (username);
CREATE INDEX login_attempts_client ON login_attempts (client);
