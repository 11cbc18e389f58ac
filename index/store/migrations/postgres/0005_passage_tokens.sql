-- Each passage's tokens (see the SQLite migration 0009): term ids in order, then their spans;
-- NULL for passages stored before, which are analysed when quoted.
ALTER TABLE passages ADD COLUMN tokens BYTEA;
