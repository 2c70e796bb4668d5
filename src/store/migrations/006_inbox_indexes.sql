-- The inbox lists open cases in the order of what is due. Without an index in
-- that order, PostgreSQL reads every open case the officer may see, joins each
-- to its resident (hashing the whole residents table), sorts, and only then
-- keeps the first page: 50-130 ms a list with 3,000 open cases and 45,000
-- residents. In this order it reads the first page's worth of open cases and
-- stops (about 1 ms).
--
-- The second column must stay the very expression the list sorts by
-- (dueSort in src/store/case-query.repository.ts, with its far-future
-- stand-in for "nothing due"), or the planner will not use the index.
CREATE INDEX cases_open_due ON cases (
  station_id,
  (COALESCE(CASE WHEN first_responded_at IS NULL THEN first_response_due_at END, '9999-12-31T00:00:00Z'::timestamptz)),
  last_message_at DESC,
  id
) WHERE status IN ('new', 'assigned', 'in_progress', 'awaiting_resident');
