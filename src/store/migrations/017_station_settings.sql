-- Station settings from the station file. Holiday home watch times (`homeWatch`),
-- as minutes of the day in the station's time zone: the officer's daily reminder,
-- the deadline after which a day without a check is escalated, and the summary on
-- the return day. The defaults are the times the service used before they were
-- settings (09:00, 21:00, 10:00), so stations loaded earlier keep them.
ALTER TABLE stations
  ADD COLUMN home_watch_remind_minute integer NOT NULL DEFAULT 540,
  ADD COLUMN home_watch_escalate_minute integer NOT NULL DEFAULT 1260,
  ADD COLUMN home_watch_summary_minute integer NOT NULL DEFAULT 600,
  ADD CONSTRAINT stations_home_watch_times CHECK (
    home_watch_remind_minute BETWEEN 0 AND 1439
    AND home_watch_escalate_minute BETWEEN 0 AND 1439
    AND home_watch_summary_minute BETWEEN 0 AND 1439
    AND home_watch_escalate_minute > home_watch_remind_minute
  );
