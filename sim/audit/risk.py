"""The pyramid-risk index: 0-100, always shown as its weighted parts.

Each part scores one indicator on 0..1 and carries a documented weight (the weights add up
to 100); the total is the weighted sum. The weights rank what the rule packs treat as the
core of a pyramid (pay for recruitment first, then the entry fee, team pay and internal
consumption) above its symptoms (losses, concentration, uncovered promises). It is a
screening aid for comparing designs, not a legal test: the findings are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sim.audit.measure import Audited
from sim.result import RunResult

class Component(NamedTuple):
    key: str       # an identifier: batch runs report the part's points as metric risk_<key>
    name_en: str
    name_zh: str
    weight: int
    how_en: str    # how it is scored
    how_zh: str

    @property
    def metric(self) -> str:
        """The batch-run metric holding this part's points."""
        return f"risk_{self.key}"


COMPONENTS = (
    Component("recruitment", "Pay for recruitment", "拉人头报酬占比", 25,
              "share of rewards triggered by someone joining", "因他人加入而触发的奖励占比"),
    Component("entry_fee", "Entry fee beyond goods", "入门费中超出商品价值部分", 15,
              "share of the price of becoming able to earn not matched by goods at fair value "
              "(0 if free)", "取得计酬资格的费用中未被商品公允价值覆盖的比例(免费为 0)"),
    Component("team_pay", "Team pay", "团队计酬占比", 15,
              "share of rewards paid two or more sponsor links above the trigger",
              "支付给触发者两层及以上上线的奖励占比"),
    Component("internal_consumption", "Internal consumption", "内部自购占比", 15,
              "share of sales bought by participants themselves", "参与者自购占销售额的比例"),
    Component("losing_money", "Participants losing money", "亏损参与者占比", 15,
              "share of participants whose rewards plus goods' value fall short of what they paid",
              "奖励加所得商品价值低于其支出的参与者比例"),
    Component("concentration", "Concentration of rewards", "奖励集中度", 10,
              "Gini coefficient of rewards among participants", "参与者奖励的基尼系数"),
    Component("uncovered_promises", "Uncovered promises", "未覆盖的承诺", 5,
              "share of what is owed (wallets, points, pools) not covered by the platform's cash "
              "at the end", "期末所欠款项(钱包、积分、资金池)中平台现金不能覆盖的比例"),
)
BANDS = ((25, "low", "低"), (50, "moderate", "中"), (75, "high", "高"), (101, "very high", "很高"))


class RiskPart(NamedTuple):
    name_en: str
    name_zh: str
    weight: int
    score: float      # 0..1
    value: float      # the indicator the score comes from
    explanation: str  # how it is scored (English; ``explain("zh")`` for Chinese)
    key: str = ""     # the Component's key

    @property
    def points(self) -> float:
        return self.weight * self.score

    @property
    def metric(self) -> str:
        return next(c.metric for c in COMPONENTS if c.key == self.key)

    def explain(self, lang: str) -> str:
        return next(c.how_zh for c in COMPONENTS if c.key == self.key) if lang == "zh" else self.explanation

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

    def to_dict(self) -> dict:
        return {"total": self.total, "band": self.band(),
                "parts": [{**p._asdict(), "points": p.points, "explanation_zh": p.explain("zh")}
                          for p in self.parts]}


def _clip(x: float) -> float:
    return min(max(float(x), 0.0), 1.0)


def risk_index(result: RunResult) -> RiskIndex:
    i = Audited(result).indicators
    fee = i["entry_fee"]
    promised = i["promised_end"]
    uncovered = max((promised - i["cash_held_end"]) / promised, 0.0) if promised > 0 else 0.0
    values = (i["reward_share_recruitment"],
              i["entry_fee_above_goods_value"] / fee if fee > 0 else 0.0,
              i["reward_share_team"], i["internal_consumption_share"], i["share_losing_money"],
              i["rewards_gini"], uncovered)
    return RiskIndex(tuple(RiskPart.scored(c, _clip(v), float(v)) for c, v in zip(COMPONENTS, values)))
