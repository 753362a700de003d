"""The decided-case library (scenarios/cases/): public decisions encoded as scenarios.

Every case file loads, runs at a small size with balanced books, and carries a complete
[case] table: the decision, sources a reader can open, and the authority's finding on each
element of its jurisdiction's law in the fixed vocabulary. Whether the audit agrees with each
finding is a separate test (issue 12); these checks keep the library itself honest.
"""

from __future__ import annotations

import re
import tomllib

import pytest

import sim
from conftest import CASES, MODELS, ROOT
from sim.sections import CASE_ELEMENTS, ELEMENT_FINDINGS, FAMILY_NAMES

CJK = re.compile(r"[\u4e00-\u9fff]")


def _case(path):
    return sim.load_scenario(path).case


def test_the_library_is_large_varied_and_a_third_negative():
    cases = [_case(p) for p in CASES]
    assert len(cases) >= 15
    assert {c.jurisdiction for c in cases} == set(CASE_ELEMENTS)
    negative = [c for c in cases if c.finding != "pyramid"]
    assert 3 * len(negative) >= len(cases), "at least a third negative or borderline"
    assert any(c.finding == "not_a_pyramid" for c in cases)
    # The decisions the issue names are all here.
    stems = {p.stem for p in CASES}
    for named in ("yunji", "yunzaizhijian", "baoyue", "yunlianhui", "shanxinhui", "koscot", "amway",
                  "burnlounge", "vemma", "herbalife", "advocare", "4finance", "loterie_nationale"):
        assert any(named in s for s in stems), named


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_case_table_is_complete(path):
    s = sim.load_scenario(path)
    c = s.case
    assert s.meta.family == "cases" and path.parent.name == "cases"
    assert re.fullmatch(r"(cn|us|eu)_\d{4}_[a-z0-9_]+", s.id) and s.id.split("_")[0] == c.jurisdiction
    assert s.id.split("_")[1] == c.date[:4], "the id's year is the decision's"
    for key in ("authority", "date", "summary_en", "summary_zh", "quote", "sources", "notes",
                "not_simulable", "approximations"):
        assert getattr(c, key).strip(), key
    assert CJK.search(c.summary_zh) and not CJK.search(c.summary_en)
    assert set(c.elements()) == set(CASE_ELEMENTS[c.jurisdiction])
    assert set(c.elements().values()) <= set(ELEMENT_FINDINGS)
    # Sources: every line parses, addresses are public web pages, never a local file.
    lines = [line for line in c.sources.splitlines() if line.strip()]
    assert lines and len(c.source_lines()) == len(lines)
    for src in c.source_lines():
        assert src["address"].startswith(("http://", "https://")), src
        assert src["title"].strip()
    # A Chinese decision is quoted in Chinese.
    if c.jurisdiction == "cn":
        assert CJK.search(c.quote)
    if c.finding == "pyramid":
        assert "found" in c.elements().values() or "alleged" in c.elements().values()
    if c.outcome == "not_a_pyramid":
        assert c.finding == "not_a_pyramid" and "not_found" in c.elements().values()


def test_an_incomplete_case_table_is_refused_with_the_key_in_both_languages():
    base = tomllib.loads(CASES[0].read_text(encoding="utf-8"))
    bad = {**base, "case": {**base["case"], "team_pay": "maybe"}}
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(bad)
    assert err.value.key == "case.team_pay" and "found, not_found" in err.value.message
    assert CJK.search(err.value.text("zh"))
    bad = {**base, "case": {**base["case"], "colour": "red"}}
    with pytest.raises(sim.ScenarioError, match="unknown key") as err:
        sim.load_scenario(bad)
    assert err.value.key == "case.colour"
    bad = {**base, "case": {**base["case"], "payment_to_join": "found"}}
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(bad)
    assert err.value.key == "case.payment_to_join"
    bad = {**base, "case": {**base["case"], "sources": "a local note | /home/notes.txt | read 2026-01-01"}}
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(bad)
    assert err.value.key == "case.sources"
    without = {k: v for k, v in base.items() if k != "case"}
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(without)
    assert err.value.key == "case"
    model = tomllib.loads(MODELS[0].read_text(encoding="utf-8"))
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario({**model, "case": base["case"]})
    assert err.value.key == "scenario.family"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_case_runs_small_with_balanced_books(path):
    r = sim.run(path, seed=7, market_size=3000, days=120)
    assert r.metrics["ledger_imbalance"] == 0 and (r.daily["ledger_imbalance"] == 0).all()
    assert r.metrics["gmv"] > 0
    assert r.metrics["participants"] > 0


def test_cases_are_a_family_of_their_own_everywhere_scenarios_are_listed():
    assert FAMILY_NAMES["cases"] == ("Decided cases", "判例")
    shipped = sim.scenario_paths()
    assert set(CASES) <= set(shipped) and set(MODELS) <= set(shipped)
    assert len({p.stem for p in shipped}) == len(shipped), "ids are unique across families"
    for path in CASES:  # a case loads by its id like any shipped scenario
        assert sim.load_scenario(path.stem).source == str(path)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in CASES:
        assert f"| `{path.stem}` |" in readme, path.stem
