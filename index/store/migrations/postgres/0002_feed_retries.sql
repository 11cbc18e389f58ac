-- Feeds keep trying (see the SQLite migration 0006): failed entries are tried again later, and
-- a feed's validators make polling an unchanged feed one small request.
ALTER TABLE feed_entries ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feed_entries ADD COLUMN retry_at TEXT;
ALTER TABLE feeds ADD COLUMN etag TEXT;
ALTER TABLE feeds ADD COLUMN last_modified TEXT;
UPDATE feed_entries SET attempts = 1, retry_at = seen_at
WHERE article_id IS NULL AND error IS NOT NULL;
