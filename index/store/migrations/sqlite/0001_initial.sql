-- Articles, their passages with stored terms (so start-up never re-tokenizes), the vocabulary.
CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    collection   TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    url          TEXT,
    author       TEXT,
    published    TEXT,
    site         TEXT,
    source       TEXT,
    text         TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    added_by     TEXT,
    added_at     TEXT    NOT NULL,
    UNIQUE (collection, content_hash)
);
CREATE INDEX articles_collection_url ON articles (collection, url);

CREATE TABLE passages (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    collection TEXT    NOT NULL,
    ord        INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    sentences  BLOB    NOT NULL,  -- int32 pairs: sentence spans in article offsets
    term_ids   BLOB    NOT NULL,  -- int32: the passage's distinct term ids
    term_freqs BLOB    NOT NULL   -- int32: how often each occurs
);
CREATE INDEX passages_collection ON passages (collection, id);
CREATE INDEX passages_article ON passages (article_id);

CREATE TABLE terms (
    id   INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
