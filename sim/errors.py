"""Errors a user can act on: each names the file, the key and what is allowed."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario that cannot be loaded, with the place and the rule it broke.

    ``str(err)`` is one line: ``FILE: KEY: MESSAGE``.
    """

    def __init__(self, source: str, key: str, message: str) -> None:
        self.source = source
        self.key = key
        self.message = message
        text = f"{source}: {key}: {message}" if key else f"{source}: {message}"
        # Keys and values come from the file; escape line breaks so the message stays one line.
        super().__init__(text.replace("\r", "\\r").replace("\n", "\\n"))
