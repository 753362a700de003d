"""Bilingual names of the figures a finding reports in ``measured`` and ``thresholds``.

Findings keep identifiers as keys, so ``--json`` and the findings download stay
machine-readable; the report and the dashboard show ``label(key, lang)``. A threshold key is
its measure's key with a comparison suffix (``participants_at_least``), so it is named from
the measure and the comparison (参与者人数 ≥).

    >>> label("max_paid_depth", "zh")
    '最深计酬层级'
    >>> label("participants_at_least", "en", with_unit=True)
    'participants ≥ (persons)'
"""

from __future__ import annotations

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
