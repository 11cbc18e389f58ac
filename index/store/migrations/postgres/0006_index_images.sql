-- Saved images of collections' indexes (see the SQLite migration 0010). The parts are stored
-- uncompressed: they are arrays of numbers, and compressing them costs more than it saves.
CREATE TABLE index_images (
    collection TEXT    PRIMARY KEY,
    image      BIGINT  NOT NULL,
    seq        BIGINT  NOT NULL,
    header     TEXT    NOT NULL,
    parts      INTEGER NOT NULL,
    saved_at   TEXT    NOT NULL
);
CREATE TABLE index_image_parts (
    image      BIGINT  NOT NULL,
    part       INTEGER NOT NULL,
    collection TEXT    NOT NULL,
    data       BYTEA   NOT NULL,
    PRIMARY KEY (image, part)
);
ALTER TABLE index_image_parts ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE INDEX index_image_parts_collection ON index_image_parts (collection);
