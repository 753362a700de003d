"""Declared parameters: one definition drives validation, documentation and UI widgets.

Every scenario section and every rule is a frozen dataclass whose fields are made with
:func:`param`. The loader reads the field's type, range, unit and bilingual help text, so an
out-of-range value is refused with a message that names the key and the allowed range, and an
unknown key is refused with the list of keys that exist.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass, field
from typing import Any

from sim.errors import ScenarioError


def param(default: Any, *, lo: float | None = None, hi: float | None = None, unit: str = "",
          en: str = "", zh: str = "", choices: tuple[str, ...] | None = None) -> Any:
    """A dataclass field with the facts a loader, a doc page and a widget need."""
    return field(default=default, metadata={"lo": lo, "hi": hi, "unit": unit, "en": en,
                                            "zh": zh, "choices": choices})


@dataclass(frozen=True)
class ParamSpec:
    """The declared facts of one parameter, as a dashboard or doc generator reads them."""
    key: str
    type: str            # "int", "float", "bool", "str", "floats"
    default: Any
    lo: float | None
    hi: float | None
    unit: str
    en: str
    zh: str
    choices: tuple[str, ...] | None

    def allowed(self) -> str:
        """Plain-English statement of what values are accepted."""
        if self.type == "bool":
            return "true or false"
        if self.type == "str":
            return "one of " + ", ".join(repr(c) for c in self.choices) if self.choices else "a string"
        noun = {"int": "a whole number", "float": "a number", "floats": "a list of numbers"}[self.type]
        lo, hi = (None if v is None else f"{v:,.0f}" if float(v).is_integer() else f"{v:g}"
                  for v in (self.lo, self.hi))
        if lo is not None and hi is not None:
            return f"{noun} from {lo} to {hi}"
        if lo is not None:
            return f"{noun} >= {lo}"
        if hi is not None:
            return f"{noun} <= {hi}"
        return noun


_TYPE_NAMES = {int: "int", float: "float", bool: "bool", str: "str", tuple[float, ...]: "floats"}


def specs(cls: type) -> list[ParamSpec]:
    """The parameters a section or rule class declares, in declaration order."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        m = f.metadata
        out.append(ParamSpec(f.name, _TYPE_NAMES[hints[f.name]], f.default, m.get("lo"), m.get("hi"),
                             m.get("unit", ""), m.get("en", ""), m.get("zh", ""), m.get("choices")))
    return out


def _coerce(spec: ParamSpec, value: Any, source: str, key: str) -> Any:
    def bad() -> ScenarioError:
        return ScenarioError(source, key, f"must be {spec.allowed()}, got {value!r}")

    def number(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise bad()
        if (spec.lo is not None and v < spec.lo) or (spec.hi is not None and v > spec.hi):
            raise bad()
        return v

    if spec.type == "bool":
        if not isinstance(value, bool):
            raise bad()
        return value
    if spec.type == "str":
        if not isinstance(value, str) or (spec.choices and value not in spec.choices):
            raise bad()
        return value
    if spec.type == "int":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise bad()
        return int(number(value))
    if spec.type == "float":
        return float(number(value))
    if not isinstance(value, (list, tuple)) or not value:
        raise bad()
    return tuple(float(number(v)) for v in value)


def build(cls: type, table: Any, *, source: str, prefix: str) -> Any:
    """Make ``cls`` from a parsed TOML table, refusing unknown keys, wrong types and bad ranges."""
    if not isinstance(table, dict):
        raise ScenarioError(source, prefix, f"must be a table, got {type(table).__name__}")
    known = {s.key: s for s in specs(cls)}
    values = {}
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if key not in known:
            raise ScenarioError(source, full, "unknown key; allowed keys: " + ", ".join(known))
        values[key] = _coerce(known[key], value, source, full)
    obj = cls(**values)
    for key, message in obj.problems() if hasattr(obj, "problems") else ():
        raise ScenarioError(source, f"{prefix}.{key}", message)
    return obj
