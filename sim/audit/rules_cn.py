"""China (中国): 禁止传销条例 Art. 7, 直销管理条例 Art. 24, 刑法 Art. 224-1.

Each test is a pure ``decide_*`` function of measured values (so thresholds can be tested
exactly) and a ``check_*`` function that measures a run and gathers the evidence.

Sources: 禁止传销条例 (国务院令第444号, 2005) 第七条; 直销管理条例 (国务院令第443号, 2005)
第二十四条; 中华人民共和国刑法 第二百二十四条之一; 最高人民法院 最高人民检察院 公安部《关于办理
组织领导传销活动刑事案件适用法律若干问题的意见》(公通字〔2013〕37号, "the 2013 opinion").
"""

from __future__ import annotations

from sim.audit import evidence as ev
from sim.audit.findings import BREACH, CLEAR, NOT_APPLICABLE, WARNING, Finding, LegalTest
from sim.audit.measure import HALF_CENT, Audited

ART7_1 = LegalTest("cn.ban_pyramid.art7_1_recruitment", "cn",
                   "Pay by the number of people recruited (拉人头)", "拉人头:以发展人员数量计酬",
                   "禁止传销条例 第七条第(一)项")
ART7_2 = LegalTest("cn.ban_pyramid.art7_2_entry_fee", "cn",
                   "Entry fee, including via a required goods purchase (入门费)",
                   "入门费:以交纳费用(含变相购买商品)取得加入或计酬资格", "禁止传销条例 第七条第(二)项")
ART7_3 = LegalTest("cn.ban_pyramid.art7_3_team_pay", "cn",
                   "Pay on the downline's sales (团队计酬)", "团队计酬:以下线销售业绩计酬",
                   "禁止传销条例 第七条第(三)项")
ART24 = LegalTest("cn.direct_selling.art24_pay_cap", "cn",
                  "Direct-selling pay: only on one's own sales to consumers, at most 30% of them",
                  "直销员报酬:只能按本人直接向消费者销售计算,且不超过其 30%", "直销管理条例 第二十四条")
CRIME = LegalTest("cn.criminal.art224_1_prosecution", "cn",
                  "Organising a pyramid scheme: prosecution threshold (≥ 30 participants and ≥ 3 levels)",
                  "组织、领导传销活动罪:立案追诉标准(三十人以上且三级以上)",
                  "刑法 第二百二十四条之一;公通字〔2013〕37号 第一条")
SERIOUS = LegalTest("cn.criminal.art224_1_serious", "cn",
                    "Organising a pyramid scheme: 'serious' markers (≥ 120 participants or ≥ ¥2.5M collected)",
                    "组织、领导传销活动罪:情节严重(一百二十人以上或二百五十万元以上)",
                    "刑法 第二百二十四条之一;公通字〔2013〕37号 第四条")

PAY_CAP = 0.30             # 直销管理条例 Art. 24: pay ≤ 30% of own sales to consumers
PROSECUTE_PARTICIPANTS = 30  # "三十人以上": 以上 includes the number itself
PROSECUTE_LEVELS = 3         # "三级以上", the organiser counted as level 1
SERIOUS_PARTICIPANTS = 120
SERIOUS_COLLECTED = 2_500_000.0


def _pct(x: float) -> str:
    return f"{x:.1%}" if x == x and abs(x) != float("inf") else "∞"


# -- Art. 7 (1) 拉人头 -------------------------------------------------------------------
def decide_art7_1(recruitment_reward_share: float, declared: bool) -> str:
    """Breach when any reward was paid because someone joined; a component that declares such
    pay without the run paying any is a warning (it would pay as soon as someone joins)."""
    if recruitment_reward_share > 0:
        return BREACH
    return WARNING if declared else CLEAR


def check_art7_1(a: Audited) -> Finding:
    i = a.indicators
    static = a.declaring("pays_on_recruitment", "per_head")
    share = i["reward_share_recruitment"]
    verdict = decide_art7_1(share, bool(static))
    amount = share * i["rewards"]
    en = (f"{share:.1%} of all rewards (¥{amount:,.0f}) were paid because someone joined. Paying on "
          f"the number of persons one brings in, directly or indirectly, is 拉人头 under Art. 7(1).")
    zh = (f"全部奖励中 {share:.1%}(¥{amount:,.0f})因有人加入而支付。以直接或间接发展的人员数量"
          f"计算报酬,属于第七条第(一)项所称拉人头。")
    if verdict == WARNING:
        en = "Components declare pay per recruit, but no such reward was paid in this run. " + en
        zh = "有组件声明按发展人员计酬,但本次运行未实际支付。" + zh
    elif verdict == CLEAR:
        en, zh = ("No reward depends on anyone joining: pay comes from purchases only.",
                  "没有任何奖励取决于他人加入:报酬只来自消费。")
    return ART7_1.finding(verdict, {"reward_share_recruitment": share, "rewards_on_joins": amount},
                          {"reward_share_recruitment_above": 0.0}, en, zh, static=static,
                          dynamic=ev.examples(ev.recruitment_earners(a), ev.sponsor_chain(a, basis="join"))
                          if share > 0 else ())


# -- Art. 7 (2) 入门费 -------------------------------------------------------------------
def decide_art7_2(entry_fee: float, can_earn: bool) -> str:
    """Breach when paying (money or a required package) is the condition for being able to
    earn; 'via goods' counts, whatever the goods are worth (变相交纳)."""
    return BREACH if entry_fee > 0 and can_earn else CLEAR


def check_art7_2(a: Audited) -> Finding:
    i = a.indicators
    fee, goods = i["entry_fee"], i["entry_goods_value"]
    can_earn = any(f.reward_kinds for f in a.facts.values())
    verdict = decide_art7_2(fee, can_earn)
    payers = int((a.people["entry_paid"].to_numpy() > 0).sum())
    measured = {"entry_fee": fee, "entry_goods_value": goods,
                "entry_fee_above_goods_value": i["entry_fee_above_goods_value"],
                "entry_fee_payers": payers, "entry_fees_collected": i["entry_fees_collected"]}
    if verdict == BREACH:
        en = (f"Becoming able to earn costs ¥{fee:,.0f} (goods worth ¥{goods:,.0f} included, so "
              f"¥{fee - goods:,.0f} is a fee beyond the goods). {payers:,} persons paid "
              f"¥{i['entry_fees_collected']:,.0f} in all. Requiring a payment or a goods purchase as "
              f"the condition to join or to earn is an entry fee under Art. 7(2).")
        zh = (f"取得计酬资格需支付 ¥{fee:,.0f}(含价值 ¥{goods:,.0f} 的商品,超出商品价值 ¥{fee - goods:,.0f})。"
              f"共 {payers:,} 人缴纳 ¥{i['entry_fees_collected']:,.0f}。以交纳费用或购买商品作为加入或"
              f"计酬的条件,属于第七条第(二)项所称入门费(含变相交纳)。")
    elif fee > 0:
        en, zh = (f"Joining costs ¥{fee:,.0f}, but no component pays rewards, so it buys no right to earn.",
                  f"加入需支付 ¥{fee:,.0f},但没有组件支付奖励,不构成取得计酬资格的条件。")
    else:
        en, zh = ("Anyone can earn without paying anything or buying anything first.",
                  "无需付费或先行购买即可获得计酬资格。")
    return ART7_2.finding(verdict, measured, {"entry_fee_above": 0.0}, en, zh,
                          static=a.declaring("entry_fee", "purchase_required_to_earn"),
                          dynamic=ev.examples(ev.entry_payers(a)) if verdict == BREACH else ())


# -- Art. 7 (3) 团队计酬 -----------------------------------------------------------------
def decide_art7_3(team_reward_share: float, declared: bool) -> str:
    """Breach when any reward reached past one's own recruits (paid depth >= 2)."""
    if team_reward_share > 0:
        return BREACH
    return WARNING if declared else CLEAR


def check_art7_3(a: Audited) -> Finding:
    i = a.indicators
    share, depth = i["reward_share_team"], i["max_paid_depth"]
    static = a.declaring("team_pay") + tuple(
        (k, "levels_paid", "unbounded" if f.levels_paid is None else f.levels_paid)
        for k, f in a.facts.items() if f.levels_paid is None or f.levels_paid >= 2)
    verdict = decide_art7_3(share, bool(static))
    en = (f"{share:.1%} of rewards were paid to sponsors two or more links above the person "
          f"whose join or purchase triggered them; the deepest payment reached {depth} links. "
          f"Pay computed on the downline's sales is 团队计酬 under Art. 7(3).")
    zh = (f"{share:.1%} 的奖励支付给距触发者两层及以上的上线,最深计酬层级为 {depth} 层。以下线的"
          f"销售业绩为依据计算上线报酬,属于第七条第(三)项所称团队计酬。")
    if verdict == WARNING:
        en = "Components declare pay beyond level 1, but none was paid in this run. " + en
        zh = "有组件声明跨层计酬,但本次运行未实际发生。" + zh
    elif verdict == CLEAR:
        en, zh = (f"No reward reached past one's own recruits (deepest paid depth {depth}).",
                  f"没有奖励超出本人直接推荐的一层(最深计酬层级 {depth})。")
    return ART7_3.finding(verdict, {"reward_share_team": share, "max_paid_depth": depth},
                          {"reward_share_team_above": 0.0, "paid_depth_at_least": 2}, en, zh,
                          static=static, dynamic=ev.examples(ev.sponsor_chain(a)) if share > 0 else ())


# -- 直销管理条例 Art. 24 ----------------------------------------------------------------
def decide_art24(rewards: float, own_sales: float, rewards_not_on_own_sales: float) -> str:
    """Breach when pay is not only on one's own sales to consumers, or when total pay exceeds
    30% of those sales ("不得超过": exactly 30% is allowed)."""
    if rewards <= HALF_CENT:
        return CLEAR
    if rewards_not_on_own_sales > HALF_CENT:
        return BREACH
    return BREACH if rewards > PAY_CAP * own_sales + HALF_CENT else CLEAR


def check_art24(a: Audited) -> Finding:
    i = a.indicators
    rewards, own = i["seller_rewards"], i["own_sales_to_consumers"]
    other = max(i["seller_rewards_not_on_own_sales"], 0.0)
    if rewards <= HALF_CENT and i["rewards"] > HALF_CENT:
        return _art24_out_of_scope(i)
    ratio = rewards / own if own else (float("inf") if rewards else 0.0)
    verdict = decide_art24(rewards, own, other)
    measured = {"rewards": rewards, "own_sales_to_consumers": own, "pay_to_own_sales": ratio,
                "rewards_not_on_own_sales": other,
                "share_not_on_own_sales": other / rewards if rewards else 0.0}
    en = (f"Participants were paid ¥{rewards:,.0f}; their own sales to consumers (what the persons "
          f"they brought in bought while not participants) came to ¥{own:,.0f}, so pay is {_pct(ratio)} of them "
          f"(cap 30%). ¥{other:,.0f} ({measured['share_not_on_own_sales']:.1%}) was paid on something "
          f"other than one's own sales to consumers (joins, participants' purchases, the downline). "
          f"Art. 24 binds licensed direct sellers; it is the line between lawful direct selling and 传销.")
    zh = (f"代理共获得报酬 ¥{rewards:,.0f};其本人直接向消费者的销售额(其带来的人非代理期间的消费)为 "
          f"¥{own:,.0f},报酬为其 {_pct(ratio)}(上限 30%)。其中 ¥{other:,.0f}"
          f"({measured['share_not_on_own_sales']:.1%})并非按本人向消费者的销售计算(而是按加入、代理"
          f"自购或下线业绩)。第二十四条约束持牌直销企业,是合法直销与传销的分界。")
    if rewards <= HALF_CENT:
        en, zh = ("No remuneration was paid.", "未支付任何报酬。")
    return ART24.finding(verdict, measured, {"pay_to_own_sales_max": PAY_CAP, "rewards_not_on_own_sales_max": 0.0},
                         en, zh, static=a.declaring("pays_on_recruitment", "team_pay"),
                         dynamic=ev.examples(ev.pay_against_own_sales(a)) if verdict == BREACH else ())


def _art24_out_of_scope(i: dict) -> Finding:
    """Everything paid went to hosts and 团长 the platform appoints, or to customers as points
    on their own purchases: no one was recruited to sell, so there is no direct-selling pay."""
    appointed, customer = i["appointed_rewards"], i["customer_rewards"]
    en = (f"No recruited sales force is paid: ¥{appointed:,.0f} went to hosts or leaders the platform "
          f"appoints (commission on the sales they make, service fees) and ¥{customer:,.0f} to "
          f"customers as points or rebates on their own purchases. Art. 24 governs the pay of "
          f"direct sellers, so it does not apply.")
    zh = (f"没有被招募的销售队伍获得报酬:¥{appointed:,.0f} 支付给平台签约的主播或团长(按其促成的销售计佣、"
          f"服务费),¥{customer:,.0f} 作为积分或返利支付给顾客本人的消费。第二十四条规范直销员报酬,本项不适用。")
    return ART24.finding(NOT_APPLICABLE, {"appointed_rewards": appointed, "customer_rewards": customer},
                         {}, en, zh, static=())


# -- 刑法 224-1 ------------------------------------------------------------------------
def over_prosecution_threshold(participants: int, levels: int) -> bool:
    """立案追诉: 三十人以上且层级在三级以上 (以上 includes the number itself)."""
    return participants >= PROSECUTE_PARTICIPANTS and levels >= PROSECUTE_LEVELS


def serious(participants: int, collected: float) -> bool:
    """情节严重: 一百二十人以上, or 二百五十万元以上 collected from participants."""
    return participants >= SERIOUS_PARTICIPANTS or collected >= SERIOUS_COLLECTED


def criminal_elements(entry_fee: float, recruitment_reward_share: float) -> bool:
    """Art. 224-1 needs both a price of admission (缴纳费用或者购买商品) and pay by the number
    of people recruited (直接或者间接以发展人员的数量作为计酬或者返利依据). Pure team pay on
    sales is not prosecuted (2013 opinion, Art. 5)."""
    return entry_fee > 0 and recruitment_reward_share > 0


def decide_prosecution(participants: int, levels: int, elements: bool) -> str:
    if not elements:
        return CLEAR
    return BREACH if over_prosecution_threshold(participants, levels) else WARNING


def decide_serious(participants: int, collected: float, elements: bool) -> str:
    return BREACH if elements and serious(participants, collected) else CLEAR


def _elements_text(a: Audited) -> tuple[str, str]:
    i = a.indicators
    if criminal_elements(i["entry_fee"], i["reward_share_recruitment"]):
        return ("The scheme charges for admission and pays by recruitment, the elements of Art. 224-1.",
                "该模式收取加入费用并按发展人员计酬,具备第二百二十四条之一的构成要件。")
    if i["reward_share_team"] > 0:
        return ("No price of admission together with pay by recruitment: pay on sales through a team "
                "(团队计酬) is administrative, not criminal (2013 opinion, Art. 5).",
                "不同时具备入门费与按发展人员计酬:单纯以销售业绩为依据的团队计酬不作为犯罪处理"
                "(2013 年意见第五条)。")
    return ("No price of admission together with pay by recruitment: the elements of Art. 224-1 are absent.",
            "不同时具备入门费与按发展人员计酬,不具备第二百二十四条之一的构成要件。")


def check_prosecution(a: Audited) -> Finding:
    i = a.indicators
    n, levels = i["participants"], i["org_levels"]
    elements = criminal_elements(i["entry_fee"], i["reward_share_recruitment"])
    verdict = decide_prosecution(n, levels, elements)
    over = over_prosecution_threshold(n, levels)
    el_en, el_zh = _elements_text(a)
    en = (f"{n:,} participants in {levels} levels (organiser counted as level 1, on the sponsor tree: "
          f"breaking away while still paid does not cut the count) — {'at or over' if over else 'under'} "
          f"the threshold of 30 participants and 3 levels. {i['heads_over_threshold']:,} persons each "
          f"head an organisation over it. {el_en}")
    zh = (f"共 {n:,} 名参与者、{levels} 个层级(组织者计为第一级,按推荐关系计算:形式上脱离但继续获得"
          f"报酬的,仍计入)——{'已达到' if over else '未达到'}三十人以上且三级以上的立案追诉标准。其中 "
          f"{i['heads_over_threshold']:,} 人各自领导的组织已达到该标准。{el_zh}")
    measured = {"participants": n, "levels": levels, "over_threshold": float(over),
                "elements_met": float(elements), "heads_over_threshold": i["heads_over_threshold"]}
    return CRIME.finding(verdict, measured,
                         {"participants_at_least": PROSECUTE_PARTICIPANTS, "levels_at_least": PROSECUTE_LEVELS},
                         en, zh, static=a.declaring("entry_fee", "pays_on_recruitment", "per_head"),
                         dynamic=ev.examples(ev.longest_chain(a)) if elements else ())


def check_serious(a: Audited) -> Finding:
    i = a.indicators
    n, collected = i["participants"], i["entry_fees_collected"]
    elements = criminal_elements(i["entry_fee"], i["reward_share_recruitment"])
    verdict = decide_serious(n, collected, elements)
    el_en, el_zh = _elements_text(a)
    en = (f"{n:,} participants (marker: 120 or more) and ¥{collected:,.0f} collected as entry fees "
          f"(marker: ¥2,500,000 or more). {el_en}")
    zh = (f"参与者 {n:,} 人(标准:一百二十人以上),收取入门费 ¥{collected:,.0f}(标准:二百五十万元以上)。{el_zh}")
    return SERIOUS.finding(verdict, {"participants": n, "collected": collected, "elements_met": float(elements)},
                           {"participants_at_least": SERIOUS_PARTICIPANTS, "collected_at_least": SERIOUS_COLLECTED},
                           en, zh, static=a.declaring("entry_fee"))


CHECKS = (check_art7_1, check_art7_2, check_art7_3, check_art24, check_prosecution, check_serious)
TESTS = (ART7_1, ART7_2, ART7_3, ART24, CRIME, SERIOUS)
