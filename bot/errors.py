"""Errors the engine raises for people: the message is safe and useful to show as it is."""


class QuizError(Exception):
    """Base class; `str(err)` is a sentence for the user."""


class NotFound(QuizError):
    pass


class NotAllowed(QuizError):
    pass


class BadInput(QuizError):
    """`field` names the input at fault (e.g. "time", "timezone") so a form can mark it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleControl(NotFound):
    """A click or a form the bot no longer knows: a button from an older version, or a removed feature.
    Every front door shows this same sentence to the person who clicked."""

    def __init__(self):
        super().__init__("This button is no longer active.")


class StorageUnavailable(QuizError):
    """The database could not take the change (disk full, locked too long): nothing of it was stored,
    what was stored before is intact, and the same request can simply be made again later."""

    reason = "the database is unavailable"

    def __init__(self, reason: str | None = None):
        self.reason = reason or self.reason
        super().__init__(f"Not recorded: {self.reason}.")


class StorageFull(StorageUnavailable):
    reason = "the disk is full"


class StorageBusy(StorageUnavailable):
    reason = "the database is busy, try again in a moment"
