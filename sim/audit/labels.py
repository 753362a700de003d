"""Bilingual names of what a finding shows: the figures in ``measured`` and ``thresholds``
(named by the measures vocabulary, :mod:`sim.measures`), and the identifiers in its evidence
(mechanisms, declared facts, reward kinds, roles).

Findings keep identifiers, so ``--json`` and the findings download stay machine-readable; the
report and the dashboard show ``label(key, lang)`` and ``term(vocabulary, name, lang)``. A
threshold key is its measure's key with a comparison suffix (``participants_at_least``), so it
is named from the measure and the comparison (参与者 ≥).

    >>> label("max_paid_depth", "zh")
    '最深计酬层级'
    >>> label("org_levels_at_least", "en", with_unit=True)
    'organisation levels (organiser = 1, everyone who ever took part) ≥ (levels)'
    >>> term("reward", ("jiandian", "pingji"), "zh")
    '见点奖、平级奖'
    >>> fact_value("entry_fee", 399.0, "zh")
    '¥399'
"""

from __future__ import annotations

from typing import Any

from sim.measures import FLAG, LEVELS, REWARD_NAMES, YES_NO, YUAN, figure, unit, yuan
from sim.measures import name as label  # every figure is named by the measures vocabulary
from sim.rules import REGISTRY

__all__ = ["FACTS", "REWARDS", "TERMS", "fact_value", "figure", "label", "term", "unit", "yuan"]


# -- the identifiers in a finding's evidence ------------------------------------------------
REWARD = "reward"  # the unit of reward_kinds: reward kinds, named from REWARDS
# Each field of sim.rules.base.Facts: (English, Chinese, unit).
FACTS: dict[str, tuple[str, str, str]] = {
    "reward_kinds": ("reward kinds", "奖励类型", REWARD),
    "levels_paid": ("deepest level it can pay", "可计酬的最深层级", LEVELS),
    "pays_on_recruitment": ("pays when someone joins", "因他人加入而计酬(拉人头)", FLAG),
    "pays_on_sales": ("pays on retail purchases", "按零售消费计酬", FLAG),
    "per_head": ("a fixed sum per new member", "按新增人头计酬(见点奖)", FLAG),
    "team_pay": ("pays on others' purchases than the payee's own customers'",
                 "团队计酬(按本人顾客以外的下线消费计酬)", FLAG),
    "pay_set_by_rank": ("what it pays depends on the payee's rank", "报酬随等级不同(级差)", FLAG),
    "ranks_by_team_volume": ("promotes on the team's purchases", "按团队业绩晋升等级", FLAG),
    "purchase_required_to_earn": ("qualifying costs a purchase or a fee", "取得资格需购买商品或付费", FLAG),
    "entry_fee": ("entry fee", "入门费", YUAN),
    "qualifies": ("decides who becomes a participant", "决定谁成为参与者", FLAG),
    "appoints_payees": ("picks its own payees (hosts, creators)", "自行指定收款人(团长、达人)", FLAG),
    "pays_customers": ("pays every customer alike on their own purchases", "按顾客本人消费一律返利", FLAG),
    "creates_liability": ("promises future value (points, pools, rebates)",
                          "承诺未来价值(积分、资金池、返利)", FLAG),
}
REWARDS = REWARD_NAMES  # every kind of reward a rule pays (the "kind" of the journal and flows)
ROLES = {"unaware": ("not joined", "未加入"), "consumer": ("customer", "顾客"),
         "distributor": ("distributor", "代理"), "leader": ("leader", "团长/老板")}
BASES = {"join": ("join", "加入"), "sale": ("purchase", "消费")}  # what triggered a reward
POSITIONS = {"worst": ("worst", "最差"), "best": ("best", "最好")}  # a ranking's ends; between them "25%"
TERMS: dict[str, dict[str, tuple[str, ...]]] = {
    "rule": {key: (rule.name_en, rule.name_zh) for key, rule in REGISTRY.items()},
    "fact": FACTS, REWARD: REWARDS, "role": ROLES, "basis": BASES, "position": POSITIONS}
UNBOUNDED = ("unbounded", "不限")


def term(vocabulary: str, name: str | tuple[str, ...], lang: str = "en") -> str:
    """An identifier's word in ``lang`` from one vocabulary of :data:`TERMS` ("rule" names a
    mechanism by its [rules.KEY]); a tuple of identifiers is listed, "—" when empty. An
    unknown identifier is shown as itself."""
    if isinstance(name, tuple):
        return ("、" if lang == "zh" else ", ").join(term(vocabulary, n, lang) for n in name) or "—"
    entry = TERMS[vocabulary].get(name)
    return str(name) if entry is None else entry[lang == "zh"]


def fact_value(name: str, value: Any, lang: str = "en") -> str:
    """A declared fact's value in words: yes/no, ¥399, unbounded levels, reward kinds by name."""
    zh = lang == "zh"
    kind = FACTS[name][2] if name in FACTS else ""
    if isinstance(value, bool):
        return YES_NO[value][zh]
    if kind == LEVELS and value in (None, UNBOUNDED[0]):  # Facts' None; the evidence writes "unbounded"
        return UNBOUNDED[zh]
    if kind == YUAN:
        return yuan(value)
    if kind == REWARD:
        return term(REWARD, tuple(value), lang)
    return str(value)
