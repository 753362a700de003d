"""Pyramid-risk audit: indicators, jurisdiction rule packs, the risk index, the stress test.

    import sim
    result = sim.run("liandong_2plus1", seed=1)
    for f in sim.audit(result, jurisdiction="cn"):
        print(f.verdict, f.citation, f.measured)

``sim.audit`` is this package and can be called like the function :func:`audit` (the public
contract), while its modules stay importable as ``sim.audit.rules_cn`` and so on.
"""

from __future__ import annotations

import sys
import types

from sim.audit import rules_cn, rules_eu, rules_us
from sim.audit.findings import (BREACH, CLEAR, JURISDICTIONS, NOT_APPLICABLE, VERDICTS, WARNING,
                                Evidence, Example, Finding)
from sim.audit.labels import figure, label
from sim.audit.measure import Audited, indicators
from sim.audit.risk import RiskIndex, RiskPart, risk_index
from sim.audit.stress import StressTest, stress_test
from sim.result import RunResult

PACKS = {"cn": rules_cn, "us": rules_us, "eu": rules_eu}


def audit(result: RunResult, jurisdiction: str = "all") -> list[Finding]:
    """One finding per legal test of the chosen rule pack(s): ``cn``, ``us``, ``eu`` or ``all``."""
    if jurisdiction != "all" and jurisdiction not in PACKS:
        raise ValueError(f"jurisdiction must be one of cn, us, eu, all; got {jurisdiction!r}")
    a = Audited(result)
    chosen = PACKS if jurisdiction == "all" else {jurisdiction: PACKS[jurisdiction]}
    findings = []
    for pack in chosen.values():
        if a.has_scheme:
            findings.extend(check(a) for check in pack.CHECKS)
        else:
            findings.extend(test.not_applicable() for test in pack.TESTS)
    return findings


class _CallableModule(types.ModuleType):
    def __call__(self, result: RunResult, jurisdiction: str = "all") -> list[Finding]:
        return audit(result, jurisdiction)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["BREACH", "CLEAR", "JURISDICTIONS", "NOT_APPLICABLE", "VERDICTS", "WARNING", "Audited",
           "Evidence", "Example", "Finding", "RiskIndex", "RiskPart", "StressTest", "audit",
           "figure", "indicators", "label", "risk_index", "stress_test"]
