"""Write a scenario dict as TOML (``tomllib`` only reads; ``tomli_w`` is not a dependency).

Scenario files are flat: ``[scenario]``, ``[case]`` (decided cases), ``[market]``, ``[retail]``, ``[churn]`` and
``[rules.KEY]`` tables whose values are strings, booleans, numbers or lists of numbers. That
is all this writes, and it refuses anything else rather than guess. Strings are TOML basic
strings; JSON's escapes are a subset of TOML's, except that TOML also forbids a raw DEL.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

SECTIONS = ("scenario", "case", "market", "retail", "churn")  # [case]: decided cases only
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else _string(k)


def _string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def value(v: Any) -> str:
    """One TOML value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"cannot write a non-finite number: {v!r}")
        return repr(v)  # shortest text that reads back to the same float; always has . or e
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to a scenario file")


def _table(name: str, body: dict[str, Any]) -> list[str]:
    return [f"[{name}]", *(f"{_key(k)} = {value(v)}" for k, v in body.items()), ""]


def dumps(scenario: dict[str, Any], *, header: str = "") -> str:
    """The scenario dict (as ``Scenario.to_dict()`` gives it) as TOML text."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()] + ([""] if header else [])
    for name in SECTIONS:
        if name in scenario:
            lines += _table(name, scenario[name])
    for key, body in scenario.get("rules", {}).items():
        lines += _table(f"rules.{_key(key)}", body)
    unknown = set(scenario) - {*SECTIONS, "rules"}
    if unknown:
        raise ValueError(f"unknown sections: {', '.join(sorted(unknown))}")
    return "\n".join(lines)
