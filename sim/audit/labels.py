"""Bilingual names of what a finding shows: the figures in ``measured`` and ``thresholds``,
and the identifiers in its evidence (mechanisms, declared facts, reward kinds, roles).

Findings keep identifiers, so ``--json`` and the findings download stay machine-readable; the
report and the dashboard show ``label(key, lang)`` and ``term(vocabulary, name, lang)``. A
threshold key is its measure's key with a comparison suffix (``participants_at_least``), so it
is named from the measure and the comparison (参与者人数 ≥).

    >>> label("max_paid_depth", "zh")
    '最深计酬层级'
    >>> label("participants_at_least", "en", with_unit=True)
    'participants ≥ (persons)'
    >>> term("reward", ("jiandian", "pingji"), "zh")
    '见点奖、平级奖'
    >>> fact_value("entry_fee", 399.0, "zh")
    '¥399'
"""

from __future__ import annotations

import math
from typing import Any

from sim.rules import REGISTRY

# Units: "yuan" (money), "share" (a fraction, 0.25 is 25%), "persons", "levels" (links or
# organisation levels), "flag" (1.0 yes, 0.0 no).
YUAN, SHARE, PERSONS, LEVELS, FLAG = "yuan", "share", "persons", "levels", "flag"
UNIT_NAMES = {YUAN: ("yuan", "元"), PERSONS: ("persons", "人"), LEVELS: ("levels", "级")}

# key: (English, Chinese, unit)
MEASURES: dict[str, tuple[str, str, str]] = {
    # 禁止传销条例 Art. 7
    "reward_share_recruitment": ("share of rewards triggered by joins", "因加入触发的奖励占比", SHARE),
    "rewards_on_joins": ("rewards triggered by joins", "因加入触发的奖励", YUAN),
    "entry_fee": ("entry cost to earn", "取得计酬资格的费用", YUAN),
    "entry_goods_value": ("goods' value in the entry cost", "入门费所含商品价值", YUAN),
    "entry_fee_above_goods_value": ("entry cost beyond the goods' value", "入门费中超出商品价值部分", YUAN),
    "entry_fee_payers": ("persons who paid the entry cost", "缴纳入门费人数", PERSONS),
    "entry_fees_collected": ("entry costs collected", "收取的入门费合计", YUAN),
    "reward_share_team": ("share of rewards paid two or more links above the trigger",
                          "支付给触发者两层及以上上线的奖励占比", SHARE),
    "max_paid_depth": ("deepest paid depth", "最深计酬层级", LEVELS),
    "paid_depth": ("paid depth", "计酬层级", LEVELS),
    # 直销管理条例 Art. 24
    "rewards": ("participants' pay", "代理报酬合计", YUAN),
    "own_sales_to_consumers": ("own sales to consumers", "本人直接向消费者的销售额", YUAN),
    "pay_to_own_sales": ("pay ÷ own sales to consumers", "报酬 ÷ 本人向消费者的销售额", SHARE),
    "rewards_not_on_own_sales": ("pay not on own sales to consumers", "非按本人向消费者销售计算的报酬", YUAN),
    "share_not_on_own_sales": ("share of pay not on own sales to consumers",
                               "非按本人向消费者销售计算的报酬占比", SHARE),
    # out of scope: no recruited sales force (CN Art. 24, the US retail-share tests)
    "appointed_rewards": ("paid to hosts and leaders the platform appoints", "支付给平台签约主播或团长", YUAN),
    "customer_rewards": ("paid to customers on their own purchases", "按顾客本人消费支付的积分或返利", YUAN),
    # 刑法 224-1
    "participants": ("participants", "参与者人数", PERSONS),
    "levels": ("organisation levels", "组织层级", LEVELS),
    "over_threshold": ("at or over the prosecution threshold", "达到立案追诉标准", FLAG),
    "elements_met": ("admission price and pay by recruitment both present",
                     "同时具备入门费与按发展人员计酬", FLAG),
    "heads_over_threshold": ("persons heading an organisation over the threshold",
                             "所领导组织达到标准的人数", PERSONS),
    "collected": ("entry fees collected", "收取的入门费", YUAN),
    # USA
    "payment_for_right": ("payment for the right to earn", "为取得计酬资格支付的费用", YUAN),
    "recruitment_reward_share": ("share of rewards for recruiting", "招募报酬占全部报酬", SHARE),
    "non_participant_sales_share": ("share of sales to non-participants", "对非参与者的销售占比", SHARE),
    "internal_consumption_share": ("internal consumption share of sales", "内部自购占销售额", SHARE),
    "end_user_share": ("end-user share of sales", "终端用户销售占比", SHARE),
    "internal_reward_share": ("share of rewards triggered by participants' own purchases",
                              "由参与者自购触发的报酬占比", SHARE),
    "organisation_outside_share": ("share of organisations' revenue from non-participants",
                                   "组织销售收入中来自非参与者的占比", SHARE),
    # EU
    "consideration": ("consideration to take part", "参与所需对价", YUAN),
    "introduction_share": ("share of pay derived from introducing others", "来自介绍他人加入的报酬占比", SHARE),
}
COMPARISONS = (("_at_least", "≥"), ("_at_most", "≤"), ("_max", "≤"), ("_above", ">"))


def _entry(key: str) -> tuple[str, str, str] | None:
    if key in MEASURES:
        return MEASURES[key]
    for suffix, sign in COMPARISONS:
        base = MEASURES.get(key.removesuffix(suffix)) if key.endswith(suffix) else None
        if base:
            return f"{base[0]} {sign}", f"{base[1]} {sign}", base[2]
    return None


def label(key: str, lang: str = "en", *, with_unit: bool = False) -> str:
    """The figure's name in ``lang`` ("zh" or "en"), optionally with its unit in brackets;
    an unknown key is shown as itself."""
    entry = _entry(key)
    if entry is None:
        return key
    name = entry[1] if lang == "zh" else entry[0]
    if with_unit and entry[2] in UNIT_NAMES:
        en, zh = UNIT_NAMES[entry[2]]
        return f"{name}({zh})" if lang == "zh" else f"{name} ({en})"
    return name


def unit(key: str) -> str:
    """The figure's unit: "yuan", "share", "persons", "levels", "flag", or "" if unknown."""
    entry = _entry(key)
    return entry[2] if entry else ""


def yuan(v: float) -> str:
    """Money as shown to a reader: cents below ¥100, whole yuan above (¥49.50, ¥399, ¥2,100)."""
    return f"¥{v:,.2f}" if abs(v) < 100 else f"¥{v:,.0f}"


def figure(key: str, value: Any, lang: str = "en") -> str:
    """A measured value or threshold written in its unit: 25.0%, ¥399, 1,204, 是/否."""
    kind = unit(key)
    if kind == FLAG:
        return YES_NO[bool(value)][lang == "zh"]
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    v = float(value)
    if math.isinf(v):
        return "∞"
    if kind == SHARE:
        return f"{v:.1%}"
    if kind == YUAN:
        return yuan(v)
    return f"{v:,.0f}" if kind in (PERSONS, LEVELS) or v == int(v) else f"{v:,.3f}"


# -- the identifiers in a finding's evidence ------------------------------------------------
REWARD = "reward"  # the unit of reward_kinds: reward kinds, named from REWARDS
# Each field of sim.rules.base.Facts: (English, Chinese, unit).
FACTS: dict[str, tuple[str, str, str]] = {
    "reward_kinds": ("reward kinds", "奖励类型", REWARD),
    "levels_paid": ("deepest level it can pay", "可计酬的最深层级", LEVELS),
    "pays_on_recruitment": ("pays when someone joins", "因他人加入而计酬(拉人头)", FLAG),
    "pays_on_sales": ("pays on retail purchases", "按零售消费计酬", FLAG),
    "per_head": ("a fixed sum per new member", "按新增人头计酬(见点奖)", FLAG),
    "team_pay": ("pay on sales below one's own recruits", "团队计酬(按下线业绩计酬)", FLAG),
    "purchase_required_to_earn": ("a purchase is required to earn", "须购买方可获得计酬资格", FLAG),
    "entry_fee": ("entry fee", "入门费", YUAN),
    "qualifies": ("decides who becomes a participant", "决定谁成为参与者", FLAG),
    "appoints_payees": ("picks its own payees (hosts, creators)", "自行指定收款人(团长、达人)", FLAG),
    "pays_customers": ("pays customers on their own purchases", "按顾客本人消费返利", FLAG),
    "creates_liability": ("promises future value (points, pools, rebates)",
                          "承诺未来价值(积分、资金池、返利)", FLAG),
}
# Every kind of reward a rule pays (the "kind" of the ledger's journal and flows).
REWARDS: dict[str, tuple[str, str]] = {
    "direct_referral": ("direct referral reward", "直推奖"),
    "multi_level_commission": ("multi-level commission", "多级分销佣金"),
    "geometric_commission": ("geometric multi-level commission", "几何递减多级佣金"),
    "jiandian": ("per-head bonus on each new team member", "见点奖"),
    "pingji": ("same-rank bonus", "平级奖"),
    "leader_commission": ("group-buy leader's commission", "团长佣金"),
    "creator_commission": ("creator's commission", "达人佣金"),
    "creator_ad_share": ("creator's share of ad revenue", "达人广告分成"),
    "streamer_commission": ("streamer's commission", "主播佣金"),
    "slot_fee": ("live-stream slot fee", "坑位费"),
    "leaderboard_prize": ("leaderboard prize", "排行榜奖励"),
    "points_redeemed": ("points redeemed for goods", "积分兑换"),
    "points_pool": ("points-pool appreciation paid out", "积分池增值兑付"),
    "share_points": ("points for sharing", "分享奖励积分"),
    "shared_points": ("shared-purchase airdrop points", "共享购空投积分"),
    "dividend": ("dividend from the contribution pool", "贡献值分红"),
    "tier_refund": ("让利-tier refund", "让利分档返还"),
    "consumption_refund": ("consumption-rebate refund", "消费全返返还"),
}
ROLES = {"unaware": ("not joined", "未加入"), "consumer": ("customer", "顾客"),
         "distributor": ("distributor", "代理"), "leader": ("leader", "团长/老板")}
BASES = {"join": ("join", "加入"), "sale": ("purchase", "消费")}  # what triggered a reward
POSITIONS = {"worst": ("worst", "最差"), "best": ("best", "最好")}  # a ranking's ends; between them "25%"
TERMS: dict[str, dict[str, tuple[str, ...]]] = {
    "rule": {key: (rule.name_en, rule.name_zh) for key, rule in REGISTRY.items()},
    "fact": FACTS, REWARD: REWARDS, "role": ROLES, "basis": BASES, "position": POSITIONS}
YES_NO = (("no", "否"), ("yes", "是"))
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
