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
from sim.audit.findings import BREACH, CLEAR, WARNING, Finding, LegalTest
from sim.audit.measure import Audited

UCPD14 = LegalTest("eu.ucpd.annex1_14", "eu",
                   "Pyramid promotional scheme: consideration paid, pay derived primarily from introducing others",
                   "传销式推广计划:消费者付出对价,报酬主要来自介绍他人加入",
                   "Directive 2005/29/EC (UCPD) Annex I point 14; CJEU C-515/12 4finance (2014); "
                   "CJEU C-667/15 Loterie Nationale (2017)")
PRIMARILY = 0.5


def decide_ucpd14(consideration: float, introduction_share: float) -> str:
    """Breach: a contribution was paid and more than half of pay derives from new members
    (directly or indirectly, C-667/15); warning: a contribution and some such pay."""
    if consideration > 0 and introduction_share > PRIMARILY:
        return BREACH
    if consideration > 0 and introduction_share > 0:
        return WARNING
    return CLEAR


def check_ucpd14(a: Audited) -> Finding:
    i = a.indicators
    fee, share = i["entry_fee"], i["reward_share_recruitment"]
    verdict = decide_ucpd14(fee, share)
    en = (f"Consideration to take part: ¥{fee:,.0f}. Pay derived from the introduction of others "
          f"(rewards triggered by new members joining, at any distance, since an indirect link "
          f"suffices): {share:.1%} of all pay; 'primarily' means more than half.")
    zh = (f"参与所需对价:¥{fee:,.0f}。来自介绍他人加入的报酬(由新成员加入触发的奖励,不论相隔几层,"
          f"间接关联即可)占全部报酬 {share:.1%};“主要”指超过一半。")
    if fee <= 0:
        en += " No financial contribution is required, so point 14 does not apply (C-515/12)."
        zh += "无需支付任何费用,第 14 点不适用(C-515/12)。"
    return UCPD14.finding(verdict, {"consideration": fee, "introduction_share": share},
                          {"consideration_above": 0.0, "introduction_share_above": PRIMARILY}, en, zh,
                          static=a.declaring("entry_fee", "pays_on_recruitment", "per_head"),
                          dynamic=ev.examples(ev.sponsor_chain(a, basis="join")) if verdict != CLEAR else ())


CHECKS = (check_ucpd14,)
TESTS = (UCPD14,)
