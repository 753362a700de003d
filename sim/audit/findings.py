"""What an audit says: one :class:`Finding` per legal test, with the figures and the evidence.

A finding is plain data (frozen dataclasses of numbers and strings), so reports, the CLI's
``--json`` and the dashboard all show the same thing.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

CLEAR, WARNING, BREACH, NOT_APPLICABLE = "clear", "warning", "breach", "not_applicable"
VERDICTS = (BREACH, WARNING, CLEAR, NOT_APPLICABLE)  # most serious first
VERDICT_NAMES = {BREACH: ("breach", "违反"), WARNING: ("warning", "警示"),
                 CLEAR: ("clear", "未触及"), NOT_APPLICABLE: ("not applicable", "不适用")}
JURISDICTIONS = ("cn", "us", "eu")
JURISDICTION_NAMES = {"cn": ("China", "中国"), "us": ("United States", "美国"),
                      "eu": ("European Union", "欧盟")}


@dataclass(frozen=True)
class Example:
    """A concrete case from the run: a small table of real persons and amounts."""
    title_en: str
    title_zh: str
    columns: tuple[tuple[str, str], ...]   # (English, Chinese) column names
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Evidence:
    """``static``: (rule key, fact name, value) from the components' declared Facts that
    trigger the test; ``dynamic``: examples taken from the run itself."""
    static: tuple[tuple[str, str, Any], ...] = ()
    dynamic: tuple[Example, ...] = ()


@dataclass(frozen=True)
class Finding:
    id: str
    jurisdiction: str
    title_en: str
    title_zh: str
    citation: str
    verdict: str
    measured: dict[str, float]
    thresholds: dict[str, float]
    explanation_en: str
    explanation_zh: str
    evidence: Evidence = field(default_factory=Evidence)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.jurisdiction not in JURISDICTIONS:
            raise ValueError(f"jurisdiction must be one of {JURISDICTIONS}, got {self.jurisdiction!r}")

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def explanation(self, lang: str) -> str:
        return self.explanation_zh if lang == "zh" else self.explanation_en

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (tuples become lists)."""
        out = asdict(self)
        out["evidence"]["static"] = [list(s) for s in self.evidence.static]
        for key in ("measured", "thresholds"):  # JSON has no infinity: an unbounded ratio is null
            out[key] = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                        for k, v in out[key].items()}
        return out


@dataclass(frozen=True)
class LegalTest:
    """One cited test of a rule pack; ``finding`` fills in what a run measured."""
    id: str
    jurisdiction: str
    title_en: str
    title_zh: str
    citation: str

    def finding(self, verdict: str, measured: dict[str, float], thresholds: dict[str, float],
                explanation_en: str, explanation_zh: str, *,
                static: tuple[tuple[str, str, Any], ...] = (),
                dynamic: tuple[Example, ...] = ()) -> Finding:
        return Finding(self.id, self.jurisdiction, self.title_en, self.title_zh, self.citation,
                       verdict, measured, thresholds, explanation_en, explanation_zh,
                       Evidence(static, dynamic))

    def not_applicable(self) -> Finding:
        return self.finding(NOT_APPLICABLE, {}, {},
                            "No one can earn in this model (no participants, no rewards), so "
                            "there is nothing this test applies to.",
                            "该模式中无人可获得奖励(没有代理、没有奖励),本项不适用。")
