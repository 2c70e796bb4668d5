-- Station safety broadcasts and their deliveries.

-- One notice: what it says, whom it targets, who wrote and approved it, and
-- where it stands. The text lives here once; deliveries only point to it.
CREATE TABLE broadcasts (
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations(id),
  author_officer_id text NOT NULL REFERENCES officers(id),
  title text NOT NULL,
  text_zh text NOT NULL,
  text_en text,
  image_url text,
  link_url text,
  category text NOT NULL,
  -- { station, beatIds, compoundIds, tags, groups: [{ accountId, name }] }
  targets jsonb NOT NULL,
  -- Null: as soon as it may go (at once, or on approval).
  send_at timestamptz,
  state text NOT NULL CHECK (state IN (
    'pending_approval', 'rejected', 'scheduled', 'sending', 'paused', 'completed', 'cancelled')),
  -- Why it needed approval: 'station_wide' or 'over_threshold'; null when it did not.
  approval_reason text,
  decided_by text REFERENCES officers(id),
  decided_at timestamptz,
  decision_note text,
  -- Residents and groups the preview counted when it was composed.
  estimated_residents integer NOT NULL,
  estimated_groups integer NOT NULL,
  planned_at timestamptz,
  started_at timestamptz,
  paused_at timestamptz,
  paused_by text,
  finished_at timestamptz,
  cancelled_by text,
  -- The last counts the worker saw ({ planned, sent, failed, ... , etaSeconds, at }), for lists and reports.
  progress jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX broadcasts_station ON broadcasts (station_id, created_at DESC);
-- The broadcast worker looks at these every tick; finished ones drop out of it.
CREATE INDEX broadcasts_active ON broadcasts (state)
  WHERE state IN ('scheduled', 'sending', 'paused') OR (state = 'cancelled' AND finished_at IS NULL);

-- One row per recipient (a resident, or a group as a whole): unique per
-- broadcast, so planning twice adds nothing. A bigint key keeps 100,000 rows
-- and their indexes small; the BullMQ job id is bd-<id>-<feeds>.
CREATE TABLE broadcast_deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  broadcast_id text NOT NULL REFERENCES broadcasts(id),
  -- The resident's id, or g/<account>/<group> for a group.
  recipient text NOT NULL,
  resident_id text REFERENCES residents(id),
  identity_id text REFERENCES channel_identities(id),
  account_id text,
  group_name text,
  language text NOT NULL,
  state text NOT NULL CHECK (state IN (
    'pending', 'sending', 'sent', 'failed', 'skipped', 'unconfirmed', 'cancelled')),
  -- Why nobody was sent anything: 'opted_out', 'no_contact'.
  skip_reason text,
  failure_reason text,
  attempts integer NOT NULL DEFAULT 0,
  -- Handed to the account's outbound queue (and how often): the job id carries the count.
  queued_at timestamptz,
  feeds integer NOT NULL DEFAULT 0,
  -- Set by the worker that took it just before it sends; a send is confirmed by sent_at.
  claim_token text,
  claimed_at timestamptz,
  -- The instant the account's pace granted the send (the platform call follows at once).
  send_started_at timestamptz,
  sent_at timestamptz,
  -- The platform's id of the sent message, where the channel reports one.
  external_id text,
  UNIQUE (broadcast_id, recipient)
);
-- What the worker hands out next, per account, in plan order.
CREATE INDEX broadcast_deliveries_unfed ON broadcast_deliveries (broadcast_id, account_id, id)
  WHERE state = 'pending' AND queued_at IS NULL;
-- Handed out and not yet taken: how far ahead each account's queue is fed.
CREATE INDEX broadcast_deliveries_fed ON broadcast_deliveries (account_id)
  WHERE state = 'pending' AND queued_at IS NOT NULL;
-- Claims whose worker may have died.
CREATE INDEX broadcast_deliveries_sending ON broadcast_deliveries (claimed_at) WHERE state = 'sending';
-- Progress counts and the report's failures.
CREATE INDEX broadcast_deliveries_state ON broadcast_deliveries (broadcast_id, state);
-- Which broadcast a resident's reply answers.
CREATE INDEX broadcast_deliveries_received ON broadcast_deliveries (resident_id, sent_at)
  WHERE state = 'sent';

-- An account of one broadcast stopped on its own (logged out), while the rest goes on.
CREATE TABLE broadcast_account_pauses (
  broadcast_id text NOT NULL REFERENCES broadcasts(id),
  account_id text NOT NULL,
  reason text NOT NULL,
  paused_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (broadcast_id, account_id)
);

-- A resident's reply to a broadcast opens a case like any message; this says which notice it answered.
ALTER TABLE cases ADD COLUMN broadcast_id text REFERENCES broadcasts(id);
