-- Each passage's text (and its heading's) stored with it, as in the SQLite migration 0010, so
-- that reading a question's candidates reads no article's text. NULL where a passage was
-- stored without them (the reader falls back to the article's text).
ALTER TABLE passages ADD COLUMN text TEXT;
ALTER TABLE passages ADD COLUMN heading TEXT;
UPDATE passages SET
    text = (SELECT substr(a.text, passages.start + 1, passages."end" - passages.start)
            FROM articles a WHERE a.id = passages.article_id),
    heading = CASE WHEN heading_start IS NOT NULL THEN
        (SELECT substr(a.text, passages.heading_start + 1,
                       passages.heading_end - passages.heading_start)
         FROM articles a WHERE a.id = passages.article_id) END;
