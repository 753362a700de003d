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
        super().__init__(f"{source}: {key}: {message}" if key else f"{source}: {message}")
