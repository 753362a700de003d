"""European Union: the UCPD blacklist ban on pyramid promotional schemes.

Directive 2005/29/EC, Annex I point 14: "Establishing, operating or promoting a pyramid
promotional scheme where a consumer gives consideration for the opportunity to receive
compensation that is derived primarily from the introduction of other consumers into the
scheme rather than from the sale or consumption of products." C-515/12 4finance: the
consideration must be a financial contribution, of any amount. C-667/15 Loterie Nationale:
an indirect link between new members' contributions and existing members' pay suffices.
"""

from __future__ import annotations

from sim.audit import evidence as ev
from sim.audit.findings import BREACH, NOT_TRIGGERED, WARNING, Finding, LegalTest
from sim.measures import Measured, yuan

UCPD14 = LegalTest("eu.ucpd.annex1_14", "eu",
                   "Pyramid promotional scheme: consideration paid, pay derived primarily from introducing others",
                   "传销式推广计划:消费者付出对价,报酬主要来自介绍他人加入",
                   "Directive 2005/29/EC (UCPD) Annex I point 14; CJEU C-515/12 4finance (2014); "
                   "CJEU C-667/15 Loterie Nationale (2017)")
PRIMARILY = 0.5


def decide_ucpd14(consideration: float, introduction_share: float) -> str:
    """The scheme, over the whole run: breach when a contribution buys the opportunity to be
    paid and more than half of the pay derives from introducing new members (directly or
    indirectly, C-667/15); warning: a contribution and some such pay. Point 14 is about the
    scheme's source of compensation, so the share is the scheme's, not each member's."""
    if consideration > 0 and introduction_share > PRIMARILY:
        return BREACH
    if consideration > 0 and introduction_share > 0:
        return WARNING
    return NOT_TRIGGERED


def check_ucpd14(a: Measured) -> Finding:
    """Consideration: what qualifying costs, when it buys the opportunity to be paid
    (C-515/12: a financial contribution, of any amount). Compensation
    derived from introducing others: rewards triggered by joins as far as the newcomers'
    payments fund them (C-515/12 turned on whether newcomers' contributions financed the
    bonus; C-667/15: an indirect link suffices)."""
    fee, share = a["payment_for_right_to_earn"], a["reward_share_join_funded"]
    joins = a["reward_share_recruitment"]
    verdict = decide_ucpd14(fee, share)
    en = (f"Consideration for the opportunity to be paid: {yuan(fee)}. Pay derived from the introduction "
          f"of others (rewards triggered by new members joining, at any distance, as far as the "
          f"newcomers' payments fund them): {share:.1%} of all pay ({joins:.1%} was triggered by joins); "
          f"'primarily' means more than half.")
    zh = (f"为获酬机会所付对价:{yuan(fee)}。来自介绍他人加入的报酬(由新成员加入触发、不论相隔几层,且可由新成员"
          f"付款支付的部分)占全部报酬 {share:.1%}(由加入触发的占 {joins:.1%});“主要”指超过一半。")
    if fee <= 0:
        en += " No financial contribution buys the opportunity to be paid, so point 14 does not apply (C-515/12)."
        zh += "无需为获酬机会支付任何费用,第 14 点不适用(C-515/12)。"
    return UCPD14.finding(verdict, {"payment_for_right_to_earn": fee, "reward_share_join_funded": share,
                                    "reward_share_recruitment": joins},
                          {"payment_for_right_to_earn_above": 0.0, "reward_share_join_funded_above": PRIMARILY},
                          en, zh, static=a.declaring("entry_fee", "pays_on_recruitment", "per_head"),
                          dynamic=ev.examples(ev.sponsor_chain(a, basis="join"))
                          if verdict != NOT_TRIGGERED else ())


CHECKS = (check_ucpd14,)
TESTS = (UCPD14,)
