"""The fixed sections of a scenario file: what the scenario is, its market, retail and churn."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sim.errors import shown
from sim.schema import param

# A scenario id names files (a saved scenario, a sensitivity chart): snake_case, short, and
# nothing a path or a terminal could read as more than a name.
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")

# Business-model families, in the order `sim list` shows them: (English, Chinese).
FAMILY_NAMES = {
    "retail": ("Retail baseline", "零售基准"),
    "distribution": ("Distribution and referral", "分销与推荐"),
    "membership": ("Membership, subscription and engagement", "会员、订阅与互动"),
    "group_buying": ("Group buying and presale", "拼团、团购与预售"),
    "content_live": ("Content and live commerce", "内容与直播电商"),
    "points_pools": ("Points, pools and rebates", "积分、资金池与返利"),
    "channel": ("Channel and operations models", "渠道与运营模式"),
    "cases": ("Decided cases", "判例"),
}
FAMILIES = tuple(FAMILY_NAMES)


@dataclass(frozen=True)
class Meta:
    """[scenario]: identity and provenance. Text fields are shown to users as written."""
    id: str = param("", en="Identifier, English snake_case (the file name)", zh="标识符")
    name_en: str = param("", en="English name", zh="英文名称")
    name_zh: str = param("", en="Chinese name", zh="中文名称")
    family: str = param("retail", choices=FAMILIES, en="Business-model family", zh="模式类别")
    source: str = param("", en="Source id (docs/sources.md) and the passage quoted",
                        zh="来源编号(docs/sources.md)及引文")
    mechanism_en: str = param("", en="The mechanism in a few sentences", zh="机制说明(英文)")
    mechanism_zh: str = param("", en="The mechanism in Chinese", zh="机制说明")
    market_profile: str = param("", en="Default market profile: a file under scenarios/markets/ "
                                       "(empty: the file's own [market] and [churn])",
                                zh="默认市场画像:scenarios/markets/ 下的文件(留空:使用本文件的 [market] 与 [churn])")

    def problems(self) -> list[tuple[str, str, str]]:
        empty = [k for k in ("id", "name_en", "name_zh", "source") if not getattr(self, k)]
        if empty:
            return [(k, "must not be empty", "不能为空") for k in empty]
        if not ID_PATTERN.fullmatch(self.id):
            return [("id", "must be snake_case: a lower-case letter, then lower-case letters, "
                           f"digits or _, at most 64 in all; got {shown(self.id)}",
                     "必须是 snake_case:以小写字母开头,其后为小写字母、数字或下划线,最多 64 个字符;"
                     f"实际为 {shown(self.id)}")]
        return []


@dataclass(frozen=True)
class Market:
    """[market]: the finite population, its social network and how news of the scheme spreads.

    Adoption is Bass diffusion per person: daily hazard ``external_reach + word_of_mouth × f``,
    where f is the share-weighted fraction of the person's contacts who already use the
    platform, scaled by the person's trust. The person whose share converted them is their
    sponsor.
    """
    size: int = param(20_000, lo=1, hi=50_000_000, unit="persons", en="Market size (population)",
                      zh="市场规模(人口)")
    days: int = param(180, lo=1, hi=3_650, unit="days", en="Horizon in daily steps", zh="模拟天数")
    network: str = param("community", choices=("community", "well_mixed"),
                         en="Contact structure; well_mixed is for validation",
                         zh="社交网络结构;well_mixed 用于验证")
    community_size: int = param(100, lo=2, hi=100_000, unit="persons",
                                en="Persons per community (neighbourhood, group chat)",
                                zh="社区(小区、群)人数")
    contacts_within: int = param(8, lo=0, hi=1_000, unit="contacts",
                                 en="Contacts each person makes inside their community",
                                 zh="社区内联系人数")
    contacts_between: int = param(2, lo=0, hi=1_000, unit="contacts",
                                  en="Contacts each person makes with anyone in the market",
                                  zh="跨社区联系人数")
    external_reach: float = param(0.0005, lo=0, hi=1, unit="1/day",
                                  en="Bass p: daily chance of adopting from ads and search",
                                  zh="Bass 外部影响系数 p(每日)")
    word_of_mouth: float = param(0.05, lo=0, hi=10, unit="1/day",
                                 en="Bass q: daily adoption pull of a fully-adopted contact list",
                                 zh="Bass 口碑系数 q(每日)")
    founders: int = param(10, lo=1, hi=100_000, unit="persons",
                          en="Organisers active on day 0 (组织者)", zh="初始组织者人数")
    customer_share: float = param(1.0, lo=0, hi=100,
                                  en="Sharing intensity of an ordinary customer",
                                  zh="普通顾客分享强度")
    participant_share: float = param(1.0, lo=0, hi=100,
                                     en="Sharing intensity of a participant (paid to share)",
                                     zh="参与者(代理)分享强度")
    propensity: float = param(0.03, lo=0, hi=1, unit="1/day",
                              en="Mean daily purchase probability of a customer",
                              zh="顾客日均购买概率")
    propensity_spread: float = param(0.5, lo=0, hi=3,
                                     en="Coefficient of variation of purchase propensity",
                                     zh="购买倾向离散系数")
    basket: float = param(1.5, lo=1, hi=100, unit="units",
                          en="Mean units per order", zh="每单平均件数")
    trust: float = param(0.6, lo=0.01, hi=0.99, en="Mean trust in the platform (0-1)",
                         zh="对平台的平均信任度")
    trust_spread: float = param(0.15, lo=0, hi=0.45,
                                en="Standard deviation of trust; 0 makes everyone alike",
                                zh="信任度标准差")

    def problems(self) -> list[tuple[str, str, str]]:
        if self.founders > self.size:
            return [("founders", f"must be at most market.size ({self.size}), got {self.founders}",
                     f"不能超过 market.size({self.size}),实际为 {self.founders}")]
        # Trust is drawn from a beta with this mean and spread; a share between 0 and 1 with
        # mean m cannot have a standard deviation of sqrt(m × (1 − m)) or more.
        widest = math.sqrt(self.trust * (1 - self.trust))
        if self.trust_spread >= widest:
            return [("trust_spread", f"must be below {widest:.4g} when market.trust is "
                                     f"{self.trust:g} (a trust between 0 and 1 with that mean cannot "
                                     f"spread more), got {self.trust_spread:g}",
                     f"market.trust 为 {self.trust:g} 时必须小于 {widest:.4g}(均值为此的 0 到 1 之间的"
                     f"信任度不可能更分散),实际为 {self.trust_spread:g}")]
        return []


@dataclass(frozen=True)
class Retail:
    """[retail]: the everyday sale every model has (零售经济): price, costs and merchants."""
    price: float = param(100.0, lo=0.01, hi=1_000_000, unit="yuan", en="Retail price per unit",
                         zh="零售单价")
    unit_cost: float = param(60.0, lo=0, hi=1_000_000, unit="yuan",
                             en="Merchant's mean cost of goods per unit", zh="商家单位成本")
    unit_cost_spread: float = param(0.1, lo=0, hi=1,
                                    en="Spread of unit cost across merchants", zh="商家成本离散系数")
    platform_fee: float = param(0.05, lo=0, hi=1, en="Share of price the platform keeps",
                                zh="平台佣金比例")
    rangli: float = param(0.0, lo=0, hi=1,
                          en="让利: share of price a merchant gives up to fund rewards",
                          zh="商家让利比例")
    fulfilment_cost: float = param(8.0, lo=0, hi=100_000, unit="yuan/order",
                                   en="Logistics and fulfilment per order, paid by the platform",
                                   zh="每单履约(物流)成本")
    # Each merchant is an agent the engine steps every day, at about a hundred persons' cost:
    # 10,000 of them already take most of a run's time in a small market.
    merchants: int = param(20, lo=1, hi=10_000, en="Merchants selling on the platform",
                           zh="商家数量")
    merchant_fixed_cost: float = param(100.0, lo=0, hi=10_000_000, unit="yuan/day",
                                       en="A merchant's daily overhead", zh="商家每日固定成本")
    merchant_runway: int = param(60, lo=0, hi=3_650, unit="days",
                                 en="Days a merchant gives a new platform before judging it",
                                 zh="商家评估平台前的观察期")
    merchant_patience: int = param(30, lo=1, hi=3_650, unit="days",
                                   en="Days in a row of a losing 30-day window before a merchant exits",
                                   zh="商家连续亏损容忍天数")
    merchant_return: float = param(0.0, lo=0, hi=1, unit="1/day",
                                   en="Daily chance a merchant that left reopens once the platform's sales "
                                      "over 30 days are above what they were when it left (0: never)",
                                   zh="商家退出后,平台近 30 天销售额回升到其退出时水平以上时,每日重新开业的概率(0 为不回归)")

    def problems(self) -> list[tuple[str, str, str]]:
        if self.platform_fee + self.rangli > 1:
            return [("rangli", f"platform_fee + rangli must be at most 1 (100% of price), "
                               f"got {self.platform_fee + self.rangli:g}",
                     f"platform_fee + rangli 不能超过 1(售价的 100%),"
                     f"实际为 {self.platform_fee + self.rangli:g}")]
        return []


@dataclass(frozen=True)
class Churn:
    """[churn]: why people stop. Participants who have not earned back what they put in
    leave faster once the grace period is over; trust lowers every hazard."""
    customer: float = param(0.01, lo=0, hi=1, unit="1/day", en="Daily churn of a customer",
                            zh="顾客日流失率")
    participant: float = param(0.005, lo=0, hi=1, unit="1/day",
                               en="Daily churn of a participant who is breaking even",
                               zh="回本参与者日流失率")
    first_day: float = param(0.0, lo=0, hi=1,
                             en="Chance a new customer never comes back after day one",
                             zh="新顾客次日即流失的概率")
    earnings_sensitivity: float = param(2.0, lo=0, hi=100,
                                        en="Extra churn per unit of unrecovered outlay",
                                        zh="未回本对流失的放大系数")
    grace_days: int = param(30, lo=0, hi=3_650, unit="days",
                            en="Days a participant waits before judging earnings",
                            zh="参与者评估收益前的等待天数")


# [case]: a public decision encoded as a scenario (scenarios/cases/). What the authority found on
# each element of its law, in one small vocabulary, so that an audit's verdict can be set beside it.
ELEMENT_FINDINGS = ("found", "not_found", "alleged", "not_examined")
ELEMENT_FINDING_NAMES = {  # (English, Chinese), for the docs and the dashboard
    "found": ("the authority found the element", "认定存在"),
    "not_found": ("the authority examined it and found it absent", "经审查认定不存在"),
    "alleged": ("charged or alleged, but settled or undecided: no finding", "指控但未经裁决(和解等)"),
    "not_examined": ("the decision does not examine it", "裁决未审查"),
}
# The elements each jurisdiction's law turns on (keys of [case]).
CASE_ELEMENTS = {
    "cn": ("recruitment", "entry_fee", "team_pay", "criminal_threshold"),
    "us": ("payment_to_join", "recruitment_rewards", "retail_shortfall"),
    "eu": ("consideration", "recruitment_derived"),
}
CASE_OUTCOMES = ("administrative_penalty", "administrative_order", "criminal_conviction", "court_ruling", "settlement",
                 "not_a_pyramid")
CASE_FINDINGS = ("pyramid", "partial", "not_a_pyramid")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_SOURCE_LINE = re.compile(r"^(?P<title>[^|]+)\|\s*(?P<address>https?://\S+)\s*\|\s*read (?P<read>\d{4}-\d{2}-\d{2})$")


def _element(en: str, zh: str) -> Any:
    listed = ", ".join(ELEMENT_FINDINGS)
    return param("", en=f"{en} ({listed}; empty outside its jurisdiction)",
                 zh=f"{zh}({listed};非本法域留空)")


@dataclass(frozen=True)
class Case:
    """[case]: the decision a case scenario encodes, and what the authority found per element.

    Element values use :data:`ELEMENT_FINDINGS`. China: 禁止传销条例 Art. 7 (1) 拉人头
    ``recruitment``, (2) 入门费 ``entry_fee``, (3) 团队计酬 ``team_pay``, and whether 刑法
    224-1's 立案追诉 threshold (≥ 30 participants and ≥ 3 levels) was met
    (``criminal_threshold``). USA: the Koscot prongs (``payment_to_join``,
    ``recruitment_rewards``: rewards for recruiting unrelated to sales to ultimate users) and a
    finding that pay or sales did not rest on sales to non-participants (``retail_shortfall``).
    EU: UCPD Annex I point 14, the consumer's ``consideration`` and compensation
    ``recruitment_derived`` primarily from introducing others.
    """
    authority: str = param("", en="Authority or court that decided, in its own language and English",
                           zh="作出决定的机关或法院")
    date: str = param("", en="Date of the decision: YYYY, YYYY-MM or YYYY-MM-DD", zh="决定日期")
    number: str = param("", en="Case or document number where public (empty: none public)",
                        zh="案号或文书编号(未公开则留空)")
    jurisdiction: str = param("cn", choices=tuple(CASE_ELEMENTS), en="Jurisdiction", zh="法域")
    outcome: str = param("administrative_penalty", choices=CASE_OUTCOMES, en="Kind of decision",
                         zh="决定类型")
    finding: str = param("pyramid", choices=CASE_FINDINGS,
                         en="Overall: found a pyramid, only some elements or no finding, or not a pyramid",
                         zh="总体认定:传销/金字塔、部分要件或未认定、非传销")
    summary_en: str = param("", en="The decision in one line, English", zh="一句话概述(英文)")
    summary_zh: str = param("", en="The decision in one line, Chinese", zh="一句话概述")
    penalty: float = param(0.0, lo=0, hi=1e13, en="Money ordered: fines, confiscation or redress (0: none)",
                           zh="罚没或赔偿金额(0 为无)")
    currency: str = param("", en="Currency of penalty: CNY, USD, EUR or LTL", zh="币种")
    participants: int = param(0, lo=0, hi=10_000_000_000, unit="persons",
                              en="Participants the decision states (0: not stated)", zh="决定所述参与人数(0 为未载明)")
    levels: int = param(0, lo=0, hi=100_000, en="Levels the decision states (0: not stated)",
                        zh="决定所述层级数(0 为未载明)")
    amounts: str = param("", en="Amounts and counts as the decision states them", zh="决定所述金额与人数")
    recruitment: str = _element("China: 拉人头, pay by number recruited", "拉人头")
    entry_fee: str = _element("China: 入门费, incl. via a required purchase", "入门费")
    team_pay: str = _element("China: 团队计酬, pay on downline sales", "团队计酬")
    criminal_threshold: str = _element("China: 刑法 224-1 threshold (30 persons, 3 levels)",
                                       "刑法第二百二十四条之一立案追诉标准")
    payment_to_join: str = _element("USA: Koscot, payment for the right to sell", "Koscot:付费取得销售权")
    recruitment_rewards: str = _element("USA: Koscot, rewards for recruiting unrelated to retail",
                                        "Koscot:与零售无关的招募奖励")
    retail_shortfall: str = _element("USA: pay or sales not resting on non-participants",
                                     "美国:报酬或销售并非来自非参与者")
    consideration: str = _element("EU: point 14, the consumer gives consideration", "欧盟:消费者支付对价")
    recruitment_derived: str = _element("EU: point 14, compensation derived primarily from recruits",
                                        "欧盟:报酬主要来自引入他人")
    quote: str = param("", en="The decisive passage, quoted in the source's language", zh="决定原文摘录")
    sources: str = param("", en="One source a line: title | https address | read YYYY-MM-DD",
                         zh="来源,每行一条:标题 | 网址 | read 阅读日期")
    notes: str = param("", en="Where sources disagree, and other caveats", zh="来源分歧及其他说明")
    not_simulable: str = param("", en="Facts the law turned on that a simulation cannot have",
                               zh="模拟无法具备的关键事实(主观明知、组织者角色等)")
    approximations: str = param("", en="What the composition approximates or leaves out",
                                zh="组合规则近似或遗漏之处")
    audit_disagrees: str = param("", en="Elements (space-separated) where the audit of the simulation "
                                       "cannot agree with the authority; not_simulable says why",
                                 zh="仿真审查无法与裁决一致的要件(空格分隔);原因见 not_simulable")

    def elements(self) -> dict[str, str]:
        """The authority's finding on each element of its jurisdiction's law."""
        return {k: getattr(self, k) for k in CASE_ELEMENTS[self.jurisdiction]}

    def source_lines(self) -> list[dict[str, str]]:
        return [m.groupdict() for line in self.sources.splitlines() if (m := _SOURCE_LINE.match(line.strip()))]

    def problems(self) -> list[tuple[str, str, str]]:
        empty = [k for k in ("authority", "date", "summary_en", "summary_zh", "quote", "sources")
                 if not getattr(self, k).strip()]
        if empty:
            return [(empty[0], "must not be empty", "不能为空")]
        if not _DATE.match(self.date):
            return [("date", f"must be YYYY, YYYY-MM or YYYY-MM-DD, got {self.date!r}",
                     f"必须是 YYYY、YYYY-MM 或 YYYY-MM-DD,实际为 {self.date!r}")]
        if "\n" in self.summary_en.strip() + self.summary_zh.strip():
            return [("summary_en" if "\n" in self.summary_en.strip() else "summary_zh",
                     "must be one line", "必须是一行")]
        bad = [line for line in self.sources.splitlines() if line.strip() and not _SOURCE_LINE.match(line.strip())]
        if bad:
            return [("sources", f"each line must read 'title | https://address | read YYYY-MM-DD', got {bad[0]!r}",
                     f"每行必须是“标题 | https://网址 | read YYYY-MM-DD”,实际为 {bad[0]!r}")]
        if self.penalty and self.currency not in ("CNY", "USD", "EUR", "LTL"):
            return [("currency", f"must be CNY, USD, EUR or LTL when penalty is set, got {self.currency!r}",
                     f"设置 penalty 时必须是 CNY、USD、EUR 或 LTL,实际为 {self.currency!r}")]
        listed = ", ".join(ELEMENT_FINDINGS)
        unknown = [k for k in CASE_ELEMENTS[self.jurisdiction] if getattr(self, k) not in ELEMENT_FINDINGS]
        if unknown:
            return [(unknown[0], f"must be one of {listed}, got {getattr(self, unknown[0])!r}",
                     f"必须是以下之一:{listed},实际为 {getattr(self, unknown[0])!r}")]
        stray = [k for k in self.audit_disagrees.split() if k not in CASE_ELEMENTS[self.jurisdiction]]
        if stray:
            listed_here = ", ".join(CASE_ELEMENTS[self.jurisdiction])
            return [("audit_disagrees", f"lists {stray[0]!r}; allowed: {listed_here}",
                     f"列出了 {stray[0]!r};允许:{listed_here}")]
        if self.audit_disagrees.strip() and not self.not_simulable.strip():
            return [("not_simulable", "must say why the audit cannot agree (audit_disagrees is set)",
                     "设置 audit_disagrees 时必须说明原因")]
        foreign = [(j, k) for j, keys in CASE_ELEMENTS.items() if j != self.jurisdiction
                   for k in keys if getattr(self, k)]
        if foreign:
            return [(foreign[0][1], f"is a {foreign[0][0]} element; leave it out of a {self.jurisdiction} case",
                     f"是 {foreign[0][0]} 法域的要件;{self.jurisdiction} 案例不应设置")]
        return []
