-- Resident self-service: what the chat last asked the resident, so a short
-- answer ("2", "确认") can be read against it by whichever worker gets it.
-- One row per resident; a new question replaces the old one. The row is only
-- believed while nothing else was said in the conversation since (see
-- self-service.repository.ts), so stale rows are harmless.
CREATE TABLE resident_prompts (
  resident_id text PRIMARY KEY REFERENCES residents(id),
  kind text NOT NULL CHECK (kind IN ('menu', 'withdraw')),
  -- The case a withdrawal would close, and the resident's words after the command.
  case_id text REFERENCES cases(id),
  reason text,
  -- The inbound message that led to the question; our answers to it do not count as "since".
  message_id text NOT NULL,
  asked_at timestamptz NOT NULL
);
