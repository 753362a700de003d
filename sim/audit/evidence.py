"""Concrete examples from a run: real persons, the chain between them, the money paid.

Examples come from ``result.journal`` (every reward with payee, trigger and depth) when the
run kept it, else from the aggregate ``flows`` and ``people`` tables. Cells keep identifiers
(roles, reward kinds); their columns say which vocabulary names them for a reader.
"""

from __future__ import annotations

import numpy as np

from sim.audit.findings import Column as C
from sim.audit.findings import Example
from sim.audit.labels import term
from sim.measures import Measured

PERSON = C("person", "人员编号")
ROLE = C("role", "角色", "role")


def _role(a: Measured, row: int) -> str:
    return str(a.people["role"].iat[row])


def sponsor_chain(a: Measured, *, basis: str | None = None) -> Example | None:
    """The reward event that reached deepest: the person who triggered it and every sponsor
    above them, with what each was paid for that one event."""
    j = a.result.journal
    if j is None:
        return depth_table(a, basis=basis)
    j = j[j["depth"] >= 1] if basis is None else j[(j["depth"] >= 1) & (j["basis"] == basis)]
    if j.empty:
        return None
    deepest = j.groupby(["day", "trigger", "basis"], sort=True)["depth"].max()
    (day, trigger, how), depth = deepest.idxmax(), int(deepest.max())
    event = j[(j["day"] == day) & (j["trigger"] == trigger) & (j["basis"] == how)]
    paid = event.groupby("payee").agg(amount=("amount", "sum"),
                                      kinds=("kind", lambda k: tuple(sorted(set(k)))))
    sponsor = a.people["sponsor"].to_numpy()
    rows, person = [], int(trigger)
    for d in range(depth + 1):
        r = int(a.row_of[person])
        amount = float(paid["amount"].get(person, 0.0))
        rows.append((d, person, int(a.people["level"].iat[r]), _role(a, r),
                     paid["kinds"].get(person, ()),
                     round(amount, 2)))
        person = int(sponsor[r])
        if person < 0:
            break
    total = round(float(event["amount"].sum()), 2)
    return Example(
        f"Sponsor chain of one {term('basis', how, 'en')} on day {day}: person {trigger} (paid "
        f"depth 0) and the sponsors above, paid ¥{total:,.2f} in all for this one event",
        f"第 {day} 天一次{term('basis', how, 'zh')}的推荐链:人员 {trigger}(计酬层级 0)及其上线,"
        f"此一事件共支付 ¥{total:,.2f}",
        (C("paid depth", "计酬层级"), PERSON, C("organisation level", "组织层级"), ROLE,
         C("reward kinds", "奖励类型", "reward"), C("amount ¥", "金额 ¥")),
        tuple(rows))


def depth_table(a: Measured, *, basis: str | None = None) -> Example | None:
    """Rewards by paid depth over the whole run (when no journal was kept)."""
    f = a.result.flows
    if basis is not None:
        f = f[f["basis"] == basis]
    if f.empty:
        return None
    g = f.groupby("depth").agg(amount=("amount", "sum"), count=("count", "sum"))
    return Example("Rewards by paid depth, whole run", "全程各计酬层级的奖励",
                   (C("paid depth", "计酬层级"), C("rewards", "笔数"), C("amount ¥", "金额 ¥")),
                   tuple((int(d), int(r["count"]), round(float(r["amount"]), 2)) for d, r in g.iterrows()))


def recruitment_earners(a: Measured, top: int = 5) -> Example | None:
    """The persons paid most for others joining: how many joins, how deep, how much."""
    j = a.result.journal
    if j is None:
        return None
    j = j[j["basis"] == "join"]
    if j.empty:
        return None
    g = (j.groupby("payee").agg(joins=("trigger", "nunique"), deepest=("depth", "max"),
                                amount=("amount", "sum"))
         .sort_values(["amount", "joins"], ascending=False).head(top))
    rows = []
    for person, r in g.iterrows():
        row = int(a.row_of[person])
        rows.append((int(person), int(a.people["recruits"].iat[row]), int(r["joins"]), int(r["deepest"]),
                     round(float(r["amount"]), 2)))
    return Example("Paid per person joining: the top earners", "按发展人数计酬:收入最高者",
                   (PERSON, C("own recruits", "直推人数"), C("joins paid for", "计酬的加入人数"),
                    C("deepest paid", "最深计酬层级"), C("paid for joins ¥", "因加入获得 ¥")),
                   tuple(rows))


def longest_chain(a: Measured) -> Example | None:
    """The longest chain of participants on the sponsor tree, organiser first."""
    p = a.people
    level = p["level"].to_numpy()
    if not len(level) or level.max() == 0:
        return None
    r = int(np.argmax(level))
    sponsor = p["sponsor"].to_numpy()
    chain = []
    while r >= 0 and a.participant[r]:
        chain.append(r)
        s = int(sponsor[r])
        r = int(a.row_of[s]) if s >= 0 else -1
    rows = tuple((int(level[r]), int(p["id"].iat[r]), _role(a, r), int(p["participant_day"].iat[r]),
                  round(float(p["entry_paid"].iat[r]), 2), round(float(p["rewards"].iat[r]), 2),
                  round(float(p["net"].iat[r]), 2)) for r in reversed(chain))
    return Example(f"Longest sponsor chain: {len(rows)} levels, organiser first",
                   f"最长推荐链:{len(rows)} 层,组织者在前",
                   (C("level", "层级"), PERSON, ROLE, C("joined day", "加入日"),
                    C("entry paid ¥", "入门费 ¥"), C("rewards ¥", "奖励 ¥"), C("net ¥", "净收益 ¥")),
                   rows)


def entry_payers(a: Measured) -> Example | None:
    """Participants who paid to join, at the quantiles of their net result."""
    p = a.people[a.participant & (a.people["entry_paid"].to_numpy() > 0)]
    if p.empty:
        return None
    p = p.sort_values(["net", "id"]).reset_index(drop=True)
    picks = sorted({int(round(q * (len(p) - 1))) for q in (0, 0.25, 0.5, 0.75, 1)})
    ends = {0: "worst", len(p) - 1: "best"}
    rows = []
    for i in picks:
        r = p.iloc[i]
        rows.append((ends.get(i, f"{i / max(len(p) - 1, 1):.0%}"), int(r["id"]), int(r["participant_day"]),
                     round(float(r["entry_paid"]), 2), round(float(r["value_received"]), 2),
                     round(float(r["rewards"]), 2), round(float(r["net"]), 2)))
    return Example(f"What {len(p):,} entry-fee payers got back (by net result)",
                   f"{len(p):,} 名缴纳入门费者的结果(按净收益排列)",
                   (C("quantile of net result", "净收益分位", "position"), PERSON, C("joined day", "加入日"),
                    C("entry paid ¥", "入门费 ¥"), C("goods value ¥", "所得商品价值 ¥"), C("rewards ¥", "奖励 ¥"),
                    C("net ¥", "净收益 ¥")),
                   tuple(rows))


def pay_against_own_sales(a: Measured, top: int = 5) -> Example | None:
    """The salespersons furthest over the Art. 24 line: pay against their own sales to
    consumers, and how much of it was not on those sales (直销管理条例 Art. 24)."""
    p = a.people
    paid = a.salesperson
    if not paid.any():
        return None
    pay, own = a.column("seller_pay"), a.column("own_sales")
    off = pay - a.column("seller_pay_on_own_sales")
    ratio = a.pay_to_own_sales_each
    rows_ = np.flatnonzero(paid)
    worst = rows_[np.lexsort((p["id"].to_numpy()[rows_], -off[rows_], -ratio[rows_]))][:top]
    rows = tuple((int(p["id"].iat[r]), round(float(pay[r]), 2), round(float(off[r]), 2),
                  round(float(own[r]), 2), f"{ratio[r]:.0%}" if np.isfinite(ratio[r]) else "∞")
                 for r in worst)
    return Example("Salespersons furthest over the line: pay against their own sales to consumers",
                   "超出最多的销售人员:报酬与本人直接向消费者销售额之比",
                   (PERSON, C("pay ¥", "报酬 ¥"), C("of it not on own sales ¥", "其中非按本人销售 ¥"),
                    C("own sales to consumers ¥", "本人向消费者销售 ¥"), C("pay ÷ own sales", "报酬 ÷ 本人销售")),
                   rows)


def team_earners(a: Measured, top: int = 5) -> Example | None:
    """The persons paid most as team pay (团队计酬), from the journal."""
    j = a.result.journal
    if j is None or "team" not in j or not j["team"].any():
        return None
    j = j[j["team"].astype(bool)]
    g = (j.groupby("payee").agg(amount=("amount", "sum"), triggers=("trigger", "nunique"),
                                deepest=("depth", "max"))
         .sort_values(["amount", "triggers"], ascending=False).head(top))
    rows = tuple((int(person), _role(a, int(a.row_of[person])), int(r["triggers"]), int(r["deepest"]),
                  round(float(r["amount"]), 2)) for person, r in g.iterrows())
    return Example("Paid most as team pay: on others' purchases than their own customers'",
                   "团队计酬收入最高者:按本人顾客以外的人的消费获得的报酬",
                   (PERSON, ROLE, C("persons whose purchases paid them", "触发其报酬的人数"),
                    C("deepest paid", "最深计酬层级"), C("team pay ¥", "团队计酬 ¥")),
                   rows)


def organisations_below_half(a: Measured, below: np.ndarray, top: int = 5) -> Example | None:
    """Paid salespersons whose organisation's revenue was mostly from participants (Vemma)."""
    rows_ = np.flatnonzero(below)
    if not len(rows_):
        return None
    outside, inside = a.organisation_revenue
    pay = a.column("seller_pay")
    pick = rows_[np.argsort(-pay[rows_], kind="stable")][:top]
    p = a.people
    rows = tuple((int(p["id"].iat[r]), round(float(pay[r]), 2), round(float(outside[r]), 2),
                  round(float(inside[r]), 2),
                  f"{outside[r] / (outside[r] + inside[r]):.0%}" if outside[r] + inside[r] else "—")
                 for r in pick)
    return Example("Paid although their organisation sold mostly to participants (highest paid first)",
                   "组织销售主要来自参与者却仍获报酬者(按报酬从高到低)",
                   (PERSON, C("pay ¥", "报酬 ¥"), C("revenue from non-participants ¥", "来自非参与者的收入 ¥"),
                    C("revenue from participants ¥", "来自参与者的收入 ¥"), C("share outside", "非参与者占比")),
                   rows)


def examples(*items: Example | None) -> tuple[Example, ...]:
    return tuple(e for e in items if e is not None)
