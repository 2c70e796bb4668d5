-- Whose weekly duty pattern an officer has: 'file' (the station YAML sets it on
-- every reseed) or 'api' (a supervisor changed it in the inbox, and a reseed
-- must not quietly put the old pattern back).
ALTER TABLE officers ADD COLUMN duty_source text NOT NULL DEFAULT 'file';

-- The roster page lists a station's current and future exceptions.
CREATE INDEX duty_exceptions_station ON duty_exceptions (station_id, ends_at);
