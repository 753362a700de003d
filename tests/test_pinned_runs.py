"""A few runs pinned to the cent: speed work must not change what the engine computes.

The values were produced by the engine before issue 15's speed work (incremental index sets,
32-bit columns, a sort-free network build) and must stay identical. A change to a metric's
definition, or to the daily table's columns, re-pins them on purpose: rerun each case and
paste the new figures, saying in the commit why they changed.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import sim
from conftest import scenario_dict


def daily_hash(daily) -> str:
    """The whole daily table, every column to the cent, as a short hash."""
    cols = sorted(daily.columns)
    cents = np.rint(daily[cols].to_numpy(dtype=float) * 100).astype(np.int64)
    return hashlib.sha256(",".join(cols).encode() + cents.tobytes()).hexdigest()[:16]


def well_mixed(name: str) -> dict:
    d = scenario_dict(name)
    d["market"]["network"] = "well_mixed"
    return d


# (scenario, seed, persons, days) -> participants, GMV, rewards, platform net (yuan), daily hash
PINNED = [
    ("liandong_2plus1", 1, 20_000, 180, 9191, 9661509.0, 845280.0, 2371426.04, "d23bd6a6634147f1"),
    ("consumption_rebate", 3, 20_000, 180, 5324, 6873676.0, 374453.29, 2187186.49, "82c4bdc1daff0e6c"),
    ("fission_distribution", 2, 10_000, 120, 6860, 1968800.0, 227834.0, 258862.49, "5535c5a3beb464aa"),
    ("shared_purchase", 1, 10_000, 120, 0, 630900.0, 37297.72, 34578.13, "8eccad90553a8742"),
    ("pinduoduo_group_buy", 4, 10_000, 90, 0, 213135.0, 0.0, 8897.5, "780f6ceeca7b3bc0"),
    ("liandong_2plus1 well mixed", 5, 5_000, 90, 1871, 1298929.0, 198200.0, 425783.44, "0de1a982c54c4730"),
]


@pytest.mark.parametrize("case", PINNED, ids=lambda c: f"{c[0]}-{c[1]}")
def test_runs_match_their_pinned_figures(case):
    name, seed, size, days, participants, gmv, rewards, platform_net, digest = case
    scenario = well_mixed(name.split()[0]) if name.endswith("well mixed") else name
    r = sim.run(scenario, seed=seed, market_size=size, days=days)
    m = r.metrics
    assert (m["participants"], m["gmv"], m["rewards"], m["platform_net"]) == \
        (participants, gmv, rewards, platform_net)
    assert daily_hash(r.daily) == digest
