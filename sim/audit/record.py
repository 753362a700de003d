"""The machine-readable record of one audited run: what ``sim audit --json`` prints and the
dashboard's Audit page downloads. Both build it here, so the two cannot drift apart.

    import sim
    from sim.audit.record import record
    result = sim.run("liandong_2plus1", seed=1)
    json.dumps(record(result, sim.audit(result)))
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from sim.audit import indicators, risk_index
from sim.audit.findings import Finding
from sim.audit.risk import RiskIndex
from sim.audit.stress import StressTest
from sim.result import RunResult

# Context (docs/validation.md): AARP Foundation, "Multilevel Marketing: Research Study" (2018),
# a survey of US participants; Jon M. Taylor, "The Case (for and) against Multi-level
# Marketing" (Consumer Awareness Institute, 2011), compensation plans of 350 MLMs.
AARP = {"lost": 0.47, "even": 0.27, "profited": 0.25}
TAYLOR_LOSING = 0.99


def run_context(result: RunResult) -> dict[str, Any]:
    """What a reader needs to reproduce the run: the scenario (id and both names), seed, days,
    market size, the market profile it ran in (None: the file's own market) and the code."""
    meta = result.scenario.meta
    return {"scenario": meta.id, "name": {"en": meta.name_en, "zh": meta.name_zh},
            "seed": result.seed, "days": result.days, "market_size": result.market_size,
            "market_profile": meta.market_profile or None, "code_version": result.code_version}


def record(result: RunResult, findings: Sequence[Finding], *, jurisdiction: str = "all",
           risk: RiskIndex | None = None, stress: StressTest | None = None) -> dict[str, Any]:
    """The run's context, its risk index, indicators and ``findings`` (of ``jurisdiction``), and
    the stress test when one was run; only finite numbers, so ``json.dumps`` writes valid JSON."""
    out = {**run_context(result), "jurisdiction": jurisdiction,
           "risk_index": (risk or risk_index(result)).to_dict(), "indicators": indicators(result),
           "context": {"aarp_2018": AARP, "taylor_share_losing": TAYLOR_LOSING},
           "findings": [f.to_dict() for f in findings]}
    if stress is not None:
        out["stress_test"] = stress.to_dict()
    return finite(out)


def finite(obj: Any) -> Any:
    """JSON has no infinity or NaN: those become null; tables become lists of records."""
    if isinstance(obj, pd.DataFrame):
        return finite(obj.to_dict("records"))
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return finite(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj
