"""Errors the engine raises for people: the message is safe and useful to show as it is."""


class QuizError(Exception):
    """Base class; `str(err)` is a sentence for the user."""


class NotFound(QuizError):
    pass


class NotAllowed(QuizError):
    pass


class BadInput(QuizError):
    pass
