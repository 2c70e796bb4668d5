-- Officers hear of new cases on their own WeChat: which bot account writes to
-- them and their contact id as that account sees it. No foreign key on the
-- account: officers and bot accounts refer to each other (an account's owner),
-- so the station file checks the reference instead.

ALTER TABLE officers ADD COLUMN notify_account_id text;
ALTER TABLE officers ADD COLUMN notify_contact_ref text;

-- One row per notice, with where it was sent at the time: the officer's
-- settings may change later without rewriting what was delivered.
CREATE TABLE officer_notices (
  id text PRIMARY KEY,
  officer_id text NOT NULL REFERENCES officers(id),
  case_id text NOT NULL REFERENCES cases(id),
  account_id text NOT NULL,
  contact_ref text NOT NULL,
  text text NOT NULL,
  delivery_state text NOT NULL DEFAULT 'queued',
  failure_reason text,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX officer_notices_case ON officer_notices (case_id, delivery_state);
