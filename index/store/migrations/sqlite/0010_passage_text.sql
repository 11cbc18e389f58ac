-- Each passage's text (and its heading's) stored with it, so that reading a question's
-- candidates reads no article's text: `substr` of an article loads its whole text (13 KB, its
-- overflow pages), and so does reading any column stored after it. With the index below, an
-- article's other columns are read from the index alone. NULL where a passage was stored
-- without them (the reader falls back to the article's text).
ALTER TABLE passages ADD COLUMN text TEXT;
ALTER TABLE passages ADD COLUMN heading TEXT;
UPDATE passages SET
    text = (SELECT substr(a.text, passages.start + 1, passages."end" - passages.start)
            FROM articles a WHERE a.id = passages.article_id),
    heading = CASE WHEN heading_start IS NOT NULL THEN
        (SELECT substr(a.text, passages.heading_start + 1,
                       passages.heading_end - passages.heading_start)
         FROM articles a WHERE a.id = passages.article_id) END;
CREATE INDEX articles_info ON articles
    (id, collection, title, url, author, published, site, source, added_by, added_at);
