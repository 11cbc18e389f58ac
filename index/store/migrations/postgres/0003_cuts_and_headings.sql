-- Where a passage's sentences were cut and which heading it is under (see the SQLite migration
-- 0006): one byte a sentence in `cuts` (NULL when none is cut), the heading's text as article
-- offsets (NULL when the passage is under none).
ALTER TABLE passages ADD COLUMN cuts BYTEA;
ALTER TABLE passages ADD COLUMN heading_start INTEGER;
ALTER TABLE passages ADD COLUMN heading_end INTEGER;
