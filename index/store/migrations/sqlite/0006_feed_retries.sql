-- Feeds keep trying: a failed entry is tried again later (`attempts` failed tries so far,
-- `retry_at` when it may be tried next; NULL once it is added or given up), and a feed's
-- validators (`etag`, `last_modified`) make polling an unchanged feed one small request.
ALTER TABLE feed_entries ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feed_entries ADD COLUMN retry_at TEXT;
ALTER TABLE feeds ADD COLUMN etag TEXT;
ALTER TABLE feeds ADD COLUMN last_modified TEXT;
-- Entries that failed before were dropped for good: they get a try at the next poll.
UPDATE feed_entries SET attempts = 1, retry_at = seen_at
WHERE article_id IS NULL AND error IS NOT NULL;
