"""The pyramid-risk index: 0-100, always shown as its weighted parts.

Each part scores one measure on 0..1 and carries a documented weight (the weights add up
to 100); the total is the weighted sum. The parts, their measures and weights are declared
in the measures vocabulary (:data:`sim.measures.COMPONENTS`), where batch runs read them too.
The weights rank what the rule packs treat as the core of a pyramid (pay for recruitment
first, then the entry fee, team pay and internal consumption) above its symptoms (losses,
concentration, uncovered promises). It is a screening score for comparing designs, never a
legal test: any breach among the findings outranks it, whatever its band.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sim.measures import COMPONENTS, Component, Measured
from sim.result import RunResult

BANDS = ((25, "low", "低"), (50, "moderate", "中"), (75, "high", "高"), (101, "very high", "很高"))
SCREENING = ("The risk index is a screening score for comparing designs; the legal findings decide, "
             "and any breach outranks the index whatever its band.",
             "风险指数是用于比较设计的筛查分数;法律结论以审查结果为准,任何“违反”都优先于指数,无论其等级高低。")


class RiskPart(NamedTuple):
    name_en: str
    name_zh: str
    weight: int
    score: float      # 0..1
    value: float      # the measure the score comes from
    explanation: str  # how it is scored (English; ``explain("zh")`` for Chinese)
    key: str = ""     # the Component's key

    @property
    def points(self) -> float:
        return self.weight * self.score

    @property
    def component(self) -> Component:
        return next(c for c in COMPONENTS if c.key == self.key)

    @property
    def metric(self) -> str:
        return self.component.metric

    def explain(self, lang: str) -> str:
        return self.component.how_zh if lang == "zh" else self.explanation

    @classmethod
    def scored(cls, c: Component, score: float, value: float) -> RiskPart:
        return cls(c.name_en, c.name_zh, c.weight, score, value, c.how_en, c.key)


@dataclass(frozen=True)
class RiskIndex:
    parts: tuple[RiskPart, ...]

    @property
    def total(self) -> float:
        return sum(p.points for p in self.parts)

    def band(self, lang: str = "en") -> str:
        label = next(b for b in BANDS if self.total < b[0])
        return label[2] if lang == "zh" else label[1]

    @staticmethod
    def screening(lang: str = "en") -> str:
        """The sentence that goes with the index wherever it is shown."""
        return SCREENING[lang == "zh"]

    def to_dict(self) -> dict:
        return {"total": self.total, "band": self.band(), "screening": self.screening(),
                "parts": [{**p._asdict(), "points": p.points, "explanation_zh": p.explain("zh")}
                          for p in self.parts]}


def risk_index(result: RunResult | Measured) -> RiskIndex:
    """The index of one run: each part's score is its measure clipped to 0..1."""
    m = result if isinstance(result, Measured) else Measured(result)
    return RiskIndex(tuple(RiskPart.scored(c, m[c.metric] / c.weight, float(m[c.measure]))
                           for c in COMPONENTS))
