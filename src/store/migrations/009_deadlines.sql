-- Deadlines: what a timer counts from and whom it concerns.

-- The moment a timer counts from (the first-response deadline, the start of
-- waiting for the resident, the resolution). A timer fires at most once per
-- case, kind and anchor, so a case version that changes for another reason
-- (a note, a category) never lets a reminder fire twice.
ALTER TABLE case_timers ADD COLUMN anchor_at timestamptz;
-- The officer the timer was planned for: a case handed to someone else gets
-- a fresh first-response deadline.
ALTER TABLE case_timers ADD COLUMN officer_id text;

-- The morning digest is a notice about no single case.
ALTER TABLE officer_notices ALTER COLUMN case_id DROP NOT NULL;
