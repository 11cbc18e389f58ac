-- What a server's curators set and learn (issue 14): the same tables as the SQLite migration
-- 0008, which describes them.
CREATE TABLE server_settings (
    collection TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (collection, key)
);
CREATE TABLE article_topics (
    article_id BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    collection TEXT    NOT NULL,
    topic      TEXT    NOT NULL,
    PRIMARY KEY (article_id, topic)
);
CREATE INDEX article_topics_topic ON article_topics (collection, topic);
CREATE TABLE feed_topics (
    feed_id BIGINT  NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    topic   TEXT    NOT NULL,
    PRIMARY KEY (feed_id, topic)
);
CREATE TABLE questions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection TEXT    NOT NULL,
    question   TEXT    NOT NULL,
    message_id BIGINT,
    article_id BIGINT,  -- the article of the first result; NULL: nothing was found
    asked_at   TEXT    NOT NULL
);
CREATE INDEX questions_asked ON questions (collection, asked_at);
CREATE INDEX questions_message ON questions (message_id);
CREATE TABLE votes (
    message_id    BIGINT  NOT NULL,
    voter         TEXT    NOT NULL,
    collection    TEXT    NOT NULL,
    helpful       INTEGER NOT NULL,
    article_id    BIGINT  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    passage_start INTEGER NOT NULL,
    voted_at      TEXT    NOT NULL,
    PRIMARY KEY (message_id, voter)
);
CREATE INDEX votes_collection ON votes (collection, helpful);
