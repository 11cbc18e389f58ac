-- Each passage's tokens, so that a question never analyses a candidate passage again: the
-- int32 term id of each token in order, then its span of the passage's text (uint16 start and
-- end pairs), 8 bytes a token. NULL for passages stored before (they are analysed when quoted,
-- as they were) and for a passage too long for 16-bit offsets.
ALTER TABLE passages ADD COLUMN tokens BLOB;
