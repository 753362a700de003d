"""链动2+1: pass-up (感恩) of a new agent's first recruits, then breakaway (脱离) as 老板."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import JOIN
from sim.people import LEADER
from sim.rules.base import Facts, Rule, cents, rank_within
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel

AGENT, BOSS = 1, 2  # 代理, 老板
NEAREST_BOSS, SPONSOR_TEAM = "nearest_boss", "sponsor_team"
# The platform's top account (顶级账号) as a team owner: the operator's own, not a participant,
# so the 见点奖 and 平级奖 it would draw stay with the platform.
TOP_ACCOUNT = -2


@dataclass(frozen=True)
class LiandongTwoPlusOne(Rule):
    """链动2+1 (Link-and-Move 2+1).

    Source: S1 §6 鏈動2+1模式 (docs/sources.md): 「用戶購買商品成為代理,推薦兩人加入即可晉升為老板」.
    A new 代理's first ``passups`` recruits are passed up (感恩) to the team of the
    代理's boss; after that the 代理 breaks away (脱离), becomes a 老板 and owns a team, and
    later recruits stay in it. For every new member the team owner earns 见点奖 ``jiandian``,
    and up to ``pingji_levels`` upline bosses (the boss the owner broke away from, that boss's
    own former boss, ...) each earn 平级奖 ``pingji``. Team membership, not sales, decides who
    is paid, so pay reaches any depth of the sponsor tree: the audit counts that depth on the
    recruitment tree, whatever the teams look like after pass-ups.

    Placement. The apps bind the inviter when a person registers, customer or not, and place a
    new 代理 in a team when they buy in. An open-source 链动 distribution service
    (DisTeamRelationServiceImpl, "添加分销团队关系 ... 用户成为代理商时调用") describes the rule:
    "根据邀请关系加入代理商团队：邀请关系中直接邀请人是代理商（直接邀请人代理商、或直接邀请人的
    上级代理商（递归选找））", which ``nearest_boss`` follows: an agent whose inviter is no agent
    joins the team of the nearest boss above them on the sponsor chain, customers included. A
    chain that reaches no boss (it began with an advert) ends at the platform's top account,
    which every registration is bound under at the latest (smart-contract versions keep a root:
    "合约发布时需要初始化第一个用户地址，否则无法往下绑定用户"; another binds it to a burn address,
    "rootAddress = address(0x...dEaD)"). The top account is the operator's, not a participant:
    its team's 见点奖 and 平级奖 stay with the platform (``team_owner`` -2). Sources differ on
    that case: the same service's code makes an agent with no inviter, or whose inviter is no
    agent, a boss of their own new team ("没有邀请关系直接组建团队成为老板代理商").
    ``sponsor_team`` is the placement before: only an agent or boss sponsor places the new
    agent, and anyone else sits in no team (-1) and earns its owner nothing.

    平级奖 depth. Plans pay it a fixed sum per generation up an upline chain, to a depth that
    differs from plan to plan: one open-source plan's configuration reads "LEVEL_BONUS: {
    AMOUNT: 2, // 每次平级奖2U  DEPTH: 8, // 追溯8代直推链" (its next version: "3代平级奖励"), and
    a distribution plugin stops at two ("超过设定层数没有奖励 if ($layer > 2)"). The default, 1,
    pays only the boss the owner broke away from.
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
                          en="平级奖 to each upline boss paid, per new member",
                          zh="平级奖(每新成员,给每位上级老板)")
    pingji_levels: int = param(1, lo=1, hi=20, unit="levels",
                               en="Upline bosses paid 平级奖: the owner's former boss, its former boss, ...",
                               zh="领取平级奖的上级老板层数(原老板、原老板的原老板……)")
    placement: str = param(NEAREST_BOSS, choices=(NEAREST_BOSS, SPONSOR_TEAM),
                           en="Team of a new agent whose inviter is no agent: the nearest boss above "
                              "(up to the top account), or none (sponsor_team)",
                           zh="邀请人不是代理的新代理归属:上方最近的老板(直至顶级账号),或不归属任何团队(sponsor_team)")

    def facts(self) -> Facts:
        return Facts(reward_kinds=("jiandian", "pingji"), levels_paid=None,
                     pays_on_recruitment=True, per_head=True, team_pay=True)

    def reward_per_join(self, price: float) -> float:
        return self.jiandian + self.pingji * self.pingji_levels

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
        # Membership read from a marked column: a few microseconds, where np.isin sorts.
        unplaced = model.column("liandong_unplaced", bool)
        pending = joiners
        while len(pending):
            unplaced[pending] = True
            sponsor = people.sponsor[pending]
            waits = unplaced[np.maximum(sponsor, 0)] & (sponsor >= 0)
            unplaced[pending] = False
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
        if self.placement == NEAREST_BOSS:
            owner[~has] = self._nearest_boss(model, sponsor[~has])
        agent = np.flatnonzero(has & ~boss)
        if len(agent):
            s = sponsor[agent]
            # k: how many recruits this sponsor has passed up before this one, in join order.
            k = rank_within(s) + passed[s]
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

    @staticmethod
    def _nearest_boss(model: SchemeModel, up: np.ndarray) -> np.ndarray:
        """For each chain starting at ``up`` (a sponsor who is no agent, or -1): the nearest
        boss on the sponsor chain, or the top account when the chain reaches none."""
        people = model.people
        owner = np.full(len(up), TOP_ACCOUNT, np.int32)
        todo = np.flatnonzero(up >= 0)
        up = up[todo]
        while len(todo):
            found = people.rank[up] >= BOSS
            owner[todo[found]] = up[found]
            up = people.sponsor[up[~found]]
            todo = todo[~found]
            todo, up = todo[up >= 0], up[up >= 0]
        return owner

    def _pay(self, model: SchemeModel, joiners: np.ndarray) -> None:
        people = model.people
        former = model.column("liandong_former_owner", np.int32, fill=-1)
        boss = people.team_owner[joiners]
        payees = [("jiandian", self.jiandian, boss)]
        for _ in range(self.pingji_levels):
            boss = np.where(boss >= 0, former[np.maximum(boss, 0)], -1)
            payees.append(("pingji", self.pingji, boss))
        for kind, amount, payee in payees:
            ok = people.can_earn(payee)
            if amount == 0 or not ok.any():
                continue
            payee, trigger = payee[ok], joiners[ok]
            model.ledger.reward(kind, payee, trigger,
                                people.tree_depth[trigger] - people.tree_depth[payee],
                                np.full(len(payee), cents(amount), np.int64), basis=JOIN)
