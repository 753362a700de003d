"""Paying up the sponsor chain: the one walk every level-based reward shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.rules.base import PPM

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
