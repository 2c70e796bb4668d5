-- How officers sign in to the inbox. Kept apart from officers, which station
-- files overwrite when they are loaded again: a reseed must not touch passwords.

CREATE TABLE officer_logins (
  officer_id text PRIMARY KEY REFERENCES officers(id),
  username text NOT NULL UNIQUE CHECK (username = lower(username) AND length(username) BETWEEN 2 AND 64),
  password_hash text NOT NULL,
  disabled_at timestamptz,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);
