"""Errors a user can act on: each names the file, the key and what is allowed."""

from __future__ import annotations

import unicodedata
from typing import Any

# Bidirectional overrides and isolates reorder what a terminal shows ("Trojan Source").
_BIDI = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}
SHOWN_CHARS = 60  # a value quoted in a message: enough to recognise, never a whole file


def printable(text: str) -> str:
    """``text`` safe for a terminal: control characters (escape codes, line breaks, DEL, C1)
    and bidirectional overrides become visible escapes such as ``\\x1b`` and ``\\n``.

    >>> printable("a\\x1b[2Jb\\nc")
    'a\\\\x1b[2Jb\\\\nc'
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif code in _BIDI or unicodedata.category(ch) == "Cc" and ch != "\t":
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def shown(value: Any) -> str:
    """A value as a message quotes it: its repr, cut to ``SHOWN_CHARS`` characters.

    >>> shown("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (102 characters)"
    """
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS - 1]}… ({len(text)} characters)"


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
        # Keys and values come from the file: escape line breaks and escape codes, so the
        # message stays one line and cannot drive the terminal that shows it.
        return printable(f"{where}: {self.text(lang)}")
