-- Where a passage's sentences were cut and which heading it is under: `cuts` holds one byte a
-- sentence (1: the piece begins inside its sentence, 2: it ends inside it), NULL when no sentence
-- of the passage is cut; `heading_start` and `heading_end` are the article offsets of the text
-- of the Markdown heading the passage is under, NULL when it is under none. Rows written before
-- have neither: the re-index that the new passage settings (version 2) cause fills them.
ALTER TABLE passages ADD COLUMN cuts BLOB;
ALTER TABLE passages ADD COLUMN heading_start INTEGER;
ALTER TABLE passages ADD COLUMN heading_end INTEGER;
