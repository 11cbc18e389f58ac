-- Each passage's text (and its heading's) stored apart from its row, as in the SQLite migration
-- 0010, so that reading a question's candidates reads no article's text. A passage without a
-- row here is read from its article's text.
CREATE TABLE passage_texts (
    id      BIGINT PRIMARY KEY REFERENCES passages (id) ON DELETE CASCADE,
    text    TEXT NOT NULL,
    heading TEXT
);
INSERT INTO passage_texts (id, text, heading)
SELECT p.id, substr(a.text, p.start + 1, p."end" - p.start),
       CASE WHEN p.heading_start IS NOT NULL
            THEN substr(a.text, p.heading_start + 1, p.heading_end - p.heading_start) END
FROM passages p JOIN articles a ON a.id = p.article_id ORDER BY p.id;
