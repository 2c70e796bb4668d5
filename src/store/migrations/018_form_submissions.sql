-- A resident's confirmed service-request form, written in the transaction that
-- stores their confirming message and removed once it has become a request.
-- A process that dies between that commit and the submission leaves the row
-- behind, and the service-timer worker's sweep submits it (submission is
-- idempotent on the submission id). The form is sealed with DATA_KEY as a
-- whole: it may hold an ID or passport number.
CREATE TABLE form_submissions (
  -- The submission id: the confirming message's id.
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations(id),
  resident_id text NOT NULL REFERENCES residents(id),
  identity_id text NOT NULL REFERENCES channel_identities(id),
  sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX form_submissions_by_age ON form_submissions (created_at);
