"""Declared parameters: one definition drives validation, documentation and UI widgets.

Every scenario section and every rule is a frozen dataclass whose fields are made with
:func:`param`. The loader reads the field's type, range, unit and bilingual help text, so an
out-of-range value is refused with a message that names the key and the allowed range, and an
unknown key is refused with the list of keys that exist.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import math
import os
import stat
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError, shown


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

    def allowed(self, lang: str = "en") -> str:
        """What values are accepted, in plain English or (``lang="zh"``) Chinese."""
        zh = lang == "zh"
        if self.type == "bool":
            return "true 或 false" if zh else "true or false"
        if self.type == "str":
            if not self.choices:
                return "文本" if zh else "a string"
            listed = ", ".join(repr(c) for c in self.choices)
            return f"以下之一:{listed}" if zh else f"one of {listed}"
        lo, hi = (None if v is None else f"{v:,.0f}" if float(v).is_integer() else f"{v:g}"
                  for v in (self.lo, self.hi))
        if zh:
            noun = "整数" if self.type == "int" else "数"
            if lo is not None and hi is not None:
                text = f"{lo} 到 {hi} 之间的{noun}"
            elif lo is not None:
                text = f"≥ {lo} 的{noun}"
            elif hi is not None:
                text = f"≤ {hi} 的{noun}"
            else:
                text = noun if self.type == "int" else "数字"
            return "一组" + _after_chinese(text) if self.type == "floats" else text
        noun = {"int": "a whole number", "float": "a number", "floats": "a list of numbers"}[self.type]
        if lo is not None and hi is not None:
            return f"{noun} from {lo} to {hi}"
        if lo is not None:
            return f"{noun} >= {lo}"
        if hi is not None:
            return f"{noun} <= {hi}"
        return noun


def _after_chinese(text: str) -> str:
    """``text`` to follow Chinese words: a space before it unless it starts with a Chinese
    character, as in "必须是 0 到 1 之间的数" and "必须是整数"."""
    return text if "\u4e00" <= text[:1] <= "\u9fff" else " " + text


_TYPE_NAMES = {int: "int", float: "float", bool: "bool", str: "str", tuple[float, ...]: "floats"}


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    # Evaluating a class's string annotations was most of loading a scenario; classes do not change.
    return typing.get_type_hints(cls)


def specs(cls: type) -> list[ParamSpec]:
    """The parameters a section or rule class declares, in declaration order."""
    hints = _type_hints(cls)
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
        return ScenarioError(source, key, f"must be {spec.allowed()}, got {shown(value)}",
                             zh=f"必须是{_after_chinese(spec.allowed('zh'))},实际为 {shown(value)}")

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
        got = type(table).__name__
        raise ScenarioError(source, prefix, f"must be a table, got {got}", zh=f"必须是 TOML 表,实际为 {got}")
    known = {s.key: s for s in specs(cls)}
    values = {}
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if key not in known:
            listed = ", ".join(known)
            raise ScenarioError(source, full, f"unknown key; allowed keys: {listed}",
                                zh=f"未知的键;允许的键:{listed}")
        values[key] = _coerce(known[key], value, source, full)
    obj = cls(**values)
    # A problem is (key, message) or, to be shown on a Chinese page too, (key, message, zh).
    for key, message, *zh in obj.problems() if hasattr(obj, "problems") else ():
        raise ScenarioError(source, f"{prefix}.{key}", message, zh=zh[0] if zh else "")
    return obj


def check_sections(table: dict[str, Any], allowed: tuple[str, ...], *, source: str) -> None:
    """Refuse a top-level section a file may not have, listing those it may."""
    for key in table:
        if key not in allowed:
            listed = ", ".join(allowed)
            raise ScenarioError(source, key, f"unknown section; allowed: {listed}",
                                zh=f"未知的配置段;允许:{listed}")


MAX_FILE_BYTES = 1_000_000  # a scenario or market file is a few kB; anything this big is not one
# Why a file could not be read, in Chinese, by errno (English comes from the system).
_WHY_ZH = {errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限", errno.ELOOP: "符号链接层数过多",
           errno.ENAMETOOLONG: "文件名过长", errno.ENOTDIR: "路径中有一段不是文件夹",
           errno.EISDIR: "这是一个文件夹"}


def read_text(path: Path, *, what: tuple[str, str] = ("scenario", "场景")) -> str:
    """The text of a TOML file: a regular file of at most ``MAX_FILE_BYTES`` bytes, UTF-8.

    A folder, a pipe or a device (``/dev/zero``) is refused before anything is read, and a
    pipe with no writer cannot make the reader wait: it is opened without blocking. ``what``
    names the kind of file, in English and Chinese, in the one-line error.
    """
    en, zh_what = what

    def refuse(why: str, zh: str) -> ScenarioError:
        return ScenarioError(str(path), "", f"cannot read {en} file ({why})",
                             zh=f"无法读取{zh_what}文件({zh})")

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ScenarioError(str(path), "", f"no such {en} file", zh=f"{zh_what}文件不存在") from None
    except OSError as err:
        raise refuse(err.strerror or type(err).__name__,
                     _WHY_ZH.get(err.errno, err.strerror or type(err).__name__)) from None
    except ValueError:  # a NUL byte in the name
        raise refuse("not a file name", "不是文件名") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise refuse("it is a folder", "这是一个文件夹")
        if not stat.S_ISREG(mode):
            raise refuse("not a regular file: a pipe, device or socket", "不是普通文件:管道、设备或套接字")
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES and (chunk := os.read(fd, MAX_FILE_BYTES + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as err:
        raise refuse(err.strerror or type(err).__name__,
                     _WHY_ZH.get(err.errno, err.strerror or type(err).__name__)) from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise refuse(f"larger than {MAX_FILE_BYTES:,} bytes", f"超过 {MAX_FILE_BYTES:,} 字节")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise refuse("not UTF-8 text", "不是 UTF-8 文本") from None


def parse(text: str, source: str) -> dict[str, Any]:
    """TOML text as data (parsed, never executed); a malformed or absurdly nested text is a
    ScenarioError naming ``source``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, "", f"not valid TOML: {err}", zh=f"不是有效的 TOML:{err}") from None
    except RecursionError:  # tomllib recurses once per level of nested arrays and tables
        raise ScenarioError(source, "", "nested too deeply: a scenario file is flat tables of values",
                            zh="嵌套过深:场景文件只包含扁平的表和值") from None


def read_toml(path: Path, *, what: tuple[str, str]) -> dict[str, Any]:
    """A TOML file read as :func:`read_text` reads it and parsed (never executed)."""
    return parse(read_text(path, what=what), str(path))