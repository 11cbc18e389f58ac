-- Each collection once, with the Discord server id it carries ('guild:<id>'; NULL for others),
-- so that a sharded bot's process finds its own servers' feeds with one query.
CREATE TABLE collections (
    name     TEXT PRIMARY KEY,
    guild_id INTEGER
);
INSERT INTO collections (name, guild_id)
SELECT name, CASE WHEN name GLOB 'guild:[0-9]*' AND NOT substr(name, 7) GLOB '*[^0-9]*'
                  THEN CAST(substr(name, 7) AS INTEGER) END
FROM (SELECT collection AS name FROM articles UNION SELECT collection FROM feeds);
CREATE INDEX collections_guild ON collections (guild_id);
