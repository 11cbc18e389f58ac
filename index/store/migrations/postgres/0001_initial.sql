-- citebot's library in PostgreSQL: the same tables as in SQLite (its migrations 0001-0005),
-- in one script. Identity columns never give a removed row's id again.
CREATE TABLE collections (
    name     TEXT PRIMARY KEY,
    guild_id BIGINT  -- the Discord server a 'guild:<id>' collection belongs to; NULL for others
);
CREATE INDEX collections_guild ON collections (guild_id);

CREATE TABLE articles (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection   TEXT NOT NULL,
    title        TEXT,
    url          TEXT,
    author       TEXT,
    published    TEXT,
    site         TEXT,
    source       TEXT,
    text         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    added_by     TEXT,
    added_at     TEXT NOT NULL,
    UNIQUE (collection, content_hash)
);
CREATE INDEX articles_collection_url ON articles (collection, url);
-- stored uncompressed, so that a passage's text (a substring) reads only its own part of a long
-- article instead of decompressing the whole of it for each candidate answer
ALTER TABLE articles ALTER COLUMN text SET STORAGE EXTERNAL;

CREATE TABLE passages (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    collection TEXT    NOT NULL,
    ord        INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    sentences  BYTEA   NOT NULL,  -- int32 pairs: sentence spans in article offsets
    term_ids   BYTEA   NOT NULL,  -- int32: the passage's distinct term ids
    term_freqs BYTEA   NOT NULL   -- int32: how often each occurs
);
CREATE INDEX passages_collection ON passages (collection, id);
CREATE INDEX passages_article ON passages (article_id);

-- ids are given under the write lock, 1, 2, 3, ... (they index arrays in memory: no gaps)
CREATE TABLE terms (
    id   INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE feeds (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection  TEXT NOT NULL,
    url         TEXT NOT NULL,
    title       TEXT,
    added_by    TEXT,
    added_at    TEXT NOT NULL,
    last_polled TEXT,
    last_error  TEXT,
    UNIQUE (collection, url)
);

CREATE TABLE feed_entries (
    feed_id    BIGINT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    entry_key  TEXT   NOT NULL,
    url        TEXT,
    article_id BIGINT REFERENCES articles (id) ON DELETE SET NULL,
    error      TEXT,
    seen_at    TEXT   NOT NULL,
    PRIMARY KEY (feed_id, entry_key)
);

-- The change log (see the SQLite migration 0004). Numbers are given under the write lock, so a
-- change's number is its commit order, without gaps.
CREATE TABLE changes (
    seq        BIGINT PRIMARY KEY,
    collection TEXT,
    removed    BYTEA NOT NULL,
    added      BYTEA NOT NULL,
    terms      BYTEA NOT NULL
);
