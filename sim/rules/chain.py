"""Paying up the sponsor chain: the one walk every level-based reward shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.rules.base import PPM, at_team_rank, ppm

if TYPE_CHECKING:
    from sim.model import SchemeModel


def pay_up_chain(model: SchemeModel, kind: str, triggers: np.ndarray, base: np.ndarray,
                 rates_ppm: list[int] | np.ndarray, *, basis: str) -> None:
    """Pay ``rates_ppm[d-1] × base`` to the sponsor d links above each trigger.

    Vectorised by level: one numpy pass per level over the triggers whose chain is still alive.
    A level whose sponsor cannot earn (not a participant, or churned) is simply not paid: no
    compression, so the paid depth is always the true number of sponsor links.
    """
    people = model.people
    up = triggers
    for depth, rate in enumerate(rates_ppm, start=1):
        up = people.sponsor[up]
        alive = up >= 0
        if not alive.all():
            up, triggers, base = up[alive], triggers[alive], base[alive]
        if len(up) == 0:
            return
        if rate == 0:
            continue
        ok = people.can_earn(up)
        amounts = base[ok] * int(rate) // PPM
        model.ledger.reward(kind, up[ok], triggers[ok], np.full(int(ok.sum()), depth), amounts,
                            basis=basis)


def pay_differential(model: SchemeModel, kind: str, triggers: np.ndarray, base: np.ndarray,
                     rates: tuple[float, ...], *, basis: str) -> None:
    """级差: walk up each trigger's sponsor chain and pay every upline who can earn the
    difference between its rank's rate (``rates``, rank 1 first) and the highest rate already
    paid on the same purchase below it, until the top rate has been paid or the chain ends.

    Vectorised by level like :func:`pay_up_chain`. A depth-1 reward at a rank reached on team
    volume is marked team pay (:func:`sim.rules.base.at_team_rank`).
    """
    people = model.people
    table = np.array([ppm(r) for r in rates], np.int64)
    paid = np.zeros(len(triggers), np.int64)
    up, depth = triggers, 0
    while len(up):
        depth += 1
        up = people.sponsor[up]
        alive = (up >= 0) & (paid < table.max())
        up, triggers, base, paid = up[alive], triggers[alive], base[alive], paid[alive]
        rate = table[np.clip(people.rank[up].astype(np.int64) - 1, 0, len(table) - 1)]
        ok = people.can_earn(up) & (rate > paid)
        if ok.any():
            payees = up[ok]
            model.ledger.reward(kind, payees, triggers[ok], np.full(len(payees), depth),
                                base[ok] * (rate[ok] - paid[ok]) // PPM, basis=basis,
                                team=at_team_rank(model, payees, rates) if depth == 1 else None)
            paid[ok] = rate[ok]
