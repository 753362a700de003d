"""晋升: rank promotion by direct recruits and team volume."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.people import ACTIVE, DISTRIBUTOR, LEADER
from sim.rules.base import Facts, Rule, cents
from sim.schema import param

if TYPE_CHECKING:
    from sim.model import SchemeModel


@dataclass(frozen=True)
class RankPromotion(Rule):
    """Promote participants who reach both thresholds of a rank; ranks are never lost.

    Source: S1 §1 「推薦多個代理可晉升為團長」 and §2 「會員等級根據消費和分享業績進行劃分」
    (docs/sources.md). Entry ``k`` of each list is the threshold for
    rank k+2 (rank 1 is the entry rank). Team volume is the lifetime purchases of everyone
    below in the sponsor tree; tracking it walks every purchase to the root, so it is only
    done when a volume threshold is set.
    """
    key = "rank_promotion"
    name_en = "Rank promotion"
    name_zh = "等级晋升"

    recruits: tuple[float, ...] = param((5.0,), lo=0, hi=1_000_000, unit="persons",
                                        en="Direct recruits needed for rank 2, 3, ...",
                                        zh="晋升各级所需直推人数")
    team_volume: tuple[float, ...] = param((0.0,), lo=0, hi=1e12, unit="yuan",
                                           en="Team purchases needed for rank 2, 3, ...",
                                           zh="晋升各级所需团队业绩")
    leader_rank: int = param(2, lo=2, hi=20, en="Lowest rank counted as a leader (团长)",
                             zh="视为团长的最低等级")

    def facts(self) -> Facts:
        return Facts(ranks_by_team_volume=self._tracks_volume())

    def problems(self) -> list[tuple[str, str, str]]:
        if len(self.recruits) != len(self.team_volume):
            return [("team_volume", f"must list one threshold per rank like recruits "
                                    f"({len(self.recruits)}), got {len(self.team_volume)}",
                     f"每个等级需要一个门槛,与 recruits 一致({len(self.recruits)} 个),"
                     f"实际为 {len(self.team_volume)} 个")]
        return []

    def _tracks_volume(self) -> bool:
        return max(self.team_volume) > 0

    def reached_on_team_volume(self, ranks: np.ndarray) -> np.ndarray:
        """Whether each rank needed team volume: a volume threshold at or below it is set.
        Ranks count the thresholds met, so rank r needed one of the first r - 1."""
        needed = np.concatenate([[False], np.cumsum(np.asarray(self.team_volume) > 0) > 0])
        return needed[np.clip(ranks.astype(np.int64) - 1, 0, len(needed) - 1)]

    def on_purchase(self, model: SchemeModel, buyers: np.ndarray, amounts: np.ndarray) -> None:
        if self._tracks_volume():
            self._add_volume(model, buyers, amounts)

    def on_join(self, model: SchemeModel, joiners: np.ndarray) -> None:
        if self._tracks_volume() and model.package_price_cents:
            self._add_volume(model, joiners, np.full(len(joiners), model.package_price_cents))

    @staticmethod
    def _add_volume(model: SchemeModel, triggers: np.ndarray, amounts: np.ndarray) -> None:
        volume = model.column("team_volume", np.int64)
        up = model.people.sponsor[triggers]
        while len(up):
            alive = up >= 0
            up, amounts = up[alive], amounts[alive]
            np.add.at(volume, up, amounts)
            up = model.people.sponsor[up]

    def on_day_end(self, model: SchemeModel) -> None:
        people = model.people
        ids = np.flatnonzero((people.role >= DISTRIBUTOR) & (people.state == ACTIVE))
        volume = model.column("team_volume", np.int64)[ids]
        reached = np.ones(len(ids), np.int8)
        for need_recruits, need_volume in zip(self.recruits, self.team_volume):
            reached += (people.recruits[ids] >= need_recruits) & (volume >= cents(need_volume))
        people.rank[ids] = np.maximum(people.rank[ids], reached)
        people.role[ids[people.rank[ids] >= self.leader_rank]] = LEADER
