-- Routing counts each candidate officer's open cases on every new case; a
-- partial index over open cases only keeps that cheap however many closed
-- cases pile up over the years.
CREATE INDEX cases_open_by_assignee ON cases (assignee_officer_id)
  WHERE status IN ('new', 'assigned', 'in_progress', 'awaiting_resident');
