-- What a server's curators set and learn (issue 14). `server_settings`: one row a setting of a
-- collection (where the bot answers, ask channels, a channel's topics, the question log).
-- `article_topics` and `feed_topics`: the topics an article carries and those a feed gives its
-- articles. `questions`: kept only while a server's curators keep the question log on, and
-- deleted past its retention. `votes`: "helpful" or not, one per voter and answer message; the
-- voter is a keyed hash of the user and message ids, never the user id; deleted past the same
-- retention, and with their article.
CREATE TABLE server_settings (
    collection TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (collection, key)
);
CREATE TABLE article_topics (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    collection TEXT    NOT NULL,
    topic      TEXT    NOT NULL,
    PRIMARY KEY (article_id, topic)
);
CREATE INDEX article_topics_topic ON article_topics (collection, topic);
CREATE TABLE feed_topics (
    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    topic   TEXT    NOT NULL,
    PRIMARY KEY (feed_id, topic)
);
CREATE TABLE questions (
    id         INTEGER PRIMARY KEY,
    collection TEXT    NOT NULL,
    question   TEXT    NOT NULL,
    message_id INTEGER,
    article_id INTEGER,  -- the article of the first result; NULL: nothing was found
    asked_at   TEXT    NOT NULL
);
CREATE INDEX questions_asked ON questions (collection, asked_at);
CREATE INDEX questions_message ON questions (message_id);
CREATE TABLE votes (
    message_id    INTEGER NOT NULL,
    voter         TEXT    NOT NULL,
    collection    TEXT    NOT NULL,
    helpful       INTEGER NOT NULL,
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    passage_start INTEGER NOT NULL,
    voted_at      TEXT    NOT NULL,
    PRIMARY KEY (message_id, voter)
);
CREATE INDEX votes_collection ON votes (collection, helpful);
