"""One colour per scenario, the same on every chart: each dashboard page and the HTML report.

A scenario's colour follows from its id alone (a stable hash into a fixed palette), so it does
not change with the order scenarios are picked in or with the language. Forty-odd shipped
scenarios share ten colours, so two scenarios shown together may want the same one: then the
id that sorts first keeps it and the other takes the next free colour. That choice depends on
the ids shown, never on their order, so two views of the same scenarios always agree.
"""

from __future__ import annotations

import zlib
from typing import Sequence

# Tableau 10 with a darker gold (its yellow is faint on white) and cyan (its grey would read
# as "disabled"). Grey is kept for what is not a scenario: an original beside its edit.
PALETTE = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#b8860b", "#b279a2", "#ff9da6",
           "#9d755d", "#17becf")
SHADOW = "#8c8c8c"  # what a scenario is set against (the lab's original, a stress test's stopped run)
DASH = (6, 4)  # on, off: SHADOW lines are dashed as well as grey


def preferred(scenario_id: str) -> str:
    """The colour a scenario has whenever no other scenario on the chart wants the same one.
    CRC-32, not ``hash()``: Python salts string hashes per process."""
    return PALETTE[zlib.crc32(scenario_id.encode("utf-8")) % len(PALETTE)]


def colours(scenario_ids: Sequence[str]) -> list[str]:
    """The colour of each scenario shown together, in the order given: its preferred colour,
    unless an id sorting before it took that, then the next free one in the palette. Beyond
    ten scenarios, colours repeat. The same id given twice (a saved copy beside its original)
    gets two colours."""
    taken: set[str] = set()
    out = [""] * len(scenario_ids)
    for i in sorted(range(len(scenario_ids)), key=lambda i: (scenario_ids[i], i)):
        if len(taken) == len(PALETTE):
            taken.clear()  # all ten in use: the rest repeat them, each from its own preferred colour
        start = PALETTE.index(preferred(scenario_ids[i]))
        out[i] = next(c for c in PALETTE[start:] + PALETTE[:start] if c not in taken)
        taken.add(out[i])
    return out
