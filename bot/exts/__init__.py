"""The bot's features, one extension (a cog and its `setup`) each: see `bot.app.EXTENSIONS`."""
