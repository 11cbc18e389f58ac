-- Saved images of collections' indexes (`index.images`): derived data a process starts from
-- instead of grouping every passage's terms again. A collection's image is its row here; the
-- parts are written first under a new random image id, and kept once the row names them.
CREATE TABLE index_images (
    collection TEXT    PRIMARY KEY,
    image      INTEGER NOT NULL,
    seq        INTEGER NOT NULL,  -- the last change the image reflects
    header     TEXT    NOT NULL,
    parts      INTEGER NOT NULL,
    saved_at   TEXT    NOT NULL
);
CREATE TABLE index_image_parts (
    image      INTEGER NOT NULL,
    part       INTEGER NOT NULL,
    collection TEXT    NOT NULL,
    data       BLOB    NOT NULL,
    PRIMARY KEY (image, part)
);
CREATE INDEX index_image_parts_collection ON index_image_parts (collection);
