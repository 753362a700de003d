"""Errors a user can act on: each names the file, the key and what is allowed."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario that cannot be loaded, with the place and the rule it broke.

    ``str(err)`` is one line: ``FILE: KEY: MESSAGE``, in English. ``zh`` is the same message in
    Chinese for a page shown in Chinese; ``text(lang)`` and ``line(lang)`` pick the language.
    """

    def __init__(self, source: str, key: str, message: str, *, zh: str = "") -> None:
        self.source = source
        self.key = key
        self.message = message
        self.zh = zh
        super().__init__(self.line("en"))

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` ("en" or "zh"); English where there is no Chinese."""
        return self.zh if lang == "zh" and self.zh else self.message

    def line(self, lang: str = "en") -> str:
        """``FILE: KEY: MESSAGE`` in ``lang``; ``line("en")`` is ``str(err)``."""
        where = f"{self.source}: {self.key}" if self.key else self.source
        text = f"{where}: {self.text(lang)}"
        # Keys and values come from the file; escape line breaks so the message stays one line.
        return text.replace("\r", "\\r").replace("\n", "\\n")
