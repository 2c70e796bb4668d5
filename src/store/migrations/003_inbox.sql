-- The officer inbox: escalation marks, canned replies, and indexes for the
-- case list (sorted by what is due) and for a resident's earlier cases.

ALTER TABLE cases ADD COLUMN escalated boolean NOT NULL DEFAULT false;
ALTER TABLE cases ADD COLUMN escalated_at timestamptz;

CREATE INDEX cases_station_assignee ON cases (station_id, assignee_officer_id, status);
CREATE INDEX cases_station_beat ON cases (station_id, beat_id, status);
CREATE INDEX cases_resident ON cases (resident_id, opened_at DESC);

CREATE TABLE canned_replies (
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations(id),
  shortcut text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  language text NOT NULL DEFAULT 'zh',
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (station_id, shortcut, language)
);

CREATE INDEX audit_events_station ON audit_events (station_id, at DESC);
