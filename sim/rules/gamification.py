"""社交游戏化 and 社群运营: tasks, scores and leaderboards; community managers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.ledger import SALE
from sim.people import ACTIVE
from sim.rules.base import Facts, Rule, cents
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


@dataclass(frozen=True)
class Gamification(Rule):
    """Gamified shopping (社交游戏化): daily tasks, a score, and leaderboard prizes.

    Sources (docs/sources.md): S1 §13 「將游戲元素融入電商購物過程,如設置任務挑戰、積分兌換、
    排行榜競爭等」, 「用戶通過完成任務獲得積分或獎勵」; S5
    「社区互动:社交电商可以在平台上提供各种互动活动,如问答、游戏、抽奖等」, 「制定积分奖励机制」.

    A newcomer takes up the game with ``take_up``; players share more (sharing × (1 +
    ``share_lift``): 分享任务). Each day a player does the day's task (check-in, quiz, game) with
    ``task_rate``; a player who did it is reminded of the shop and buys with chance × (1 +
    ``purchase_lift``). Tasks earn ``task_points`` and orders ``order_points`` of score (game
    points with no cash value: badges and ranks). Every ``period_days`` the ``winners`` highest
    scores (ties: the lower person id) win ``prize`` yuan each and scores restart. Who pays:
    ``prize_paid_as = "marketing"`` buys goods prizes from suppliers (a marketing cost; winners
    receive goods worth the prize), ``"reward"`` pays the prize into the winner's wallet as a
    reward on their own activity (kind ``leaderboard_prize``, paid depth 0), which counts in the
    payout ratio.
    """
    key = "gamification"
    name_en = "Gamification"
    name_zh = "社交游戏化"

    take_up: float = param(0.5, lo=0, hi=1, en="Share of newcomers who play", zh="参与游戏的新用户比例")
    task_rate: float = param(0.3, lo=0, hi=1, unit="1/day", en="Daily chance a player does the task",
                             zh="玩家每日完成任务的概率")
    purchase_lift: float = param(0.3, lo=0, hi=10,
                                 en="Extra purchase chance on a day the player did the task",
                                 zh="完成任务当日购买概率提升比例")
    share_lift: float = param(0.5, lo=0, hi=100, en="Extra sharing intensity of a player",
                              zh="玩家分享强度提升比例")
    task_points: float = param(1.0, lo=0, hi=1_000, en="Score for a task done", zh="每次任务得分")
    order_points: float = param(5.0, lo=0, hi=1_000, en="Score for an order", zh="每笔订单得分")
    period_days: int = param(7, lo=1, hi=365, unit="days", en="Leaderboard period", zh="排行榜周期(天)")
    winners: int = param(10, lo=0, hi=1_000_000, unit="persons", en="Prizes per period",
                         zh="每期获奖人数")
    prize: float = param(50.0, lo=0, hi=1_000_000, unit="yuan", en="Prize per winner",
                         zh="每位获奖者奖品价值")
    prize_paid_as: str = param("marketing", choices=("marketing", "reward"),
                               en="Prizes as goods bought by the platform (marketing) or wallet rewards",
                               zh="奖品形式:平台采购实物(营销费用)或钱包奖励")

    def facts(self) -> Facts:
        if self.prize_paid_as == "marketing" or not (self.winners and self.prize):
            return Facts()
        # Scores come from the player's own tasks and purchases: a reward on own activity.
        return Facts(reward_kinds=("leaderboard_prize",), levels_paid=0, pays_on_sales=True,
                     pays_customers=True)

    def _columns(self, model: SchemeModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (model.column("player", bool), model.column("game_score", np.float64),
                model.column("task_today", bool))

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        player, score, today = self._columns(model)
        today[:] = False
        ids = active[player[active]]
        did = ids[model.rng.random(len(ids)) < self.task_rate]
        today[did] = True
        score[did] += self.task_points
        return np.where(today[active], 1.0 + self.purchase_lift, 1.0)

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        player, score, _ = self._columns(model)
        np.add.at(score, buyers[player[buyers]], self.order_points)

    def on_day_end(self, model: SchemeModel) -> None:
        player, score, _ = self._columns(model)
        new = model.newcomers()
        join = new[model.rng.random(len(new)) < self.take_up]
        player[join] = True
        model.set_share(join, model.people.share[join] * (1.0 + self.share_lift))
        if model.day % self.period_days == 0:
            self._award(model, score)

    def _award(self, model: SchemeModel, score: np.ndarray) -> None:
        ids = np.flatnonzero((score > 0) & (model.people.state == ACTIVE))
        if self.winners and self.prize and len(ids):
            top = ids[np.argsort(-score[ids], kind="stable")[:self.winners]]
            amount = np.full(len(top), cents(self.prize), np.int64)
            if self.prize_paid_as == "reward":
                model.ledger.reward("leaderboard_prize", top, top, np.zeros(len(top)), amount,
                                    basis=SALE)
            else:
                model.ledger.transfer("marketing", int(amount.sum()))
                np.add.at(model.people.value, top, amount)
        score[:] = 0


@dataclass(frozen=True)
class CommunityManagers(Rule):
    """Community managers (社群管理员) who run a group's interaction and service.

    Source: S5, 社群驱动 (docs/sources.md): 「通过设立社群管理员、制定积分奖励机制等方式,
    激发用户和商家的积极性」; 「专业的售后服务、物流跟踪服务」.
    The platform manages
    ``managed`` of the neighbourhood groups (communities; the first ones: communities are alike,
    so that is a random sample). Managers' time grows with the members they look after, so each
    active customer in a managed community costs ``cost_per_member`` yuan a day (staff: a
    marketing cost). There customers
    buy with chance × (1 + ``purchase_lift``) (activities, answers, service) and newcomers share
    × (1 + ``share_lift``) (the group is livelier).
    """
    key = "community_managers"
    name_en = "Community managers"
    name_zh = "社群管理员"

    managed: float = param(0.5, lo=0, hi=1, en="Share of communities with a manager",
                           zh="配备社群管理员的社区比例")
    cost_per_member: float = param(0.15, lo=0, hi=100_000, unit="yuan/day",
                                   en="Managers' cost per active customer in a managed community per day",
                                   zh="受管社区每位活跃顾客的每日管理成本")
    purchase_lift: float = param(0.1, lo=0, hi=10, en="Extra purchase chance in a managed community",
                                 zh="有管理员社区的购买概率提升比例")
    share_lift: float = param(0.3, lo=0, hi=100, en="Extra sharing intensity in a managed community",
                              zh="有管理员社区的分享强度提升比例")

    def facts(self) -> Facts:
        return Facts()

    def managed_ids(self, model: SchemeModel, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` live in a managed community."""
        m = model.scenario.market
        return model.community[ids] < int(round(self.managed * -(-m.size // m.community_size)))

    def demand(self, model: SchemeModel, active: np.ndarray) -> np.ndarray | None:
        return np.where(self.managed_ids(model, active), 1.0 + self.purchase_lift, 1.0)

    def on_day_end(self, model: SchemeModel) -> None:
        ids = model.newcomers()
        ids = ids[self.managed_ids(model, ids)]
        model.set_share(ids, model.people.share[ids] * (1.0 + self.share_lift))
        active = model.people.active()
        members = int(self.managed_ids(model, active).sum())
        model.ledger.transfer("marketing", members * cents(self.cost_per_member))
