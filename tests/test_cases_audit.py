"""The audit against decided cases: on every case in scenarios/cases/, each element the
authority decided is found (or not) by the audit as the authority found it, or the case
file documents why a simulation cannot agree (``audit_disagrees``, explained in
``not_simulable``) and the test asserts that disagreement, so neither can change silently."""

from __future__ import annotations

import pytest

import sim
from conftest import CASES
from sim.audit.cases import ELEMENTS, compare
from sim.sections import CASE_ELEMENTS

SIZE = dict(seed=7, market_size=3000, days=120)  # as tests/test_cases.py runs them


@pytest.fixture(scope="module")
def views():
    out = {}
    for path in CASES:
        s = sim.load_scenario(path)
        out[s.id] = (s, compare(s.case, sim.audit(sim.run(s, **SIZE))))
    return out


def test_every_element_of_every_law_is_read_from_the_audit():
    assert set(ELEMENTS) == {e for elements in CASE_ELEMENTS.values() for e in elements}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_the_audit_agrees_with_the_authority_or_the_case_says_why(views, path):
    scenario, elements = views[path.stem]
    for v in elements:
        if not v.compared:
            assert not v.documented_disagreement, (v.element, "a disagreement needs a finding to differ from")
            continue
        if v.documented_disagreement:
            assert not v.agrees, (v.element, "documented as a disagreement, but the audit now agrees: "
                                             "update audit_disagrees and not_simulable")
            assert v.element in scenario.case.not_simulable, (v.element, "not_simulable must say why")
        else:
            assert v.agrees, (v.element, v.authority, "the audit finds" if v.audit_finds else "the audit does not find")


def test_negative_cases_are_not_breached_on_the_elements_the_authority_rejected(views):
    """A decision that found no pyramid is a test of the audit's restraint: every element the
    authority examined and found absent is absent in the audit too, unless documented."""
    negatives = [(s, e) for s, e in views.values() if s.case.finding == "not_a_pyramid"]
    assert len(negatives) >= 3
    for s, elements in negatives:
        rejected = [v for v in elements if v.authority == "not_found"]
        assert rejected, s.id
        assert all(v.agrees or v.documented_disagreement for v in rejected), s.id


def test_the_report_sets_a_design_beside_its_nearest_decided_case():
    """A reviewer reads which decided case a design resembles and what the authority found;
    a decided case's own report shows its decision beside its own audit."""
    import sim.report
    from sim.audit.cases import nearest_case
    from sim.measures import Measured
    r = sim.run("membership_distribution", seed=1, market_size=2000, days=60)
    nearest, distance = nearest_case(r.scenario, Measured(r))
    assert nearest.case is not None and distance >= 0
    html = sim.report.render([r], lang="zh")
    section = html[html.index('<section id="case">'):html.index('<section id="parameters">')]
    assert f'data-case="{nearest.id}"' in section and nearest.case.summary_zh[:20] in section
    assert "主管机关对该案例" in section and ("与该案例相同" in section or "与该案例不同" in section)
    own = sim.run("cn_2022_baoyue_chongqing", seed=7, market_size=2000, days=60)
    html = sim.report.render([own], lang="en")
    section = html[html.index('<section id="case">'):html.index('<section id="parameters">')]
    assert 'data-case="cn_2022_baoyue_chongqing" data-distance="0.000"' in section and "agrees" in section
    retail = sim.run("retail_baseline", seed=1, market_size=1000, days=30)
    assert "no decided case to set it beside" in sim.report.render([retail], lang="en")


def test_the_audit_page_opens_a_case_and_shows_the_authority_beside_the_audit():
    """A reviewer opens a decided case on the Audit page: the decision, and each element with
    the authority's finding beside the audit's, in Chinese and English."""
    import os
    os.environ["SCHEME_LAB_FAST"] = "1"
    from streamlit.testing.v1 import AppTest

    from tests.test_dashboard import APP
    for lang, own_title, agrees in (("zh", "本案例所载的裁决", "一致"), ("en", "The decision this case encodes", "agrees")):
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state["lang"] = lang
        at.run()
        at.switch_page("views/audit.py").run()
        at.selectbox(key=f"aud_scenario.{lang}").set_value("cn_2022_baoyue_chongqing").run()
        assert not at.exception
        assert own_title in [h.value for h in at.subheader]
        table = next(d.value for d in at.dataframe if d.value.shape[1] == 4 and len(d.value) == 4)
        assert agrees in set(table.iloc[:, 3])
        at.selectbox(key=f"aud_scenario.{lang}").set_value("fission_distribution").run()
        assert not at.exception
        assert any(h.value in ("最相近的已决案例", "The decided case it most resembles") for h in at.subheader)
