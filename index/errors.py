"""Errors a user can act on. Each message is one line, fit to show as it is."""


class CitebotError(Exception):
    """Base class: the message is a complete, one-line sentence for the user."""


class InputError(CitebotError):
    """The article or question given cannot be used (empty, binary, too large, ...)."""


class NotFoundError(CitebotError):
    """No such article (in this collection)."""


class StorageError(CitebotError):
    """The database cannot be opened or used (not SQLite, newer schema, read-only, ...)."""


class BusyError(StorageError):
    """Another process held the library's write lock for longer than a write waits."""

    def __init__(self) -> None:
        super().__init__("the library is busy: another process is writing; try again")


class ClosingError(CitebotError):
    """The library is closing (the bot is restarting): a write is refused, not cut short."""

    def __init__(
        self, message: str = "citebot is restarting: please try again in a minute"
    ) -> None:
        super().__init__(message)
