"""链动2+1: pass-up (感恩) of a new agent's first recruits, then breakaway (脱离) as 老板."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import JOIN
from sim.people import LEADER
from sim.rules.base import Facts, Rule, cents
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel

AGENT, BOSS = 1, 2  # 代理, 老板


@dataclass(frozen=True)
class LiandongTwoPlusOne(Rule):
    """链动2+1 (Link-and-Move 2+1).

    Source: 000_378a153c03d2435e.txt, model 6 ("用户购买商品成为代理,推荐两人加入即可晋升为
    老板"). A new 代理's first ``passups`` recruits are passed up (感恩) to the team of the
    代理's boss; after that the 代理 breaks away (脱离), becomes a 老板 and owns a team, and
    later recruits stay in it. For every new member the team owner earns 见点奖 ``jiandian``,
    and the boss the owner broke away from earns 平级奖 ``pingji``. Team membership, not sales,
    decides who is paid, so pay reaches any depth of the sponsor tree: the audit counts that
    depth on the recruitment tree, whatever the teams look like after pass-ups.
    """
    key = "liandong"
    name_en = "Link-and-Move 2+1"
    name_zh = "链动2+1"
    join_amount_key = "jiandian"

    passups: int = param(2, lo=1, hi=20, en="Recruits passed up before breakaway (the '2')",
                         zh="脱离前需感恩上交的直推人数")
    jiandian: float = param(8.0, lo=0, hi=1_000_000, unit="yuan",
                            en="见点奖 to the team owner per new member", zh="见点奖(每新成员)")
    pingji: float = param(0.0, lo=0, hi=1_000_000, unit="yuan",
                          en="平级奖 to the owner's former boss per new member",
                          zh="平级奖(每新成员,给原老板)")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("jiandian", "pingji"), levels_paid=None,
                     pays_on_recruitment=True, per_head=True, team_pay=True)

    def reward_per_join(self, price: float) -> float:
        return self.jiandian + self.pingji

    def on_founders(self, model: SchemeModel, ids: np.ndarray) -> None:
        people = model.people
        people.rank[ids] = BOSS
        people.role[ids] = LEADER
        people.team_owner[ids] = ids

    def on_join(self, model: SchemeModel, joiners: np.ndarray) -> None:
        people = model.people
        people.rank[joiners] = AGENT
        # Someone joining under a person who joined earlier today waits until that sponsor is
        # placed; in a contact network this is one round, in a well-mixed market a few.
        pending = joiners
        while len(pending):
            waits = np.isin(people.sponsor[pending], pending)
            self._place(model, pending[~waits])
            pending = pending[waits]
        self._pay(model, joiners)

    def _place(self, model: SchemeModel, joiners: np.ndarray) -> None:
        people = model.people
        passed = model.column("liandong_passed_up", np.int32)
        former = model.column("liandong_former_owner", np.int32, fill=-1)
        sponsor = people.sponsor[joiners]
        has = people.is_participant(np.maximum(sponsor, 0)) & (sponsor >= 0)
        owner = np.full(len(joiners), -1, np.int32)
        boss = has & (people.rank[np.maximum(sponsor, 0)] >= BOSS)
        owner[boss] = sponsor[boss]
        agent = np.flatnonzero(has & ~boss)
        if len(agent):
            s = sponsor[agent]
            # k: how many recruits this sponsor has passed up before this one, in join order.
            order = np.argsort(s, kind="stable")
            s_sorted = s[order]
            first = np.r_[True, s_sorted[1:] != s_sorted[:-1]]
            group_start = np.maximum.accumulate(np.where(first, np.arange(len(s)), 0))
            k = np.empty(len(s), np.int64)
            k[order] = np.arange(len(s)) - group_start
            k += passed[s]
            up = k < self.passups
            owner[agent[up]] = people.team_owner[s[up]]
            owner[agent[~up]] = s[~up]
            np.add.at(passed, s[up], 1)
            # Sponsors who have now passed up enough break away (脱离) and own a team.
            done = np.unique(s)
            done = done[(passed[done] >= self.passups) & (people.rank[done] < BOSS)]
            former[done] = people.team_owner[done]
            people.team_owner[done] = done
            people.rank[done] = BOSS
            people.role[done] = LEADER
        people.team_owner[joiners] = owner

    def _pay(self, model: SchemeModel, joiners: np.ndarray) -> None:
        people = model.people
        owner = people.team_owner[joiners]
        former = model.column("liandong_former_owner", np.int32, fill=-1)
        owners_boss = np.where(owner >= 0, former[np.maximum(owner, 0)], -1)
        for kind, amount, payee in (("jiandian", self.jiandian, owner),
                                    ("pingji", self.pingji, owners_boss)):
            ok = people.can_earn(payee)
            if amount == 0 or not ok.any():
                continue
            payee, trigger = payee[ok], joiners[ok]
            model.ledger.reward(kind, payee, trigger,
                                people.tree_depth[trigger] - people.tree_depth[payee],
                                np.full(len(payee), cents(amount), np.int64), basis=JOIN)
