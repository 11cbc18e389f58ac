-- Each passage's text (and its heading's) stored apart from its row, so that reading a
-- question's candidates reads no article's text: `substr` of an article loads its whole text
-- (13 KB on average, in overflow pages that reading any column stored after it walks too).
-- A table of their own, so that start-up's scan of the passages reads no more pages than
-- before. With the index below, an article's other columns are read from the index alone. A
-- passage without a row here is read from its article's text.
CREATE TABLE passage_texts (
    id      INTEGER PRIMARY KEY REFERENCES passages (id) ON DELETE CASCADE,
    text    TEXT NOT NULL,
    heading TEXT
);
INSERT INTO passage_texts (id, text, heading)
SELECT p.id, substr(a.text, p.start + 1, p."end" - p.start),
       CASE WHEN p.heading_start IS NOT NULL
            THEN substr(a.text, p.heading_start + 1, p.heading_end - p.heading_start) END
FROM passages p JOIN articles a ON a.id = p.article_id ORDER BY p.id;
CREATE INDEX articles_info ON articles
    (id, collection, title, url, author, published, site, source, added_by, added_at);
