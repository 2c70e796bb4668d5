-- Residence-permit appointments (居住证): residents book a slot at the
-- community police office by chat or on the web chat page. A booking is a
-- service request (kind 'residence-permit') with its case; the place it takes
-- is a row here.

-- A station's opening hours for appointments, from its station file: slots are
-- made from it for the days ahead as the days come (`ensured_through`, the last
-- local day made so far).
CREATE TABLE permit_slot_plans (
  station_id text PRIMARY KEY REFERENCES stations(id),
  -- { hours: ["mon-fri 09:00-11:30"], minutes, capacity, daysAhead }
  plan jsonb NOT NULL,
  ensured_through text CHECK (ensured_through ~ '^\d{4}-\d{2}-\d{2}$'),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One time at the office and how many residents it takes. The id is made from
-- the station and the start, so the plan and a supervisor name the same slot.
-- A removed slot is only closed: the plan must not make it again.
CREATE TABLE permit_slots (
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations(id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
  capacity integer NOT NULL CHECK (capacity >= 0),
  -- 'file' (made from the plan) or 'api' (a supervisor's): a reseed replaces only the first.
  source text NOT NULL CHECK (source IN ('file', 'api')),
  closed_at timestamptz,
  updated_by text REFERENCES officers(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (station_id, starts_at)
);
CREATE INDEX permit_slots_open ON permit_slots (station_id, starts_at) WHERE closed_at IS NULL;

-- The place a request holds. Booking locks the slot row and counts the places
-- taken in the same transaction, so the last place goes to one resident only.
-- `moves` counts changes of slot: the reminder's timer id carries it, so a
-- move back to an earlier slot still gets its reminder.
CREATE TABLE permit_appointments (
  request_id text PRIMARY KEY REFERENCES service_requests(id),
  station_id text NOT NULL REFERENCES stations(id),
  resident_id text NOT NULL REFERENCES residents(id),
  slot_id text NOT NULL REFERENCES permit_slots(id),
  state text NOT NULL DEFAULT 'booked' CHECK (state IN ('booked', 'attended', 'no_show', 'cancelled')),
  moves integer NOT NULL DEFAULT 0,
  marked_by text REFERENCES officers(id),
  marked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Places taken: every appointment but a cancelled one (a no-show still held its place).
CREATE INDEX permit_appointments_slot ON permit_appointments (slot_id) WHERE state <> 'cancelled';
-- A resident's booking still to come (one at a time; checked under the resident's lock,
-- since one whose time passed unmarked must not stop the next).
CREATE INDEX permit_appointments_resident ON permit_appointments (resident_id) WHERE state = 'booked';
