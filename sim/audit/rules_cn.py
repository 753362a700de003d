"""China (中国): 禁止传销条例 Art. 7, 直销管理条例 Art. 24, 刑法 Art. 224-1.

Each test is a pure ``decide_*`` function of measured values (so thresholds can be tested
exactly) and a ``check_*`` function that measures a run and gathers the evidence. Each
docstring says whom the test is about (the scheme, each person, each organisation), over
whom (everyone who ever took part, or those active at the end) and over what period.

Sources: 禁止传销条例 (国务院令第444号, 2005) 第二条、第七条; 直销管理条例 (国务院令第443号, 2005)
第二十四条; 中华人民共和国刑法 第二百二十四条之一; 最高人民法院 最高人民检察院 公安部《关于办理
组织领导传销活动刑事案件适用法律若干问题的意见》(公通字〔2013〕37号, "the 2013 opinion");
重庆市巴南区市场监督管理局对重庆宝月窖藏酒业有限公司“二级分销”的行政处罚 (reported by 中国消费者报,
2022-03-08: 分销员 A 12% on sales A shares; A recruits B, B 13% and A 3% on sales B shares; fined
¥5,000 as 传销, "以下线的销售业绩为依据计算和给付上线报酬", though no distribution commission had
been paid).
"""

from __future__ import annotations

import math

import numpy as np

from sim.audit import evidence as ev
from sim.audit.findings import BREACH, NOT_APPLICABLE, NOT_TRIGGERED, WARNING, Finding, LegalTest
from sim.measures import HALF_CENT, Measured, yuan

ART7_1 = LegalTest("cn.ban_pyramid.art7_1_recruitment", "cn",
                   "Pay by the number of people recruited (拉人头)", "拉人头:以发展人员数量计酬",
                   "禁止传销条例 第七条第(一)项")
ART7_2 = LegalTest("cn.ban_pyramid.art7_2_entry_fee", "cn",
                   "Entry fee, including via a required goods purchase (入门费)",
                   "入门费:以交纳费用(含变相购买商品)取得加入或计酬资格", "禁止传销条例 第七条第(二)项")
ART7_3 = LegalTest("cn.ban_pyramid.art7_3_team_pay", "cn",
                   "Pay on the downline's sales (团队计酬)", "团队计酬:以下线销售业绩计酬",
                   "禁止传销条例 第二条、第七条第(三)项")
ART24 = LegalTest("cn.direct_selling.art24_pay_cap", "cn",
                  "Direct-selling pay: each salesperson paid only on their own sales to consumers, "
                  "at most 30% of them", "直销员报酬:每人只能按本人直接向消费者销售计算,且不超过其 30%",
                  "直销管理条例 第二十四条")
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
CHONGQING_2022 = ("Chongqing in 2022", "重庆巴南区 2022 年“二级分销”案")


def _pct(x: float) -> str:
    return f"{x:.1%}" if math.isfinite(x) else "∞"


# -- Art. 7 (1) 拉人头 -------------------------------------------------------------------
def decide_art7_1(recruitment_reward_share: float, declared: bool) -> str:
    """The scheme, over the whole run: breach when any reward was paid because someone
    joined ("以其直接或者间接滚动发展的人员数量为依据计算和给付报酬"; one such payment is the
    design at work); a component that declares such pay without the run paying any is a
    warning (it pays as soon as someone joins)."""
    if recruitment_reward_share > 0:
        return BREACH
    return WARNING if declared else NOT_TRIGGERED


def check_art7_1(a: Measured) -> Finding:
    static = a.declaring("pays_on_recruitment", "per_head")
    share, amount = a["reward_share_recruitment"], a["rewards_on_joins"]
    verdict = decide_art7_1(share, bool(static))
    en = (f"{share:.1%} of all rewards ({yuan(amount)}) were paid because someone joined. Paying on "
          f"the number of persons one brings in, directly or indirectly, is 拉人头 under Art. 7(1).")
    zh = (f"全部奖励中 {share:.1%}({yuan(amount)})因有人加入而支付。以直接或间接发展的人员数量"
          f"计算报酬,属于第七条第(一)项所称拉人头。")
    if verdict == WARNING:
        en = "Components declare pay per recruit, but no such reward was paid in this run. " + en
        zh = "有组件声明按发展人员计酬,但本次运行未实际支付。" + zh
    elif verdict == NOT_TRIGGERED:
        en, zh = ("No reward depends on anyone joining: pay comes from purchases only.",
                  "没有任何奖励取决于他人加入:报酬只来自消费。")
    return ART7_1.finding(verdict, {"reward_share_recruitment": share, "rewards_on_joins": amount},
                          {"reward_share_recruitment_above": 0.0}, en, zh, static=static,
                          dynamic=ev.examples(ev.recruitment_earners(a), ev.sponsor_chain(a, basis="join"))
                          if share > 0 else ())


# -- Art. 7 (2) 入门费 -------------------------------------------------------------------
def decide_art7_2(entry_fee: float, buys_right_to_earn: bool) -> str:
    """The scheme's terms of entry: breach when paying (money, or a required package of any
    value: 变相交纳) is what gives the right to be paid or to recruit ("取得加入或者发展其他
    人员加入的资格"). A payment that buys no such right is not an entry fee at all."""
    return BREACH if entry_fee > 0 and buys_right_to_earn else NOT_TRIGGERED


def check_art7_2(a: Measured) -> Finding:
    fee, goods, excess = a["entry_fee"], a["entry_goods_value"], a["entry_fee_above_goods_value"]
    right = a["entry_buys_right_to_earn"]
    verdict = decide_art7_2(fee, right)
    payers, collected = a["entry_fee_payers"], a["entry_fees_collected"]
    measured = {"entry_fee": fee, "entry_goods_value": goods, "entry_fee_above_goods_value": excess,
                "entry_buys_right_to_earn": float(right), "entry_fee_payers": payers,
                "entry_fees_collected": collected}
    if verdict == BREACH:
        en = (f"Qualifying costs {yuan(fee)} once and is what gives the right to be paid. "
              + (f"It comes with goods worth {yuan(goods)}: a package at fair value that buys the "
                 f"right to earn is still a disguised fee (变相交纳); {yuan(excess)} of it is beyond "
                 f"the goods. " if goods > 0 else "")
              + f"{payers:,} persons paid {yuan(collected)} in all to qualify (renewals included). "
              f"Requiring a payment or a goods purchase as the condition to join or to earn is an "
              f"entry fee under Art. 7(2).")
        zh = (f"取得资格一次需支付 {yuan(fee)},并以此取得计酬权。"
              + (f"其中含价值 {yuan(goods)} 的商品:以公允价值的商品换取计酬资格,仍属变相交纳入门费;"
                 f"超出商品价值部分为 {yuan(excess)}。" if goods > 0 else "")
              + f"共 {payers:,} 人为取得资格支付 {yuan(collected)}(含续费)。以交纳费用或购买商品作为"
              f"加入或计酬的条件,属于第七条第(二)项所称入门费。")
    elif fee > 0:
        en, zh = (f"Qualifying costs {yuan(fee)}, but it buys no right to be paid: every reward in "
                  f"this model goes to all customers alike or to payees the platform appoints. A "
                  f"purchase that buys no right to earn is not an entry fee.",
                  f"取得资格需支付 {yuan(fee)},但并不因此取得计酬权:本模式的奖励或一律给予所有顾客,"
                  f"或支付给平台指定的收款人。不带来计酬权的购买不构成入门费。")
    else:
        en, zh = ("Anyone can earn without paying anything or buying anything first.",
                  "无需付费或先行购买即可获得计酬资格。")
    return ART7_2.finding(verdict, measured, {"entry_fee_above": 0.0}, en, zh,
                          static=a.declaring("entry_fee", "purchase_required_to_earn"),
                          dynamic=ev.examples(ev.entry_payers(a)) if verdict == BREACH else ())


# -- Art. 7 (3) 团队计酬 -----------------------------------------------------------------
def decide_art7_3(team_reward_share: float, declared: bool) -> str:
    """The scheme, over the whole run: breach when any reward is team pay, pay resting on
    purchases by persons other than the payee and their own customers: paid depth >= 2, a
    purchase by a recruit while they are a participant (Art. 2 counts the sales of persons
    one developed "directly or indirectly"; Chongqing 2022 fined a two-level design), or an
    amount set by a rank reached on team volume (级差). Declared but unpaid: a warning (the
    Chongqing penalty came before any commission had been paid)."""
    if team_reward_share > 0:
        return BREACH
    return WARNING if declared else NOT_TRIGGERED


def _declared_team_pay(a: Measured) -> tuple[tuple[str, str, object], ...]:
    """Components whose pay can be team pay: by depth or a participant recruit's purchases,
    or by rank when a component promotes on team volume and another pays by rank."""
    static = a.declaring("team_pay") + tuple(
        (k, "levels_paid", "unbounded" if f.levels_paid is None else f.levels_paid)
        for k, f in a.facts.items() if f.levels_paid is None or f.levels_paid >= 2)
    by_rank = a.declaring("pay_set_by_rank")
    promote = a.declaring("ranks_by_team_volume")
    return static + ((by_rank + promote) if by_rank and promote else ())


def check_art7_3(a: Measured) -> Finding:
    share, deep, depth = a["reward_share_team"], a["share_rewards_depth_ge_2"], a["max_paid_depth"]
    static = _declared_team_pay(a)
    verdict = decide_art7_3(share, bool(static))
    near = max(share - deep, 0.0)
    en = (f"{share:.1%} of rewards are team pay: {deep:.1%} reached two or more sponsor links above "
          f"the person whose join or purchase triggered them (the deepest {depth} links)"
          + (f", and {near:.1%} was paid on a recruit's purchases while that recruit was a "
             f"participant, or at a rank reached on team volume" if near > 0 else "")
          + f". Pay computed on the sales of persons one developed, directly or indirectly, is "
          f"团队计酬 under Art. 2 and Art. 7(3); a two-level design was fined as such in {CHONGQING_2022[0]}.")
    zh = (f"{share:.1%} 的奖励属于团队计酬:其中 {deep:.1%} 支付给距触发者两层及以上的上线(最深 {depth} 层)"
          + (f",{near:.1%} 按下线在参与者身份期间的消费、或按以团队业绩晋升的等级支付" if near > 0 else "")
          + f"。以直接或间接发展的人员的销售业绩为依据计酬,属于第二条、第七条第(三)项所称团队计酬;"
          f"{CHONGQING_2022[1]}即以此处罚。")
    if verdict == WARNING:
        en = ("Components declare team pay, but none was paid in this run; in " + CHONGQING_2022[0]
              + " such a design was fined before any commission had been paid. " + en)
        zh = "有组件声明团队计酬,但本次运行未实际发生;" + CHONGQING_2022[1] + "在尚未支付任何佣金时即予处罚。" + zh
    elif verdict == NOT_TRIGGERED:
        en, zh = ("No reward rests on the purchases of anyone but the payee and their own customers.",
                  "没有奖励以收款人本人及其自有顾客以外的人的消费为依据。")
    return ART7_3.finding(verdict, {"reward_share_team": share, "share_rewards_depth_ge_2": deep,
                                    "max_paid_depth": depth},
                          {"reward_share_team_above": 0.0}, en, zh, static=static,
                          dynamic=ev.examples(ev.sponsor_chain(a), ev.team_earners(a)) if share > 0 else ())


# -- 直销管理条例 Art. 24 ----------------------------------------------------------------
def decide_art24(pay: float, own_sales: float, pay_off_own_sales: float) -> str:
    """One salesperson over the whole run (the article caps what each 直销员 is paid against
    "直销员本人直接向消费者销售产品的收入"): breach when any of the pay is not on their own
    sales to consumers, or all of it exceeds 30% of those sales ("不得超过": exactly 30% is
    allowed). The scheme breaches when any salesperson does."""
    if pay <= HALF_CENT:
        return NOT_TRIGGERED
    if pay_off_own_sales > HALF_CENT:
        return BREACH
    return BREACH if pay > PAY_CAP * own_sales + HALF_CENT else NOT_TRIGGERED


def salespersons_over(pay: np.ndarray, own_sales: np.ndarray, pay_off_own_sales: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Per salesperson: (paid over 30% of own sales, paid on anything but own sales), as
    :func:`decide_art24` decides for one."""
    paid = pay > HALF_CENT
    return paid & (pay > PAY_CAP * own_sales + HALF_CENT), paid & (pay_off_own_sales > HALF_CENT)


def check_art24(a: Measured) -> Finding:
    if a["seller_rewards"] <= HALF_CENT and a["rewards"] > HALF_CENT:
        return _art24_out_of_scope(a)
    pay, own = a.column("seller_pay"), a.column("own_sales")
    off = pay - a.column("seller_pay_on_own_sales")
    over, off_own = salespersons_over(pay, own, off)
    ratios = a.pay_to_own_sales_each[a.salesperson]
    worst = float(ratios.max()) if len(ratios) else 0.0
    breach = bool(over.any() or off_own.any())
    verdict = BREACH if breach else NOT_TRIGGERED
    n, n_over, n_off = a["salespersons"], int(over.sum()), int(off_own.sum())
    total, sales, total_off = a["seller_rewards"], a["own_sales_to_consumers"], a["seller_rewards_off_own_sales"]
    measured = {"salespersons": n, "salespersons_over_cap": n_over,
                "salespersons_paid_off_own_sales": n_off, "worst_pay_to_own_sales": worst,
                "seller_rewards": total, "own_sales_to_consumers": sales,
                "pay_to_own_sales": a["pay_to_own_sales"], "seller_rewards_off_own_sales": total_off}
    en = (f"Each salesperson's pay is weighed against their own sales to consumers (what the "
          f"customers they brought in paid while customers). Of {n:,} salespersons paid, {n_over:,} "
          f"were paid more than 30% of their own sales (the highest {_pct(worst)}) and {n_off:,} were "
          f"paid on something other than their own sales to consumers (joins, participants' "
          f"purchases, the downline). All together: {yuan(total)} paid against {yuan(sales)} of own "
          f"sales ({_pct(a['pay_to_own_sales'])}), {yuan(total_off)} of it not on own sales. Art. 24 "
          f"binds licensed direct sellers; it is the line between lawful direct selling and 传销.")
    zh = (f"逐人比较每名销售人员的报酬与其本人直接向消费者的销售额(其带来的顾客在非参与者期间的支出)。"
          f"获得报酬的 {n:,} 名销售人员中,{n_over:,} 人报酬超过本人销售额的 30%(最高 {_pct(worst)}),"
          f"{n_off:,} 人获得并非按本人向消费者销售计算的报酬(按加入、参与者自购或下线业绩)。合计:报酬 "
          f"{yuan(total)},本人销售额 {yuan(sales)}({_pct(a['pay_to_own_sales'])}),其中 {yuan(total_off)} "
          f"并非按本人销售计算。第二十四条约束持牌直销企业,是合法直销与传销的分界。")
    if n == 0:
        en, zh = ("No salesperson was paid.", "没有销售人员获得报酬。")
    return ART24.finding(verdict, measured,
                         {"worst_pay_to_own_sales_max": PAY_CAP, "salespersons_paid_off_own_sales_max": 0},
                         en, zh, static=a.declaring("pays_on_recruitment", "team_pay"),
                         dynamic=ev.examples(ev.pay_against_own_sales(a)) if breach else ())


def _art24_out_of_scope(a: Measured) -> Finding:
    """Everything paid went to hosts and 团长 the platform appoints, or to customers alike on
    their own purchases: no one was recruited to sell, so there is no direct-selling pay."""
    appointed, customer = a["appointed_rewards"], a["customer_rewards"]
    en = (f"No recruited sales force is paid: {yuan(appointed)} went to hosts or leaders the platform "
          f"appoints (commission on the sales they make, service fees) and {yuan(customer)} to "
          f"customers alike as points or rebates on their own purchases. Art. 24 governs the pay of "
          f"direct sellers, so it does not apply.")
    zh = (f"没有被招募的销售队伍获得报酬:{yuan(appointed)} 支付给平台签约的主播或团长(按其促成的销售计佣、"
          f"服务费),{yuan(customer)} 作为积分或返利一律支付给顾客本人的消费。第二十四条规范直销员报酬,本项不适用。")
    return ART24.finding(NOT_APPLICABLE, {"appointed_rewards": appointed, "customer_rewards": customer},
                         {}, en, zh, static=())


# -- 刑法 224-1 ------------------------------------------------------------------------
def over_prosecution_threshold(participants: int, levels: int) -> bool:
    """立案追诉: 三十人以上且层级在三级以上 (以上 includes the number itself)."""
    return participants >= PROSECUTE_PARTICIPANTS and levels >= PROSECUTE_LEVELS


def serious(participants: int, collected: float) -> bool:
    """情节严重: 一百二十人以上, or 二百五十万元以上 collected from participants (累计)."""
    return participants >= SERIOUS_PARTICIPANTS or collected >= SERIOUS_COLLECTED


def criminal_elements(payment_for_right: float, recruitment_reward_share: float) -> bool:
    """Art. 224-1 needs both a price of admission that buys the right to take part
    (缴纳费用或者购买商品、服务等方式获得加入资格) and pay by the number of people recruited
    (直接或者间接以发展人员的数量作为计酬或者返利依据). Pure team pay on sales is not
    prosecuted (2013 opinion, Art. 5)."""
    return payment_for_right > 0 and recruitment_reward_share > 0


def decide_prosecution(participants: int, levels: int, elements: bool) -> str:
    """The organisation, counted over everyone who ever took part: the 2013 opinion counts
    participants and levels of the organisation cumulatively, and a formal breakaway that
    keeps being paid still counts (Art. 1); lapsing or leaving undoes nothing."""
    if not elements:
        return NOT_TRIGGERED
    return BREACH if over_prosecution_threshold(participants, levels) else WARNING


def decide_serious(participants: int, collected: float, elements: bool) -> str:
    """The organisation, cumulative over the whole run ("累计"), everyone who ever took part."""
    return BREACH if elements and serious(participants, collected) else NOT_TRIGGERED


def _elements_text(a: Measured) -> tuple[str, str]:
    if criminal_elements(a["payment_for_right_to_earn"], a["reward_share_recruitment"]):
        return ("The scheme charges for the right to take part and pays by recruitment, the elements of Art. 224-1.",
                "该模式收取取得资格的费用并按发展人员计酬,具备第二百二十四条之一的构成要件。")
    if a["reward_share_team"] > 0:
        return ("No price of admission together with pay by recruitment: pay on sales through a team "
                "(团队计酬) is administrative, not criminal (2013 opinion, Art. 5).",
                "不同时具备入门费与按发展人员计酬:单纯以销售业绩为依据的团队计酬不作为犯罪处理"
                "(2013 年意见第五条)。")
    return ("No price of admission together with pay by recruitment: the elements of Art. 224-1 are absent.",
            "不同时具备入门费与按发展人员计酬,不具备第二百二十四条之一的构成要件。")


def check_prosecution(a: Measured) -> Finding:
    n, levels = a["participants"], a["org_levels"]
    elements = criminal_elements(a["payment_for_right_to_earn"], a["reward_share_recruitment"])
    verdict = decide_prosecution(n, levels, elements)
    over = over_prosecution_threshold(n, levels)
    size, height = a.organisations
    heads = int(((size >= PROSECUTE_PARTICIPANTS) & (height >= PROSECUTE_LEVELS)).sum())
    active, active_levels = a["participants_active"], a["org_levels_active"]
    el_en, el_zh = _elements_text(a)
    en = (f"{n:,} persons ever took part, in {levels} levels (organiser counted as level 1, on the "
          f"sponsor tree of everyone who ever qualified: lapsing, leaving or breaking away removes "
          f"no one) — {'at or over' if over else 'under'} the threshold of 30 participants and 3 "
          f"levels. At the end {active:,} were still taking part, in {active_levels} levels. "
          f"{heads:,} persons each head an organisation over the threshold. {el_en}")
    zh = (f"曾参与者共 {n:,} 人、{levels} 个层级(组织者计为第一级,按所有曾取得资格者的推荐关系计算:"
          f"资格失效、退出或脱离均不减少人数与层级)——{'已达到' if over else '未达到'}三十人以上且三级以上的"
          f"立案追诉标准。期末仍在册 {active:,} 人、{active_levels} 个层级。其中 {heads:,} 人各自领导的组织"
          f"已达到该标准。{el_zh}")
    measured = {"participants": n, "org_levels": levels, "participants_active": active,
                "org_levels_active": active_levels, "over_threshold": float(over),
                "elements_met": float(elements), "heads_over_threshold": heads}
    return CRIME.finding(verdict, measured,
                         {"participants_at_least": PROSECUTE_PARTICIPANTS, "org_levels_at_least": PROSECUTE_LEVELS},
                         en, zh, static=a.declaring("entry_fee", "pays_on_recruitment", "per_head"),
                         dynamic=ev.examples(ev.longest_chain(a)) if elements else ())


def check_serious(a: Measured) -> Finding:
    n, collected = a["participants"], a["entry_fees_collected"]
    elements = criminal_elements(a["payment_for_right_to_earn"], a["reward_share_recruitment"])
    verdict = decide_serious(n, collected, elements)
    el_en, el_zh = _elements_text(a)
    en = (f"{n:,} persons ever took part (marker: 120 or more) and {yuan(collected)} was paid to "
          f"qualify, renewals included (marker: ¥2,500,000 or more, cumulative). {el_en}")
    zh = (f"曾参与者 {n:,} 人(标准:一百二十人以上),为取得资格累计支付 {yuan(collected)}(含续费;标准:二百五十万元以上)。{el_zh}")
    return SERIOUS.finding(verdict, {"participants": n, "entry_fees_collected": collected,
                                     "elements_met": float(elements)},
                           {"participants_at_least": SERIOUS_PARTICIPANTS,
                            "entry_fees_collected_at_least": SERIOUS_COLLECTED},
                           en, zh, static=a.declaring("entry_fee"))


CHECKS = (check_art7_1, check_art7_2, check_art7_3, check_art24, check_prosecution, check_serious)
TESTS = (ART7_1, ART7_2, ART7_3, ART24, CRIME, SERIOUS)
