-- Dispute mediation (矛盾纠纷调解): a mediation hangs from a service request
-- (kind 'mediation'), whose case is either one a resident opened with the
-- chat form (category 'mediation') or a dispute case an officer turned into a
-- mediation. Its reminders are service_request_timers rows (ids 'md-…').

-- A mediation asked for by chat runs beside the resident's conversation, like
-- the other service requests (see migration 012).
DROP INDEX cases_one_open_per_resident;
CREATE UNIQUE INDEX cases_one_open_per_resident ON cases (resident_id)
  WHERE status IN ('new', 'assigned', 'in_progress', 'awaiting_resident')
    AND category NOT IN ('home_watch', 'rental_registration', 'residence_permit', 'mediation');

CREATE TABLE mediations (
  request_id text PRIMARY KEY REFERENCES service_requests(id),
  station_id text NOT NULL REFERENCES stations(id),
  case_id text NOT NULL UNIQUE REFERENCES cases(id),
  subject text NOT NULL,
  preferred_times text,
  source text NOT NULL CHECK (source IN ('chat', 'officer')),
  -- One officer, or the station's mediation team (officers.team), or nobody named yet.
  mediator_officer_id text REFERENCES officers(id),
  mediator_team text,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'settled', 'not_settled')),
  opened_at timestamptz NOT NULL,
  concluded_at timestamptz,
  concluded_by text REFERENCES officers(id),
  agreement_terms text,
  next_step text CHECK (next_step IN ('committee', 'court', 'police')),
  outcome_note text,
  follow_up_due_at timestamptz,
  follow_up_at timestamptz,
  follow_up_by text REFERENCES officers(id),
  follow_up_result text CHECK (follow_up_result IN ('kept', 'partly_kept', 'broken')),
  follow_up_note text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (mediator_officer_id IS NULL OR mediator_team IS NULL),
  CHECK ((state = 'open') = (concluded_at IS NULL)),
  CHECK ((state = 'settled') = (agreement_terms IS NOT NULL)),
  CHECK ((state = 'not_settled') = (next_step IS NOT NULL))
);
-- Reports count mediations opened and concluded in a period, per station.
CREATE INDEX mediations_opened ON mediations (station_id, opened_at);
CREATE INDEX mediations_concluded ON mediations (station_id, concluded_at) WHERE concluded_at IS NOT NULL;

-- Parties are people, not necessarily residents the service can write to:
-- a name and phone are enough; `resident_id` links one who is.
CREATE TABLE mediation_parties (
  id text PRIMARY KEY,
  request_id text NOT NULL REFERENCES mediations(request_id),
  resident_id text REFERENCES residents(id),
  name text NOT NULL,
  phone text,
  role text NOT NULL CHECK (role IN ('applicant', 'respondent', 'other')),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The order parties were added in, whatever the clocks said.
  seq bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX mediation_parties_request ON mediation_parties (request_id);
CREATE UNIQUE INDEX mediation_parties_one_resident ON mediation_parties (request_id, resident_id)
  WHERE resident_id IS NOT NULL;

CREATE TABLE mediation_sessions (
  id text PRIMARY KEY,
  request_id text NOT NULL REFERENCES mediations(request_id),
  starts_at timestamptz NOT NULL,
  place text NOT NULL,
  note text,
  state text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'cancelled')),
  cancel_reason text,
  cancelled_at timestamptz,
  created_by text NOT NULL REFERENCES officers(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mediation_sessions_request ON mediation_sessions (request_id, starts_at);
