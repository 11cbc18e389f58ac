-- RSS/Atom feeds registered for a collection, and the entries already seen.
CREATE TABLE feeds (
    id          INTEGER PRIMARY KEY,
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
    feed_id    INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    entry_key  TEXT    NOT NULL,  -- the entry's id, or its link
    url        TEXT,
    article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    error      TEXT,
    seen_at    TEXT    NOT NULL,
    PRIMARY KEY (feed_id, entry_key)
);
