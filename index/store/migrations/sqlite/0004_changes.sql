-- The change log: every write that changes passages records, in its own transaction, which
-- passages it removed and added and which terms it created, so that a process holding a
-- collection's index in memory applies the change instead of reloading it. A NULL collection
-- means every passage and the vocabulary were replaced (a re-index).
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT,
    removed    BLOB NOT NULL,  -- int32 passage ids
    added      BLOB NOT NULL,  -- int32 passage ids
    terms      BLOB NOT NULL   -- int32 ids of the terms the write created
);

-- A passage's id is never given again either: a process that has not yet read a removal must
-- not find another article's passage under the old id.
CREATE TABLE passages_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    collection TEXT    NOT NULL,
    ord        INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    sentences  BLOB    NOT NULL,
    term_ids   BLOB    NOT NULL,
    term_freqs BLOB    NOT NULL
);
INSERT INTO passages_new SELECT * FROM passages;
DROP TABLE passages;
ALTER TABLE passages_new RENAME TO passages;
CREATE INDEX passages_collection ON passages (collection, id);
CREATE INDEX passages_article ON passages (article_id);
