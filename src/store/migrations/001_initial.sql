-- The system of record for the inbound path: who the station is, who lives
-- where, and every message and case. Ids are text so that ids derived from
-- platform message ids (for de-duplication) and generated ones share a type.

CREATE TABLE stations (
  id text PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  name_en text,
  time_zone text NOT NULL,
  desk_name text NOT NULL,
  desk_name_en text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE officers (
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations(id),
  badge text NOT NULL,
  name text NOT NULL,
  name_en text,
  role text NOT NULL DEFAULT 'officer',
  capacity integer NOT NULL DEFAULT 30,
  duty jsonb NOT NULL DEFAULT '[]',
  team text,
  active boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (station_id, badge)
);

CREATE TABLE beats (
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations(id),
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  name_en text,
  primary_officer_id text REFERENCES officers(id),
  backup_officer_id text REFERENCES officers(id),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE compounds (
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations(id),
  beat_id text NOT NULL REFERENCES beats(id),
  name text NOT NULL,
  aliases jsonb NOT NULL DEFAULT '[]',
  pinyin jsonb NOT NULL DEFAULT '[]',
  streets jsonb NOT NULL DEFAULT '[]',
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (station_id, name)
);

CREATE TABLE bot_accounts (
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations(id),
  kind text NOT NULL,
  owner_officer_id text REFERENCES officers(id),
  puppet text NOT NULL,
  token_env text,
  groups jsonb NOT NULL DEFAULT '[]',
  rate_per_minute integer NOT NULL DEFAULT 60,
  daily_cap integer NOT NULL DEFAULT 500,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE residents (
  id text PRIMARY KEY,
  code text NOT NULL UNIQUE,
  display_name text,
  language text NOT NULL DEFAULT 'zh',
  compound_id text REFERENCES compounds(id),
  beat_id text REFERENCES beats(id),
  tags jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE channel_identities (
  id text PRIMARY KEY,
  resident_id text NOT NULL REFERENCES residents(id),
  channel text NOT NULL,
  account_id text NOT NULL,
  contact_ref text NOT NULL,
  group_ref text,
  display_name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel, account_id, contact_ref)
);
CREATE INDEX channel_identities_resident ON channel_identities (resident_id);

CREATE TABLE web_chat_sessions (
  id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  station_id text NOT NULL REFERENCES stations(id),
  display_name text,
  language text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);

-- Case numbers count per station and year (CQ-2026-000123).
CREATE TABLE case_counters (
  station_id text NOT NULL REFERENCES stations(id),
  year integer NOT NULL,
  last_value integer NOT NULL,
  PRIMARY KEY (station_id, year)
);

CREATE TABLE cases (
  id text PRIMARY KEY,
  number text NOT NULL UNIQUE,
  station_id text NOT NULL REFERENCES stations(id),
  resident_id text NOT NULL REFERENCES residents(id),
  identity_id text NOT NULL REFERENCES channel_identities(id),
  beat_id text REFERENCES beats(id),
  category text NOT NULL,
  priority text NOT NULL,
  status text NOT NULL,
  assignee_officer_id text REFERENCES officers(id),
  queue text NOT NULL,
  awaiting_address boolean NOT NULL DEFAULT false,
  address_attempts integer NOT NULL DEFAULT 0,
  opened_at timestamptz NOT NULL DEFAULT now(),
  first_response_due_at timestamptz,
  first_responded_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  last_message_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- At most one open case per resident: concurrent messages cannot open two.
CREATE UNIQUE INDEX cases_one_open_per_resident ON cases (resident_id)
  WHERE status IN ('new', 'assigned', 'in_progress', 'awaiting_resident');
CREATE INDEX cases_queue_open ON cases (queue, status, first_response_due_at);
CREATE INDEX cases_station_status ON cases (station_id, status, last_message_at DESC);

CREATE TABLE messages (
  id text PRIMARY KEY,
  case_id text REFERENCES cases(id),
  resident_id text NOT NULL REFERENCES residents(id),
  identity_id text REFERENCES channel_identities(id),
  direction text NOT NULL,
  channel text NOT NULL,
  account_id text NOT NULL,
  external_id text,
  in_reply_to text,
  kind text NOT NULL DEFAULT 'text',
  text text,
  media jsonb,
  delivery_state text NOT NULL,
  failure_reason text,
  attempts integer NOT NULL DEFAULT 0,
  author_officer_id text REFERENCES officers(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (channel, account_id, external_id)
);
CREATE INDEX messages_case ON messages (case_id, created_at);
CREATE INDEX messages_resident ON messages (resident_id, created_at);
CREATE INDEX messages_in_reply_to ON messages (in_reply_to) WHERE in_reply_to IS NOT NULL;

-- Inbound events as the adapters received them, kept until the worker has
-- stored them as messages: the queue job carries only this row's id.
CREATE TABLE inbound_events (
  id text PRIMARY KEY,
  channel text NOT NULL,
  account_id text NOT NULL,
  external_id text NOT NULL,
  payload jsonb,
  status text NOT NULL DEFAULT 'pending',
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz
);
CREATE INDEX inbound_events_pending ON inbound_events (received_at) WHERE status = 'pending';

-- Platform events that could not be understood: parked for a person to look at.
CREATE TABLE parked_events (
  id text PRIMARY KEY,
  channel text NOT NULL,
  account_id text NOT NULL,
  reason text NOT NULL,
  detail jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_events (
  id text PRIMARY KEY,
  station_id text REFERENCES stations(id),
  actor text NOT NULL,
  action text NOT NULL,
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  detail jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, at);
