-- Service requests: structured requests a resident makes by chat or on the
-- web chat page (src/domain/forms), each one a case of its own kind with the
-- finished form beside it.

-- A service request runs beside the resident's conversation: a two-week home
-- watch must not stop its family from reporting a noisy neighbour meanwhile.
-- So such cases do not take the resident's one open case. The kinds to come
-- (rental registration, residence permit) are listed now so their forms need
-- no new index.
DROP INDEX cases_one_open_per_resident;
CREATE UNIQUE INDEX cases_one_open_per_resident ON cases (resident_id)
  WHERE status IN ('new', 'assigned', 'in_progress', 'awaiting_resident')
    AND category NOT IN ('home_watch', 'rental_registration', 'residence_permit');

CREATE TABLE service_requests (
  id text PRIMARY KEY,
  -- The form it came from ('home-watch').
  kind text NOT NULL,
  station_id text NOT NULL REFERENCES stations(id),
  resident_id text NOT NULL REFERENCES residents(id),
  case_id text NOT NULL UNIQUE REFERENCES cases(id),
  -- The finished form as its zod schema accepted it; read only by officers of the station.
  answers jsonb NOT NULL,
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'ended', 'cancelled')),
  -- One request per submission however often it is retried: the confirming
  -- message's id, or the id the web form sent.
  submission_id text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  end_reason text
);
CREATE INDEX service_requests_active ON service_requests (resident_id, kind) WHERE state = 'active';

-- Each visit an officer records. `day` is the station's local day it counts
-- for, as text (YYYY-MM-DD): a date column would come back as a midnight in
-- the server's own zone.
CREATE TABLE home_watch_checks (
  id text PRIMARY KEY,
  request_id text NOT NULL REFERENCES service_requests(id),
  officer_id text NOT NULL REFERENCES officers(id),
  checked_at timestamptz NOT NULL,
  day text NOT NULL CHECK (day ~ '^\d{4}-\d{2}-\d{2}$'),
  result text NOT NULL CHECK (result IN ('secure', 'attention')),
  note text,
  photo_ref text,
  -- The message that told the resident.
  message_id text REFERENCES messages(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX home_watch_checks_request ON home_watch_checks (request_id, day);

-- A request's reminders, deadlines and end, as delayed jobs whose id is the
-- row's: `state` moves once from scheduled to fired or cancelled, in the
-- transaction that does the timer's work, so a replayed job does nothing.
CREATE TABLE service_request_timers (
  id text PRIMARY KEY,
  request_id text NOT NULL REFERENCES service_requests(id),
  kind text NOT NULL,
  day text NOT NULL CHECK (day ~ '^\d{4}-\d{2}-\d{2}$'),
  due_at timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'fired', 'cancelled')),
  fired_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_request_timers_request ON service_request_timers (request_id, state);
CREATE INDEX service_request_timers_scheduled ON service_request_timers (due_at) WHERE state = 'scheduled';
