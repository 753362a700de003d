"""Every business model in the source documents is a shipped scenario.

The catalogue (docs/catalogue.md) maps each model the sources (docs/sources.md) name to its
scenario file, so a missing file, or a file no model names, fails here. Every shipped file is
also checked for what a strategist relies on: complete provenance in both languages (its
source quoted), a stated source or assumption for each parameter it sets, and a run that is
reproducible from its seed. (Books, facts and ``sim list`` are checked for every file in
test_books.py, test_rules.py and test_cli.py.)
"""

from __future__ import annotations

import re
import tomllib

import pandas as pd
import pytest

import sim
from conftest import CASES, MODELS, ROOT, SCENARIOS
from sim.sections import FAMILIES

CATALOGUE_MD = ROOT / "docs" / "catalogue.md"


def catalogue_rows() -> list[dict[str, str]]:
    """The rows of docs/catalogue.md's table (#, model, source, scenario, family, mechanism)."""
    rows, header = [], None
    for line in CATALOGUE_MD.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            if header:
                break  # the table ends at its first non-table line
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[:4] == ["#", "model", "source", "scenario"]:
            header = cells
        elif header and not set(line) <= set("|- "):
            rows.append(dict(zip(header, cells)))
    return rows


CATALOGUE = {f"{r['#']} {r['model']}": r for r in catalogue_rows()}

# Composite models are compositions of the components, not copies (issue: composite models).
COMPOSITES = {
    "live_community_ops": {"live_sessions", "coupons", "group_buy"},
    "social_live_content": {"creators", "live_sessions"},
}
SHIPPED = {p.stem: p for p in MODELS}  # the business models; decided cases: test_cases.py
BASELINE = tomllib.loads((ROOT / "scenarios" / "retail_baseline.toml").read_text(encoding="utf-8"))
SOURCE_QUOTE = re.compile(r"(?<![0-9A-Za-z_])S\d+\b.*「[^」]+」")  # a source id, then its passage
CJK = re.compile(r"[\u4e00-\u9fff]")


def _stems(row: dict[str, str]) -> list[str]:
    return re.findall(r"`([a-z0-9_]+)`", row["scenario"])


def test_the_catalogue_names_models_from_every_source():
    cited = {s for r in CATALOGUE.values() for s in re.findall(r"S\d+", r["source"])}
    assert cited >= {"S1", "S2", "S3", "S4", "S5"}


@pytest.mark.parametrize("row", CATALOGUE)
def test_every_catalogue_row_has_its_scenario(row):
    stems = _stems(CATALOGUE[row])
    assert stems, f"{row}: names no scenario"
    for stem in stems:
        assert stem in SHIPPED, f"{row}: no scenarios/{stem}.toml"
        assert sim.load_scenario(SHIPPED[stem]).meta.family == CATALOGUE[row]["family"], row


def test_every_shipped_scenario_is_in_the_catalogue():
    named = {s for r in CATALOGUE.values() for s in _stems(r)}
    assert sorted(set(SHIPPED) - named) == []


@pytest.mark.parametrize("stem, parts", COMPOSITES.items())
def test_composites_are_made_of_the_components(stem, parts):
    assert parts <= {r.key for r in sim.load_scenario(SHIPPED[stem]).rules}


def _unexplained(path) -> list[str]:
    """Keys the file sets without a comment ([case] is the decision itself, quoted): every rule parameter, and every market, retail
    and churn value that differs from the baseline (whose own values must all be explained)."""
    missing, section = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.startswith("["):
            section = text.strip("[]")
            continue
        key = re.match(r"([a-z_]+)\s*=\s*([^#]*)", text)
        if not key or section in (None, "scenario", "case") or "#" in text:
            continue
        name = key.group(1)
        same = (section in BASELINE and path.stem != "retail_baseline"
                and tomllib.loads(f"v = {key.group(2)}")["v"] == BASELINE[section].get(name))
        if not same:
            missing.append(f"{section}.{name}")
    return missing


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_provenance_is_complete_in_both_languages(path):
    s = sim.load_scenario(path)
    assert s.id == path.stem
    assert s.meta.family in FAMILIES
    assert CJK.search(s.meta.name_zh) and s.meta.name_en and not CJK.search(s.meta.name_en)
    if path in CASES:  # a decided case names its decision instead of a source document
        assert s.case is not None and s.meta.family == "cases"
        assert s.case.number.split(";")[0].split(" (")[0] in s.meta.source, "source must name the decision"
    else:
        assert SOURCE_QUOTE.search(s.meta.source), "source must name a source id and quote it"
    assert len(s.meta.mechanism_en.split()) >= 20 and len(s.meta.mechanism_zh) >= 40
    assert _unexplained(path) == [], "each parameter needs its source or a stated assumption"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_one_seed_reproduces_the_run(path):
    a, b = (sim.run(path, seed=5, market_size=2000, days=60) for _ in range(2))
    pd.testing.assert_frame_equal(a.daily, b.daily)
    pd.testing.assert_frame_equal(a.people, b.people)
    pd.testing.assert_frame_equal(a.flows, b.flows)
    assert a.metrics == b.metrics
    assert a.metrics["gmv"] > 0, "a business model that sells nothing in 60 days is mis-set"


def test_readme_lists_every_scenario_and_rule():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    from sim.rules import REGISTRY
    assert [p.stem for p in SCENARIOS if f"| `{p.stem}` |" not in readme] == []
    assert [k for k in REGISTRY if f"| `{k}` |" not in readme] == []
