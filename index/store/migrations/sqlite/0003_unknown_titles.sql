-- An unknown title is NULL, not a placeholder stored as data (and so indexed). SQLite cannot
-- drop NOT NULL in place: the table is rebuilt (foreign keys are off while migrating).
CREATE TABLE articles_new (
    id INTEGER PRIMARY KEY, collection TEXT NOT NULL, title TEXT, url TEXT, author TEXT,
    published TEXT, site TEXT, source TEXT, text TEXT NOT NULL, content_hash TEXT NOT NULL,
    added_by TEXT, added_at TEXT NOT NULL, UNIQUE (collection, content_hash)
);
INSERT INTO articles_new
SELECT id, collection,
       CASE WHEN title IN ('Untitled', 'Untitled PDF', 'Pasted text') THEN NULL ELSE title END,
       url, author, published, site, source, text, content_hash, added_by, added_at
FROM articles;
DROP TABLE articles;
ALTER TABLE articles_new RENAME TO articles;
CREATE INDEX articles_collection_url ON articles (collection, url);

-- Placeholder titles were indexed as words: if any existed, the index is rebuilt once (the
-- library re-indexes when the stored passage settings differ from its own).
DELETE FROM meta WHERE key = 'passages' AND EXISTS (SELECT 1 FROM articles WHERE title IS NULL);
