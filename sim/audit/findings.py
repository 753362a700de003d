"""What an audit says: one :class:`Finding` per legal test, with the figures and the evidence.

A finding is plain data (frozen dataclasses of numbers and strings), so reports, the CLI's
``--json`` and the dashboard all show the same thing. Its evidence keeps identifiers (rule keys,
fact names, reward kinds) for machines; ``Evidence.declared`` and ``Example.cells`` name them
for a reader in Chinese or English (:mod:`sim.audit.labels`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from sim.audit.labels import fact_value, term

NOT_TRIGGERED, WARNING, BREACH, NOT_APPLICABLE = "not_triggered", "warning", "breach", "not_applicable"
VERDICTS = (BREACH, WARNING, NOT_TRIGGERED, NOT_APPLICABLE)  # most serious first
# The one table of verdict words, used everywhere. An audit of a simulation says whether a
# test was triggered; it never calls a scheme compliant.
VERDICT_NAMES = {BREACH: ("breach", "违反"), WARNING: ("warning", "警示"),
                 NOT_TRIGGERED: ("not triggered", "未触及"), NOT_APPLICABLE: ("not applicable", "不适用")}


def verdict_name(verdict: str, lang: str = "en") -> str:
    return VERDICT_NAMES[verdict][lang == "zh"]
JURISDICTIONS = ("cn", "us", "eu")
JURISDICTION_NAMES = {"cn": ("China", "中国"), "us": ("United States", "美国"),
                      "eu": ("European Union", "欧盟")}


class Column(NamedTuple):
    """A column of an :class:`Example`: its English and Chinese heading and, when its cells are
    identifiers (or tuples of them), the vocabulary of ``labels.TERMS`` that names them."""
    en: str
    zh: str
    terms: str = ""


@dataclass(frozen=True)
class Example:
    """A concrete case from the run: a small table of real persons and amounts."""
    title_en: str
    title_zh: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def header(self, lang: str) -> list[str]:
        return [c.zh if lang == "zh" else c.en for c in self.columns]

    def cells(self, lang: str) -> list[list[Any]]:
        """The rows with identifiers named in ``lang`` (见点奖, 代理); other cells as they are."""
        return [[term(c.terms, v, lang) if c.terms else v for c, v in zip(self.columns, row)]
                for row in self.rows]


@dataclass(frozen=True)
class Evidence:
    """``static``: (rule key, fact name, value) from the components' declared Facts that
    trigger the test; ``dynamic``: examples taken from the run itself."""
    static: tuple[tuple[str, str, Any], ...] = ()
    dynamic: tuple[Example, ...] = ()

    def declared(self, lang: str) -> list[tuple[str, str, str]]:
        """The static evidence in words: (mechanism, fact, value), e.g. (入门礼包, 入门费, ¥399)."""
        return [(term("rule", key, lang), term("fact", name, lang), fact_value(name, value, lang))
                for key, name, value in self.static]


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
