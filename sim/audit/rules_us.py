"""United States: the Koscot test and the retail-share benchmarks of FTC cases and orders.

The Koscot test is the legal definition of a pyramid; the 70% (Amway / Omnitrition), 80% and
one-third (Herbalife 2016) and more-than-half (Vemma 2016) ratios are benchmarks from a ruling
and two consent orders that bind only those companies, so failing one is a warning.
"""

from __future__ import annotations

from sim.audit import evidence as ev
from sim.audit.findings import BREACH, CLEAR, NOT_APPLICABLE, WARNING, Finding, LegalTest
from sim.audit.measure import HALF_CENT, Audited

KOSCOT = LegalTest("us.ftc.koscot", "us",
                   "Koscot test: paying for the right to sell plus rewards for recruiting unrelated to end-user sales",
                   "Koscot 标准:付费取得销售权,并可因招募他人获得与终端销售无关的报酬",
                   "In re Koscot Interplanetary, Inc., 86 F.T.C. 1106, 1180 (1975); Webster v. Omnitrition "
                   "Int'l, 79 F.3d 776, 781 (9th Cir. 1996); FTC v. BurnLounge, 753 F.3d 878 (9th Cir. 2014)")
AMWAY = LegalTest("us.ftc.amway_omnitrition_70", "us",
                  "Retail share of sales at least 70% (Amway / Omnitrition)",
                  "对非参与者的零售占销售额至少 70%(Amway / Omnitrition)",
                  "In re Amway Corp., 93 F.T.C. 618 (1979); Webster v. Omnitrition Int'l, 79 F.3d 776, 783 "
                  "(9th Cir. 1996)")
HERBALIFE = LegalTest("us.ftc.herbalife_2016", "us",
                      "End-user sales at least 80%, rewards on internal consumption at most one third (Herbalife 2016)",
                      "终端用户销售至少 80%,基于内部自购的报酬不超过三分之一(Herbalife 2016)",
                      "FTC v. Herbalife International of America, Inc., No. 2:16-cv-05217 (C.D. Cal. July 25, "
                      "2016), stipulated order")
VEMMA = LegalTest("us.ftc.vemma_2016", "us",
                  "More than half of the organisation's revenue from non-participants (Vemma 2016)",
                  "组织销售收入过半来自非参与者(Vemma 2016)",
                  "FTC v. Vemma Nutrition Co., No. 2:15-cv-01578 (D. Ariz. Dec. 15, 2016), stipulated order")

PRIMARILY = 0.5            # "primarily": more than half
AMWAY_RETAIL = 0.70
HERBALIFE_END_USER = 0.80
HERBALIFE_INTERNAL = 1 / 3
VEMMA_OUTSIDE = 0.50


def decide_koscot(payment_for_right: float, recruitment_reward_share: float) -> str:
    """Breach: a payment buys the right to earn and rewards come primarily (more than half) from
    recruiting; warning: a payment and some recruitment rewards."""
    if payment_for_right > 0 and recruitment_reward_share > PRIMARILY:
        return BREACH
    if payment_for_right > 0 and recruitment_reward_share > 0:
        return WARNING
    return CLEAR


def decide_amway(retail_share: float) -> str:
    return CLEAR if retail_share >= AMWAY_RETAIL else WARNING


def decide_herbalife(end_user_share: float, internal_reward_share: float) -> str:
    """Both must hold: end-user share >= 80% and internal share of rewards <= 1/3."""
    ok = end_user_share >= HERBALIFE_END_USER and internal_reward_share <= HERBALIFE_INTERNAL + 1e-12
    return CLEAR if ok else WARNING


def decide_vemma(outside_share: float) -> str:
    """Strictly more than half (a tie fails)."""
    return CLEAR if outside_share > VEMMA_OUTSIDE else WARNING


def check_koscot(a: Audited) -> Finding:
    i = a.indicators
    fee, share = i["entry_fee"], i["reward_share_recruitment"]
    verdict = decide_koscot(fee, share)
    en = (f"Payment for the right to earn: ¥{fee:,.0f}. Rewards for recruiting, unrelated to sales to "
          f"end users: {share:.1%} of all rewards (the test is met when they are the primary reward, "
          f"more than half).")
    zh = (f"为取得计酬资格支付 ¥{fee:,.0f}。因招募他人而获得、与终端用户销售无关的报酬占全部报酬 {share:.1%}"
          f"(超过一半即为主要报酬,符合该标准)。")
    if fee <= 0:
        en += " Without a payment the first element is missing."
        zh += "没有付费,第一个要件不成立。"
    return KOSCOT.finding(verdict, {"payment_for_right": fee, "recruitment_reward_share": share},
                          {"payment_for_right_above": 0.0, "recruitment_reward_share_above": PRIMARILY},
                          en, zh, static=a.declaring("entry_fee", "pays_on_recruitment"),
                          dynamic=ev.examples(ev.recruitment_earners(a)) if verdict != CLEAR else ())


def _no_sales_force(a: Audited, test) -> Finding | None:
    """The retail-share tests weigh whether a distributor organisation's pay rests on real
    retail demand. Where only hosts and 团长 the platform appoints, or customers on their own
    purchases, are paid, there is no such organisation to weigh."""
    i = a.indicators
    if i["seller_rewards"] > HALF_CENT or i["rewards"] <= HALF_CENT:
        return None
    appointed, customer = i["appointed_rewards"], i["customer_rewards"]
    en = (f"No recruited distributor organisation is paid: ¥{appointed:,.0f} went to hosts or leaders "
          f"the platform appoints and ¥{customer:,.0f} to customers on their own purchases, so this "
          f"retail-share test does not apply.")
    zh = (f"没有被招募的分销组织获得报酬:¥{appointed:,.0f} 支付给平台签约的主播或团长,¥{customer:,.0f} "
          f"支付给顾客本人的消费,本项零售占比标准不适用。")
    return test.finding(NOT_APPLICABLE, {"appointed_rewards": appointed, "customer_rewards": customer},
                        {}, en, zh)


def check_amway(a: Audited) -> Finding:
    if out := _no_sales_force(a, AMWAY):
        return out
    i = a.indicators
    share = i["non_participant_sales_share"]
    verdict = decide_amway(share)
    en = (f"{share:.1%} of sales (packages included) were to non-participants; "
          f"{i['internal_consumption_share']:.1%} were participants buying themselves. Under "
          f"Omnitrition only sales to people outside the scheme show a retail market.")
    zh = (f"{share:.1%} 的销售额(含礼包)来自非参与者;{i['internal_consumption_share']:.1%} 为参与者自购。"
          f"依 Omnitrition 案,只有对计划外人员的销售才证明存在真实零售市场。")
    return AMWAY.finding(verdict, {"non_participant_sales_share": share,
                                   "internal_consumption_share": i["internal_consumption_share"]},
                         {"non_participant_sales_share_at_least": AMWAY_RETAIL}, en, zh)


def check_herbalife(a: Audited) -> Finding:
    if out := _no_sales_force(a, HERBALIFE):
        return out
    i = a.indicators
    end_user, internal = i["end_user_share"], i["reward_share_internal_trigger"]
    verdict = decide_herbalife(end_user, internal)
    en = (f"End-user sales (non-participants' purchases plus participants' own consumption at fair "
          f"value) are {end_user:.1%} of sales (at least 80%); rewards triggered by participants' own "
          f"purchases, packages included, are {internal:.1%} of rewards (at most 33.3%).")
    zh = (f"终端用户销售(非参与者消费加参与者按公允价值的自用消费)占销售额 {end_user:.1%}(至少 80%);"
          f"由参与者自身购买(含礼包)触发的报酬占全部报酬 {internal:.1%}(不超过 33.3%)。")
    return HERBALIFE.finding(verdict, {"end_user_share": end_user, "internal_reward_share": internal},
                             {"end_user_share_at_least": HERBALIFE_END_USER,
                              "internal_reward_share_at_most": HERBALIFE_INTERNAL}, en, zh)


def check_vemma(a: Audited) -> Finding:
    if out := _no_sales_force(a, VEMMA):
        return out
    i = a.indicators
    share = i["organisation_outside_share"]
    verdict = decide_vemma(share)
    en = (f"Of the revenue in participants' organisations (their own purchases and those of the "
          f"customers they brought in), {share:.1%} came from non-participants (must be more than 50%).")
    zh = f"参与者组织内的销售收入(本人自购及其带来的顾客消费)中,{share:.1%} 来自非参与者(须超过 50%)。"
    return VEMMA.finding(verdict, {"organisation_outside_share": share},
                         {"organisation_outside_share_above": VEMMA_OUTSIDE}, en, zh)


CHECKS = (check_koscot, check_amway, check_herbalife, check_vemma)
TESTS = (KOSCOT, AMWAY, HERBALIFE, VEMMA)
