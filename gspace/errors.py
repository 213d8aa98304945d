"""Errors a user can act on: the CLI prints them as one line, the GUI as one dialog."""


class GspaceError(Exception):
    """A failure with a message meant for the user, not a traceback."""


class IncidentError(GspaceError):
    """The incident folder cannot be opened or written as asked."""
