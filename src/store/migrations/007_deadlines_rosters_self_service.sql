-- Deadlines, after-care, duty rosters and resident self-service.

-- Every timer a case has had: reminders, escalations, re-routes and after-care.
-- The id is deterministic (case, kind, case version) and is also the BullMQ job
-- id, so scheduling twice is harmless; `state` moves once from scheduled to
-- fired or cancelled, which is what keeps a timer from acting twice when a
-- worker dies between acting and acknowledging its job.
CREATE TABLE case_timers (
  id text PRIMARY KEY,
  case_id text NOT NULL REFERENCES cases(id),
  kind text NOT NULL,
  case_version integer NOT NULL,
  due_at timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'scheduled',
  fired_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_timers_case ON case_timers (case_id, state);
CREATE INDEX case_timers_scheduled ON case_timers (due_at) WHERE state = 'scheduled';

-- 1 after a missed first response (escalated to backup and desk), 2 after a re-route.
ALTER TABLE cases ADD COLUMN escalation_level integer NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN resolution_due_at timestamptz;
-- When the case last went to awaiting_resident (after-care counts from here).
ALTER TABLE cases ADD COLUMN awaiting_since timestamptz;
ALTER TABLE cases ADD COLUMN rating_asked_at timestamptz;
ALTER TABLE cases ADD COLUMN satisfaction smallint CHECK (satisfaction BETWEEN 1 AND 5);
ALTER TABLE cases ADD COLUMN rated_at timestamptz;
-- Set when the resident withdrew the request by chat; the officer sees why.
ALTER TABLE cases ADD COLUMN cancel_reason text;

-- Exceptions to an officer's weekly duty pattern: leave, sick, a swapped shift.
-- on_duty says which way the exception goes (a swap-in puts them on duty).
CREATE TABLE duty_exceptions (
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations(id),
  officer_id text NOT NULL REFERENCES officers(id),
  kind text NOT NULL CHECK (kind IN ('leave', 'sick', 'swap_off', 'swap_on', 'training')),
  on_duty boolean NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
  note text,
  source text NOT NULL DEFAULT 'api',
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX duty_exceptions_officer ON duty_exceptions (officer_id, ends_at);

-- Broadcast categories a resident opted out of (absent row: subscribed).
CREATE TABLE resident_opt_outs (
  resident_id text NOT NULL REFERENCES residents(id),
  category text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (resident_id, category)
);
