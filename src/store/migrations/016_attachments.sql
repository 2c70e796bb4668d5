-- Pictures officers upload (a broadcast's image, a home-watch photo), kept in
-- the database itself: at a few MB each and a few a day per station, one
-- backup and one access rule (the uploader's station) beat a second store.
-- The bytes never change once written; `sha256` is their ETag.
CREATE TABLE attachments (
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations(id),
  uploaded_by text NOT NULL REFERENCES officers(id),
  mime text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp', 'image/gif')),
  size_bytes integer NOT NULL CHECK (size_bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_station ON attachments (station_id, created_at);

-- The picture a broadcast sends with its text (image_url stays: a link line).
ALTER TABLE broadcasts ADD COLUMN image_attachment_id text REFERENCES attachments(id);

-- The picture a message to a resident carries; the web chat serves it to the
-- resident only through such a message.
ALTER TABLE messages ADD COLUMN attachment_id text REFERENCES attachments(id);
CREATE INDEX messages_attachment ON messages (attachment_id) WHERE attachment_id IS NOT NULL;

-- The photo of a home-watch visit; photo_ref stays for references recorded before.
ALTER TABLE home_watch_checks ADD COLUMN photo_attachment_id text REFERENCES attachments(id);
