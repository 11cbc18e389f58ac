-- An unknown title is NULL, not a placeholder stored as data (and so indexed), and an article's
-- or a feed's id is never given again once removed (AUTOINCREMENT), so that a link or button
-- naming #2 never shows another article. SQLite changes neither in place: the tables are
-- rebuilt (foreign keys are off while migrating, so nothing cascades).
CREATE TABLE articles_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, title TEXT, url TEXT,
    author TEXT, published TEXT, site TEXT, source TEXT, text TEXT NOT NULL,
    content_hash TEXT NOT NULL, added_by TEXT, added_at TEXT NOT NULL,
    UNIQUE (collection, content_hash)
);
INSERT INTO articles_new
SELECT id, collection,
       CASE WHEN title IN ('Untitled', 'Untitled PDF', 'Pasted text') THEN NULL ELSE title END,
       url, author, published, site, source, text, content_hash, added_by, added_at
FROM articles;
DROP TABLE articles;
ALTER TABLE articles_new RENAME TO articles;
CREATE INDEX articles_collection_url ON articles (collection, url);

CREATE TABLE feeds_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, url TEXT NOT NULL,
    title TEXT, added_by TEXT, added_at TEXT NOT NULL, last_polled TEXT, last_error TEXT,
    UNIQUE (collection, url)
);
INSERT INTO feeds_new SELECT * FROM feeds;
DROP TABLE feeds;
ALTER TABLE feeds_new RENAME TO feeds;

-- Placeholder titles were indexed as words: if any existed, the index is rebuilt once (the
-- library re-indexes when the stored passage settings differ from its own).
DELETE FROM meta WHERE key = 'passages' AND EXISTS (SELECT 1 FROM articles WHERE title IS NULL);
