"""Decided cases beside the audit: what an authority found on each element of its law, what
the audit finds on the same scheme, and which decided case a run most resembles.

A case scenario (``scenarios/cases/``) carries the authority's finding per element
(:class:`sim.sections.Case`). Each element is read off one or more findings of the audit:
the audit finds an element when the finding is triggered (a breach, or for a declared but
unpaid mechanism a warning) or when the measured figure the element names is present. Where
a simulation cannot have the fact the decision turned on (intent, whether rules were
enforced), the case file lists the element in ``audit_disagrees`` and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from sim.audit.findings import BREACH, WARNING, Finding
from sim.measures import Measured
from sim.runner import run
from sim.scenario import Scenario, load_scenario, scenario_paths
from sim.sections import Case

FOUND, NOT_FOUND, ALLEGED, NOT_EXAMINED = "found", "not_found", "alleged", "not_examined"
Reading = Callable[[dict[str, Finding]], bool]


def _triggered(finding_id: str) -> Reading:
    return lambda f: f[finding_id].verdict in (BREACH, WARNING)


def _breach(finding_id: str) -> Reading:
    return lambda f: f[finding_id].verdict == BREACH


def _measured(finding_id: str, key: str, above: float) -> Reading:
    return lambda f: f[finding_id].measured.get(key, 0.0) > above


# element -> (the findings it is read from, how the audit finds it, in words)
ELEMENTS: dict[str, tuple[tuple[str, ...], Reading, tuple[str, str]]] = {
    "recruitment": (("cn.ban_pyramid.art7_1_recruitment",), _triggered("cn.ban_pyramid.art7_1_recruitment"),
                    ("Art. 7(1) triggered", "第七条第(一)项触发")),
    "entry_fee": (("cn.ban_pyramid.art7_2_entry_fee",), _breach("cn.ban_pyramid.art7_2_entry_fee"),
                  ("Art. 7(2) breached", "第七条第(二)项违反")),
    "team_pay": (("cn.ban_pyramid.art7_3_team_pay",), _triggered("cn.ban_pyramid.art7_3_team_pay"),
                 ("Art. 7(3) triggered", "第七条第(三)项触发")),
    "criminal_threshold": (("cn.criminal.art224_1_prosecution",), _breach("cn.criminal.art224_1_prosecution"),
                           ("224-1 threshold met with its elements", "达到第二百二十四条之一立案追诉标准")),
    "payment_to_join": (("us.ftc.koscot",), _measured("us.ftc.koscot", "payment_to_company", 0.0),
                        ("a payment to the company buys the right to earn", "为计酬权向公司付款")),
    "recruitment_rewards": (("us.ftc.koscot",), _measured("us.ftc.koscot", "reward_share_recruitment", 0.0),
                            ("rewards paid for recruiting", "存在招募奖励")),
    "retail_shortfall": (("us.ftc.amway_omnitrition_70", "us.ftc.herbalife_2016", "us.ftc.vemma_2016"),
                         lambda f: any(f[i].verdict == WARNING for i in ("us.ftc.amway_omnitrition_70",
                                                                        "us.ftc.herbalife_2016",
                                                                        "us.ftc.vemma_2016")),
                         ("a retail-share benchmark missed", "零售占比标准未达到")),
    "consideration": (("eu.ucpd.annex1_14",), _measured("eu.ucpd.annex1_14", "payment_for_right_to_earn", 0.0),
                      ("a financial contribution buys the opportunity", "为获酬机会支付对价")),
    "recruitment_derived": (("eu.ucpd.annex1_14",), _measured("eu.ucpd.annex1_14", "reward_share_join_funded", 0.5),
                            ("pay primarily derived from introductions", "报酬主要来自介绍他人")),
}


@dataclass(frozen=True)
class ElementView:
    """One element of one case: the authority's finding and the audit's."""
    element: str
    authority: str          # found / not_found / alleged / not_examined
    audit_finds: bool
    documented_disagreement: bool

    @property
    def compared(self) -> bool:
        return self.authority != NOT_EXAMINED

    @property
    def agrees(self) -> bool:
        """An authority's finding (or an allegation it settled) and the audit point the same way."""
        return self.audit_finds == (self.authority in (FOUND, ALLEGED))


def compare(case: Case, findings: list[Finding]) -> list[ElementView]:
    """Each element of a case's jurisdiction: the authority's finding beside what the audit
    finds in ``findings`` (the case's own run, or another design set beside the case)."""
    by_id = {f.id: f for f in findings}
    disagrees = set(case.audit_disagrees.split())
    return [ElementView(element, value, bool(ELEMENTS[element][1](by_id)), element in disagrees)
            for element, value in case.elements().items()]


def case_scenarios() -> list[Scenario]:
    return [load_scenario(p) for p in scenario_paths() if p.parent.name == "cases"]


# -- the decided case a run most resembles ---------------------------------------------------
# Declared facts and measures that tell designs apart, each scored 0..1 for the distance.
FACTS = ("pays_on_recruitment", "per_head", "team_pay", "purchase_required_to_earn", "pays_on_sales",
         "creates_liability")
MEASURES = ("reward_share_recruitment", "reward_share_team", "internal_consumption_share",
            "entry_fee_excess_share", "share_losing_money")


def profile(scenario: Scenario, measured: Measured) -> np.ndarray:
    """A design's position: its declared facts (any rule declaring each) and its measures."""
    facts = [f for rule in scenario.rules for f in [rule.facts()]]
    flags = [float(any(getattr(f, name) for f in facts)) for name in FACTS]
    return np.array(flags + [float(measured[k]) for k in MEASURES])


def most_resembles(scenario: Scenario, measured: Measured, cases: list[tuple[Scenario, np.ndarray]]
                   ) -> tuple[Scenario, float]:
    """The decided case nearest to a design (Euclidean distance between profiles, facts and
    measures weighted alike), and that distance."""
    me = profile(scenario, measured)
    best = min(cases, key=lambda c: float(np.linalg.norm(c[1] - me)))
    return best[0], float(np.linalg.norm(best[1] - me))


# Names of the elements and of the authority's findings, for the report and the dashboard.
ELEMENT_NAMES = {
    "recruitment": ("拉人头: pay by the number recruited", "拉人头:以发展人员数量计酬"),
    "entry_fee": ("入门费: an entry fee, including via goods", "入门费:交纳费用或变相购买商品"),
    "team_pay": ("团队计酬: pay on the downline's sales", "团队计酬:以下线销售业绩计酬"),
    "criminal_threshold": ("刑法 224-1: 30 participants and 3 levels", "刑法第二百二十四条之一立案追诉标准"),
    "payment_to_join": ("Koscot: payment for the right to sell", "Koscot:付费取得销售权"),
    "recruitment_rewards": ("Koscot: rewards for recruiting", "Koscot:招募奖励"),
    "retail_shortfall": ("pay or sales not resting on non-participants", "报酬或销售并非来自非参与者"),
    "consideration": ("point 14: consideration for the opportunity", "第 14 点:为获酬机会支付对价"),
    "recruitment_derived": ("point 14: pay derived primarily from introductions", "第 14 点:报酬主要来自介绍他人"),
}
AUTHORITY_NAMES = {FOUND: ("found", "认定存在"), NOT_FOUND: ("found absent", "认定不存在"),
                   ALLEGED: ("alleged, settled", "指控(和解)"), NOT_EXAMINED: ("not examined", "未审查")}
AUDIT_NAMES = (("not found", "未发现"), ("found", "发现"))
FINDING_NAMES = {"pyramid": ("found a pyramid", "认定为传销(金字塔计划)"), "partial": ("some elements, or settled", "部分要件或和解"),
                 "not_a_pyramid": ("not a pyramid", "认定不属于传销")}


def rows(views: list[ElementView], lang: str = "en", *, own: bool = True) -> list[tuple[str, str, str, str]]:
    """(element, the authority, the audit, agreement) in words, one row per element. ``own``:
    the audit is of the case's own scheme (agrees / differs), else of a design set beside it
    (as in the case / unlike the case)."""
    zh = lang == "zh"
    same, other = ((("agrees", "一致"), ("differs", "不一致")) if own else
                   (("as in the case", "与该案例相同"), ("unlike the case", "与该案例不同")))
    out = []
    for v in views:
        if not v.compared:
            agreement = ("—", "—")
        elif v.agrees:
            agreement = same
        elif v.documented_disagreement and own:
            agreement = ("differs: a fact the simulation cannot have (see notes)", "不一致:仿真无法具备的事实(见说明)")
        else:
            agreement = other
        out.append((ELEMENT_NAMES[v.element][zh], AUTHORITY_NAMES[v.authority][zh],
                    AUDIT_NAMES[v.audit_finds][zh], agreement[zh]))
    return out


@lru_cache(maxsize=1)
def library() -> tuple[tuple[Scenario, np.ndarray], ...]:
    """Every decided case with its profile, each run once per process at the case tests' size."""
    out = []
    for s in case_scenarios():
        result = run(s, seed=7, market_size=3000, days=120, journal=False)
        out.append((s, profile(s, Measured(result))))
    return tuple(out)


def nearest_case(scenario: Scenario, measured: Measured) -> tuple[Scenario, float]:
    """The decided case a design most resembles (never itself)."""
    others = [c for c in library() if c[0].id != scenario.id]
    return most_resembles(scenario, measured, others)
