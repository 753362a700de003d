"""Dashboard pages driven by Streamlit's AppTest: each page's main interactions, checked
against what ``sim`` computes for the same scenario, seed and market.

SCHEME_LAB_FAST=1 shrinks the pages' default market to 2,000 persons × 60 days.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

os.environ["SCHEME_LAB_FAST"] = "1"  # read when dashboard.state is first imported

import sim  # noqa: E402
from dashboard import i18n, state  # noqa: E402
from sim import toml_writer  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

N = sim.measures.name  # a figure's name in the vocabulary every page reads

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
SIZE, DAYS = state.DEFAULT_SIZE, state.DEFAULT_DAYS


def app(page: str | None = None, lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def charts(at: AppTest) -> list:
    """The data of every Vega-Lite chart on the page, one DataFrame per dataset."""
    out = []
    for el in at.get("vega_lite_chart"):
        json.loads(el.proto.spec)  # a valid spec
        out.append([pa.ipc.open_stream(d.data.data).read_pandas() for d in el.proto.datasets])
    return out


def run(key: str, seed: int = 0) -> sim.RunResult:
    return sim.run(key, seed=seed, days=DAYS, market_size=SIZE)


# -------------------------------------------------------------------------------------- i18n
def test_every_string_has_both_languages_and_every_key_used_exists():
    for key, (en, zh) in i18n.STRINGS.items():
        assert en.strip() and zh.strip(), key
        assert any("\u4e00" <= c <= "\u9fff" for c in zh), f"{key}: no Chinese in {zh!r}"
        assert set(re.findall(r"{(\w+)", en)) == set(re.findall(r"{(\w+)", zh)), key
    used = set()
    for path in (ROOT / "dashboard").rglob("*.py"):
        used |= set(re.findall(r'\bt\(\s*"([a-z_]+\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    missing = {k for k in used if k not in i18n.STRINGS}
    assert not missing, missing


# -------------------------------------------------------------------------------------- compare
def test_compare_default_view_shows_each_scenarios_metrics():
    at = app()
    table = at.table[0].value  # measures as rows, scenarios as columns (names as text: plain)
    keys = state.default_selection(list(state.catalogue()))
    names = [state.catalogue()[k].name("en") for k in keys]
    assert list(table.columns) == [i18n.plain(n) for n in names]
    for k, name in zip(keys, names):
        r = run(k)
        column = table[i18n.plain(name)]
        # Rows are named by the measures vocabulary, the figures are the run's own in their unit.
        for key in ("participants", "payout_ratio", "retention_d7", "org_levels", "platform_net"):
            assert column[N(key)] == sim.measures.figure(key, r.metrics[key]), key
        assert column[N("risk_index")] == sim.measures.figure("risk_index", sim.risk_index(r).total)
    data = charts(at)
    assert len(data) == 4  # growth, retention, payout ratio, risk profile
    growth = data[0][0]
    last = growth[growth["series"] == names[-1]].sort_values("x").iloc[-1]
    assert last["mid"] == run(keys[-1]).daily["active"].iloc[-1]


def test_compare_retention_after_joining_is_the_kpis_d1_d7_d30_d90():
    """The retention chart's second view: share still active k days after joining, the same
    figures as the KPI table (and the report), with 5–95% bands over replicates."""
    at = app()
    at.selectbox(key="cmp_retention.en").set_value("after_joining").run()
    assert not at.exception
    retention = charts(at)[1][0]
    for k in state.default_selection(list(state.catalogue())):
        shown = retention[retention["series"] == state.catalogue()[k].name("en")].sort_values("x")
        m = run(k).metrics
        observed = [d for d in (1, 7, 30, 90) if d <= DAYS]  # a run shorter than 90 days has no D90
        assert shown["x"].tolist() == observed and len(observed) >= 3
        assert shown["mid"].tolist() == pytest.approx([m[f"retention_d{d}"] for d in observed])
    at.multiselect(key="cmp_pick.en").set_value(["liandong_2plus1"]).run()
    at.number_input(key="cmp_reps").set_value(3).run()
    batch = sim.run_many(["liandong_2plus1"], seeds=3, days=DAYS, market_size=SIZE, store=False)
    row = charts(at)[1][0].set_index("x").loc[30]
    d30 = batch.runs["retention_d30"]
    assert (row["lo"], row["mid"], row["hi"]) == pytest.approx(
        (d30.quantile(0.05), d30.median(), d30.quantile(0.95)))
    at.session_state["lang"] = "zh"
    at.run()  # the choice survives the language switch
    assert at.selectbox(key="cmp_retention.zh").value == "after_joining"


def test_compare_replicates_draw_bands_from_run_many():
    at = app()
    at.multiselect(key="cmp_pick.en").set_value(["liandong_2plus1"]).run()
    at.number_input(key="cmp_reps").set_value(3).run()
    assert not at.exception
    batch = sim.run_many(["liandong_2plus1"], seeds=3, days=DAYS, market_size=SIZE, store=False)
    table = at.table[0].value
    assert table.loc[N("participants")].iloc[0] == sim.measures.figure(
        "participants", batch.runs["participants"].median(), mean=True)  # a median over runs
    growth = charts(at)[0][0]
    final = batch.daily[batch.daily["day"] == DAYS]["active"]
    row = growth.sort_values("x").iloc[-1]
    assert (row["lo"], row["hi"]) == pytest.approx((final.quantile(0.05), final.quantile(0.95)))
    assert row["lo"] < row["hi"]  # replicates differ, so there is a band to draw


def test_compare_replicates_show_the_risk_index_of_every_replicate():
    at = app()
    at.multiselect(key="cmp_pick.en").set_value(["liandong_2plus1"]).run()
    at.number_input(key="cmp_reps").set_value(4).run()
    assert not at.exception
    indices = [sim.risk_index(run("liandong_2plus1", seed=s)) for s in range(4)]
    totals = pd.Series([r.total for r in indices])
    assert totals.median() != totals[0]  # the first seed alone would show another number
    name = state.catalogue()["liandong_2plus1"].name("en")
    assert at.table[0].value.loc[N("risk_index"), i18n.plain(name)] == sim.measures.figure(
        "risk_index", totals.median(), mean=True)
    ranges = at.dataframe[0].value  # the expander: median (5–95%) of every key figure
    assert ranges.loc[N("risk_index"), name] == (
        f"{totals.median():,.1f} ({totals.quantile(0.05):,.1f}–{totals.quantile(0.95):,.1f})")
    profile = charts(at)[3][0]
    assert list(profile["points"]) == pytest.approx(
        [sum(r.parts[i].points for r in indices) / 4 for i in range(len(indices[0].parts))])
    assert profile["points"].sum() == pytest.approx(totals.mean())
    assert any(i18n.text("cmp.risk_mean", "en", n=4) in c.value for c in at.caption)
    assert not any("from the run with seed" in c.value for c in at.caption)


def test_compare_opens_a_shared_link_and_keeps_the_address_in_step():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["scenarios"] = "liandong_2plus1,no_such_scenario"
    at.query_params["lang"] = "zh"
    at.run()
    assert list(at.table[0].value.columns) == [i18n.plain("链动2+1")]
    at.multiselect(key="cmp_pick.zh").set_value(["retail_baseline", "liandong_2plus1"]).run()
    assert at.query_params["scenarios"] == "retail_baseline,liandong_2plus1"
    assert at.query_params["lang"] == "zh"


def test_compare_in_chinese_and_with_nothing_picked():
    at = app(lang="zh")
    table = at.table[0].value
    assert N("participants", "zh") in table.index and N("risk_index", "zh") in table.index
    assert i18n.plain("链动2+1") in table.columns
    at.radio(key="lang").set_value("en").run()
    assert N("participants") in at.table[0].value.index
    at.multiselect(key="cmp_pick.en").set_value([]).run()
    assert [i.value for i in at.info] == [i18n.STRINGS["cmp.none"][0]]
    assert not at.get("vega_lite_chart")


def test_compare_runs_every_scenario_in_one_market_unless_asked_and_then_lists_the_differences():
    at = app()
    at.multiselect(key="cmp_pick.en").set_value(["retail_baseline", "membership_distribution"]).run()
    assert at.selectbox(key="cmp_market.en").value == "wechat_community" == at.query_params["market"]
    wechat = sim.markets.load_profile("wechat_community")
    member = sim.markets.in_market(sim.load_scenario("membership_distribution"), wechat)
    name = state.catalogue()["membership_distribution"].name("en")
    expected = sim.run(member, seed=0, days=DAYS, market_size=SIZE).metrics
    assert at.table[0].value.loc[N("gmv"), i18n.plain(name)] == sim.measures.figure("gmv", expected["gmv"])
    assert any("the same persons, network and seeds" in c.value for c in at.caption)
    assert not at.warning

    at.selectbox(key="cmp_market.en").set_value("own").run()
    assert not at.exception and at.query_params["market"] == "own"
    assert at.warning[0].value == i18n.STRINGS["cmp.market_mixed"][0]
    differ = at.dataframe[0].value  # the markets' differences, above the key figures
    assert list(differ.index) == ["Chance a new customer never comes back after day one [churn.first_day]"]
    assert differ.iloc[0].tolist() == ["0", "0.85"]
    own = sim.run("membership_distribution", seed=0, days=DAYS, market_size=SIZE).metrics
    assert at.table[0].value.loc[N("gmv"), i18n.plain(name)] == sim.measures.figure("gmv", own["gmv"]) != \
        sim.measures.figure("gmv", expected["gmv"])
    at.session_state["lang"] = "zh"
    at.run()
    assert at.selectbox(key="cmp_market.zh").value == "own"
    assert at.dataframe[0].value.index[0].startswith("新顾客次日即流失的概率")


# -------------------------------------------------------------------------------------- choose
def test_choose_ranks_the_models_as_sim_choose_does_in_both_languages():
    at = app("choose")
    picked = ["retail_baseline", "liandong_2plus1"]
    at.multiselect(key="cho_pick.en").set_value(picked).run()
    assert [i.value for i in at.info] == [i18n.STRINGS["cho.press"][0]]
    at.button(key="cho_run").click().run()
    assert not at.exception
    choice = sim.choose.choose(picked, objective="platform_net", market="wechat_community", seeds=[0, 1, 2, 3],
                               days=DAYS, market_size=SIZE, points=3, robust_seeds=2)
    # Names reach Markdown (tables, headline, lists) as text: escaped by i18n.plain.
    names = {k: i18n.plain(state.catalogue()[k].name("en")) for k in picked}
    table = at.table[0].value
    assert list(table[i18n.text("ax.scenario", "en")]) == [names[k] for k in choice.ranking["scenario"]]
    top = choice.ranking.iloc[0]
    assert table.iloc[0][N("probability_best")] == (
        f"{top['probability_best']:.1%} ({top['p_best_low']:.1%}–{top['p_best_high']:.1%})")
    assert at.table[1].value.loc[names["liandong_2plus1"], "China"] == "Breach · not launchable"
    assert at.success[0].value.startswith(f"{names[top['scenario']]} ranks first on platform net")
    assert any(m.value.startswith(f"- China: not launchable (a breach): {names['liandong_2plus1']}. Highest-ranked "
                                  f"launchable: {names['retail_baseline']}.") for m in at.markdown)
    assert i18n.plain(choice.why("en").text) in [m.value for m in at.markdown]
    assert len(charts(at)) == 1 + len(choice.robustness.ranges)  # intervals, one per uncertain parameter
    at.session_state["lang"] = "zh"
    at.run()  # the same inputs: the choice comes back from the cache, in Chinese
    assert not at.exception and "排名第一" in at.success[0].value
    assert i18n.plain(choice.why("zh").text) in [m.value for m in at.markdown]


def test_choose_says_why_it_cannot_rank_yet():
    at = app("choose")
    at.multiselect(key="cho_pick.en").set_value(["retail_baseline"]).run()
    assert [i.value for i in at.info] == [i18n.STRINGS["cho.two"][0]]
    at.multiselect(key="cho_pick.en").set_value(["retail_baseline", "liandong_2plus1"]).run()
    at.selectbox(key="cho_objective.en").set_value("retention_d90").run()
    assert [i.value for i in at.info] == [i18n.text("cho.too_short", "en", days=DAYS)]
    assert at.button(key="cho_run").disabled


# -------------------------------------------------------------------------------------- lab
def lab_key(at: AppTest, path: str) -> str:
    """The key of the widget for a scenario key, on the lab's current base scenario."""
    return f"lab0|{at.selectbox(key='lab_base.en').value}|{path}"


def test_lab_shows_the_loaders_message_next_to_an_invalid_field():
    at = app("lab")
    at.selectbox(key="lab_base.en").set_value("liandong_2plus1").run()
    founders = at.number_input(key=lab_key(at, "market.founders"))
    assert founders.label == "Organisers active on day 0 (组织者) (persons)"
    assert "Allowed: a whole number from 1 to 100,000" in founders.help
    assert "`market.founders`" in founders.help and "初始组织者人数" in founders.help
    at.number_input(key=lab_key(at, "rules.liandong.jiandian")).set_value(500.0).run()
    d = sim.load_scenario("liandong_2plus1").to_dict()
    d["rules"]["liandong"]["jiandian"] = 500.0
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(d)
    assert err.value.key == "rules.liandong.jiandian"
    assert i18n.plain(err.value.message) in [e.value for e in at.error]  # under the field, as text
    assert at.button(key="lab_run").disabled
    at.number_input(key=lab_key(at, "rules.liandong.jiandian")).set_value(60.0).run()
    assert not at.error
    assert at.success[0].value == "All values are valid. 1 changed from the original."


def test_lab_rejects_a_malformed_list_and_a_negative_size():
    at = app("lab")
    at.selectbox(key="lab_base.en").set_value("fission_distribution").run()
    at.text_input(key=lab_key(at, "rules.multi_level_commission.rates")).set_value("0.1, ten").run()
    assert i18n.plain("must be numbers separated by commas, got '0.1, ten'") in [e.value for e in at.error]
    at.text_input(key=lab_key(at, "rules.multi_level_commission.rates")).set_value("0.1").run()
    at.number_input(key=lab_key(at, "market.size")).set_value(-5).run()
    assert i18n.plain("must be a whole number from 1 to 50,000,000, got -5") in [e.value for e in at.error]
    assert not at.exception


def lab_with_fission_edited() -> AppTest:
    """The lab on fission_distribution, small, its commission rates edited and both run."""
    at = app("lab")
    at.selectbox(key="lab_base.en").set_value("fission_distribution").run()
    at.number_input(key=lab_key(at, "market.size")).set_value(SIZE).run()
    at.number_input(key=lab_key(at, "market.days")).set_value(DAYS).run()
    at.text_input(key=lab_key(at, "rules.multi_level_commission.rates")).set_value("0.2, 0.1").run()
    at.button(key="lab_run").click().run()
    return at


def test_lab_reruns_against_the_original_and_saves_a_valid_toml(monkeypatch, tmp_path):
    monkeypatch.setattr(state, "USER_DIR", tmp_path)
    at = lab_with_fission_edited()
    assert not at.exception
    diff = at.dataframe[0].value
    base = sim.load_scenario("fission_distribution")
    edited = base.to_dict()
    edited["market"].update(size=SIZE, days=DAYS)
    edited["rules"]["multi_level_commission"]["rates"] = [0.2, 0.1]
    ours, theirs = sim.run(base, seed=0), sim.run(edited, seed=0)
    assert diff.loc[N("participants"), "Original"] == f"{ours.metrics['participants']:,.0f}"
    assert diff.loc[N("participants"), "Edited"] == f"{theirs.metrics['participants']:,.0f}"
    assert diff.loc[N("payout_ratio"), "Edited"] == f"{theirs.metrics['payout_ratio']:.1%}"
    assert diff.loc[N("payout_ratio"), "Change"] == sim.measures.change(
        "payout_ratio", ours.metrics["payout_ratio"], theirs.metrics["payout_ratio"])

    at.number_input(key=lab_key(at, "churn.customer")).set_value(0.02).run()
    assert at.info[-1].value == "Values changed since the last run: press Run to compare again."
    assert not at.dataframe  # no stale differences on show
    at.number_input(key=lab_key(at, "churn.customer")).set_value(0.01).run()
    assert at.dataframe[0].value.equals(diff)  # back to the values that were run
    at.button(key="lab_save").click().run()
    saved = tmp_path / "fission_distribution_v2.toml"  # its own id, in the user folder
    name = f"{base.meta.name_en} (variant 2)"
    assert at.success[-1].value == i18n.text("lab.saved", "en", name=i18n.plain(name),
                                             path=i18n.plain(saved.name))
    edited["scenario"].update(id="fission_distribution_v2", name_en=name,
                              name_zh=f"{base.meta.name_zh}(变体 2)")
    assert sim.load_scenario(saved).content_hash() == sim.load_scenario(edited).content_hash()
    save_field(at, "Id of the new scenario").set_value(saved.stem).run()  # the same id again
    at.button(key="lab_save").click().run()  # needs "replace"
    assert at.error[-1].value == (f"{i18n.plain(saved.name)} exists; tick 'Replace my earlier save' "
                                  "to replace it.")
    at.number_input(key=lab_key(at, "churn.customer")).set_value(0.02).run()
    at.checkbox(key="lab_overwrite").check().run()
    at.button(key="lab_save").click().run()  # one's own save, replaced
    assert at.success[-1].value.startswith("Saved ")
    assert sim.load_scenario(saved).churn.customer == 0.02
    assert sorted(p.name for p in tmp_path.iterdir()) == [saved.name]


def save_field(at: AppTest, label: str):
    """A field of the lab's "Save as a new scenario": the id or a name."""
    return next(w for w in at.text_input if w.label == label)


def test_lab_saves_each_variant_under_its_own_id_and_name_and_sim_compare_tells_them_apart(
        monkeypatch, tmp_path, capsys):
    """Two saves from Link-and-Move 2+1 are two scenarios (…_v2, …_v3, "(variant 2)", "(variant 3)"),
    offered under their own names, and `sim compare` heads each column with its own id."""
    monkeypatch.setattr(state, "USER_DIR", tmp_path)
    at = app("lab")
    at.selectbox(key="lab_base.en").set_value("liandong_2plus1").run()
    assert save_field(at, "Id of the new scenario").value == "liandong_2plus1_v2"
    at.button(key="lab_save").click().run()
    at.number_input(key=lab_key(at, "rules.liandong.jiandian")).set_value(60.0).run()
    assert save_field(at, "Id of the new scenario").value == "liandong_2plus1_v3"  # the next free one
    at.button(key="lab_save").click().run()
    assert not at.exception
    paths = [tmp_path / f"liandong_2plus1_v{n}.toml" for n in (2, 3)]
    saved = [sim.load_scenario(p) for p in paths]
    assert [(s.id, s.meta.name_en, s.meta.name_zh) for s in saved] == [
        (f"liandong_2plus1_v{n}", f"Link-and-Move 2+1 (variant {n})", f"链动2+1(变体 {n})") for n in (2, 3)]
    offered = at.selectbox(key="lab_base.en").options
    assert {"Link-and-Move 2+1 (variant 2) (yours)", "Link-and-Move 2+1 (variant 3) (yours)"} <= set(offered)

    from sim.cli import main
    ids = ["liandong_2plus1", "liandong_2plus1_v2", "liandong_2plus1_v3"]
    small = ["--days", "10", "--market-size", "500", "--quiet"]
    assert main(["compare", "liandong_2plus1", *map(str, paths), *small, "--json"]) == 0
    assert list(json.loads(capsys.readouterr().out)["scenarios"]) == ids
    assert main(["compare", "liandong_2plus1", *map(str, paths), *small]) == 0
    table = capsys.readouterr().out
    assert all(re.search(rf"(?<![\w.]){i}(?![\w.])", table) for i in ids), table


def test_lab_starts_from_the_scenario_looked_at_and_keeps_an_edited_section_open():
    at = app("audit")
    at.selectbox(key="aud_scenario.en").set_value("fission_distribution").run()
    at.switch_page("views/lab.py").run()
    assert at.selectbox(key="lab_base.en").value == "fission_distribution"
    at.number_input(key=lab_key(at, "market.founders")).set_value(3).run()
    assert not at.exception
    opened = {e.label: e.proto.expanded for e in at.expander}
    assert opened["Market"] and not opened["Retail"], opened
    at.switch_page("views/compare.py").run()
    at.multiselect(key="cmp_pick.en").set_value(["retail_baseline", "membership_distribution"]).run()
    at.switch_page("views/lab.py").run()
    assert at.selectbox(key="lab_base.en").value == "membership_distribution"  # the one picked last


def test_saved_scenarios_are_offered_and_broken_ones_reported(monkeypatch, tmp_path):
    monkeypatch.setattr(state, "USER_DIR", tmp_path)
    good = sim.load_scenario("retail_baseline").to_dict()
    good["scenario"]["name_en"] = "My retail"
    (tmp_path / "mine.toml").write_text(toml_writer.dumps(good), encoding="utf-8")
    (tmp_path / "broken.toml").write_text("[market]\nsize = -1\n", encoding="utf-8")
    at = app("lab")
    assert "My retail (yours)" in at.selectbox(key="lab_base.en").options
    assert any(i18n.plain("broken.toml") in w.value and "no longer loads" in w.value for w in at.warning)


@pytest.mark.parametrize("page", ["compare", "audit"])
def test_a_scenario_that_cannot_run_at_the_chosen_size_says_why_in_chinese(monkeypatch, tmp_path, page):
    """A saved scenario with more organisers than the market size picked on the page: the
    loader's message in the page's language, not a crash."""
    monkeypatch.setattr(state, "USER_DIR", tmp_path)
    big = sim.load_scenario("retail_baseline").to_dict()
    big["market"]["founders"] = 500
    (tmp_path / "big.toml").write_text(toml_writer.dumps(big), encoding="utf-8")
    at = app(page, lang="zh")
    if page == "compare":
        at.multiselect(key="cmp_pick.zh").set_value(["user/big"]).run()
        at.number_input(key="cmp_size").set_value(100).run()
    else:
        at.selectbox(key="aud_scenario.zh").set_value("user/big").run()
        at.number_input(key="aud_size").set_value(100).run()
    assert not at.exception
    assert any(i18n.plain("market.founders: 不能超过 market.size(100),实际为 500") in e.value
               for e in at.error), [e.value for e in at.error]


def test_lab_in_chinese_shows_the_loaders_messages_in_chinese(monkeypatch, tmp_path):
    monkeypatch.setattr(state, "USER_DIR", tmp_path)
    (tmp_path / "broken.toml").write_text("[market]\nsize = -1\n", encoding="utf-8")
    at = app("lab", lang="zh")
    assert any(i18n.plain("broken.toml") in w.value and i18n.plain("scenario: 缺少该配置段") in w.value
               for w in at.warning)
    at.selectbox(key="lab_base.zh").set_value("liandong_2plus1").run()
    key = "lab0|liandong_2plus1|"
    assert "允许:1 到 100,000 之间的整数" in at.number_input(key=key + "market.founders").help
    at.number_input(key=key + "rules.liandong.jiandian").set_value(500.0).run()
    d = sim.load_scenario("liandong_2plus1").to_dict()
    d["rules"]["liandong"]["jiandian"] = 500.0
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(d)
    errors = [e.value for e in at.error]
    assert i18n.plain(err.value.text("zh")) in errors  # under the field
    assert not any(i18n.plain(err.value.message) in e for e in errors)
    at.number_input(key=key + "rules.liandong.jiandian").set_value(60.0).run()
    at.number_input(key=key + "market.size").set_value(-5).run()
    assert i18n.plain("必须是 1 到 50,000,000 之间的整数,实际为 -5") in [e.value for e in at.error]
    at.radio(key="lang").set_value("en").run()
    assert i18n.plain("must be a whole number from 1 to 50,000,000, got -5") in [e.value for e in at.error]


def test_lab_never_takes_a_shipped_scenarios_id(monkeypatch, tmp_path):
    """A save under a shipped scenario's id is refused (the command line would find two files by
    it); the id offered is the scenario's own, numbered, in the user folder."""
    monkeypatch.setattr(state, "USER_DIR", tmp_path)
    shipped = sim.scenario_paths()[0]
    before = shipped.read_bytes()
    at = app("lab")
    at.selectbox(key="lab_base.en").set_value(shipped.stem).run()
    save_field(at, "Id of the new scenario").set_value(shipped.stem).run()
    assert at.error[-1].value == i18n.plain(f"id: {shipped.stem} is a shipped scenario's id; choose another.")
    assert "lab_save" not in [b.key for b in at.button]
    save_field(at, "Id of the new scenario").set_value(f"{shipped.stem}_v2").run()
    at.checkbox(key="lab_overwrite").check().run()
    at.button(key="lab_save").click().run()
    assert at.success[-1].value.startswith("Saved ")
    assert shipped.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [f"{shipped.stem}_v2.toml"]


@pytest.mark.parametrize("path", sim.scenario_paths(), ids=lambda p: p.stem)
def test_toml_writer_round_trips_every_shipped_scenario(path):
    s = sim.load_scenario(path)
    text = toml_writer.dumps(s.to_dict(), header="a header\nwith two lines")
    assert sim.load_scenario(tomllib.loads(text)).content_hash() == s.content_hash()


def test_toml_writer_escapes_strings_and_refuses_what_toml_cannot_hold():
    tricky = 'quote " backslash \\ tab \t newline \n del \x7f 中文 """'
    table = tomllib.loads(toml_writer.dumps({"scenario": {"name_zh": tricky, "x": 1e-05,
                                                          "rates": [0.1, 2.0], "on": True}}))
    assert table["scenario"] == {"name_zh": tricky, "x": 1e-05, "rates": [0.1, 2.0], "on": True}
    with pytest.raises(ValueError):
        toml_writer.value(float("nan"))
    with pytest.raises(TypeError):
        toml_writer.value({"nested": 1})


# -------------------------------------------------------------------------------------- learn
def test_learn_steps_the_market_and_tells_a_persons_story():
    at = app("learn")
    at.selectbox(key="learn_scenario.en").set_value("liandong_2plus1").run()
    assert at.markdown[0].value.startswith("**Day 0 of 120**")
    at.button(key="learn_week").click().run()
    at.button(key="learn_step").click().run()
    assert not at.exception
    model = at.session_state["learn_model"][1]
    assert model.day - 1 == 8
    assert at.markdown[0].value.startswith("**Day 8 of 120**")
    people = sim.runner.collect(model).people
    assert f"{len(people)} of 500 people have joined" in at.markdown[0].value
    # the tree has one node per person who joined, placed under their sponsor
    nodes = next(d for d in charts(at)[0] if "depth" in d and "id" in d)
    assert sorted(nodes["id"]) == sorted(people["id"])
    # Until the reader picks someone, the story follows the latest of the worst-off joiners.
    joiners = people[(people["participant_day"] >= 0) & ~people["founder"]]
    worst = joiners.sort_values(["net", "join_day"], ascending=[True, False]).iloc[0]
    assert at.selectbox(key="learn_person").value == worst["id"]
    assert any(m.value.startswith(f"Person {worst['id']} ") for m in at.markdown)
    recruited = people[(people["sponsor"] >= 0) & people["sponsor"].isin(people["id"])].iloc[0]
    at.selectbox(key="learn_person").set_value(int(recruited["id"])).run()
    story = next(m.value for m in at.markdown if m.value.startswith(f"Person {recruited['id']} "))
    assert f"by person {int(recruited['sponsor'])}" in story
    assert f"net result of {recruited['net']:+,.2f} yuan" in story
    at.button(key="learn_week").click().run()  # the reader's choice stays put
    assert at.selectbox(key="learn_person").value == recruited["id"]
    at.button(key="learn_restart").click().run()
    assert at.markdown[0].value.startswith("**Day 0 of 120**")


def test_learn_story_lists_rewards_and_who_triggered_them():
    at = app("learn", lang="zh")
    for _ in range(5):
        at.button(key="learn_week").click().run()
    model = at.session_state["learn_model"][1]
    result = sim.runner.collect(model)
    top = int(result.people.sort_values("rewards").iloc[-1]["id"])
    at.selectbox(key="learn_person").set_value(top).run()
    table = next(d.value for d in at.dataframe if "触发者" in d.value.columns)
    mine = result.journal[result.journal["payee"] == top]
    assert table["金额(元)"].sum() == pytest.approx(mine["amount"].sum())
    assert set(table["触发者"]) == set(mine["trigger"])
    assert any("的故事" in m.value for m in at.markdown)


# -------------------------------------------------------------------------------------- audit
def test_audit_findings_risk_and_stress_test_match_the_engine():
    at = app("audit")
    at.selectbox(key="aud_scenario.en").set_value("liandong_2plus1").run()
    r = run("liandong_2plus1")
    findings = sim.audit(r)
    counts = {v: sum(f.verdict == v for f in findings) for v in sim.audit.VERDICTS}
    assert (f"{counts['breach']} breach, {counts['warning']} warning, {counts['not_triggered']} not "
            f"triggered, {counts['not_applicable']} not applicable") in [m.value for m in at.markdown]
    # The index is a screening score: said beside it, and the breaches outrank it.
    assert sim.risk_index(r).screening("en") in [c.value for c in at.caption]
    assert [w.value for w in at.warning] == [i18n.text("aud.outranks", "en", n=counts["breach"])]
    assert at.metric[0].value == f"{sim.measures.figure('risk_index', sim.risk_index(r).total)} / 100"
    assert any(f.citation in m.value for f in findings for m in at.markdown)
    stress = sim.stress_test("liandong_2plus1", seed=0, stop_day=DAYS // 2, days=DAYS,
                             market_size=SIZE)
    assert at.metric[1].value == sim.measures.figure("payout_drop", stress.payout_drop)  # 100.0%
    table = at.dataframe[-1].value  # the stress-test table closes the page
    assert list(table.iloc[:, 2]) == [sim.measures.figure(k, x) for k, _, x in stress.rows()]
    assert len(charts(at)) == 4  # depth, Lorenz, cohorts, stress test

    at.radio(key="aud_where.en").set_value("cn").run()
    assert all("] China · " in e.label for e in at.expander)
    assert len(at.expander) == len(sim.audit(r, jurisdiction="cn"))


def test_audit_names_each_figure_in_chinese():
    """Measured values and thresholds are shown by name (sim.audit.label), not by identifier."""
    at = app("audit", lang="zh")
    at.selectbox(key="aud_scenario.zh").set_value("liandong_2plus1").run()
    names = [name for d in at.dataframe if "测得" in d.value.columns for name in d.value["指标"]]
    assert "最深计酬层级(级)" in names and N("participants_at_least", "zh") + "(人)" in names
    assert not any(re.fullmatch(r"[a-z_]+", name) for name in names), names
    # each figure in its unit: 链动2+1 pays every reward on joins, so that share reads 100.0%
    figures = pd.concat([d.value for d in at.dataframe if "测得" in d.value.columns])
    shown = dict(zip(figures["指标"], figures["测得"]))
    assert shown[N("reward_share_recruitment", "zh")] == "100.0%" and shown[N("entry_fee", "zh") + "(元)"] == "¥399"


def test_audit_shows_the_evidence_in_chinese():
    """Declared facts name the mechanism and the fact (链动2+1 · 可计酬的最深层级 · 不限), and the
    run's sponsor chains name the reward kinds and roles, not rules.liandong or jiandian."""
    at = app("audit", lang="zh")
    at.selectbox(key="aud_scenario.zh").set_value("liandong_2plus1").run()
    declared = pd.concat([d.value for d in at.dataframe if "声明事实" in d.value.columns])
    rows = set(declared.itertuples(index=False, name=None))
    assert ("链动2+1", "可计酬的最深层级", "不限") in rows and ("入门礼包", "入门费", "¥399") in rows
    assert not declared.map(lambda v: bool(re.fullmatch(r"[a-z_.]+", v))).any().any()
    kinds = {k for d in at.dataframe if "奖励类型" in d.value.columns for k in d.value["奖励类型"]}
    assert "直推奖" in kinds and not any(re.search(r"[a-z_]{3}", k) for k in kinds), kinds
    roles = {r for d in at.dataframe if "角色" in d.value.columns for r in d.value["角色"]}
    assert "代理" in roles and roles <= {zh for _, zh in sim.audit.labels.ROLES.values()}, roles


def test_audit_of_a_model_without_participants_says_so():
    at = app("audit", lang="zh")
    at.selectbox(key="aud_scenario.zh").set_value("retail_baseline").run()
    assert not at.exception
    assert i18n.STRINGS["aud.no_participants"][1] in [i.value for i in at.info]
    assert all("不适用" in e.label for e in at.expander)


def test_audit_report_is_html_in_the_chosen_language():
    r = run("liandong_2plus1")
    stress = sim.stress_test(r.scenario, seed=0, stop_day=20, baseline=r)
    html = state.report(r, "zh", stress)
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "链动2+1" in html and "禁止传销条例" in html
    assert "Link-and-Move 2+1" in state.report(r, "en", stress)


def test_audit_findings_json_is_sim_audit_json_with_the_runs_context(capsys):
    """The Audit page's findings download and `sim audit --json` come from one function
    (sim.audit.record): the same record for the same run, with what reproduces it."""
    from sim.cli import main
    r = run("liandong_2plus1")
    stress = sim.stress_test(r.scenario, seed=0, stop_day=DAYS // 2, baseline=r)
    page = json.loads(state.audit_json(r, "cn", stress=stress))
    assert main(["audit", "liandong_2plus1", "--seed", "0", "--days", str(DAYS), "--market-size", str(SIZE),
                 "--jurisdiction", "cn", "--stop-day", str(DAYS // 2), "--json", "--quiet"]) == 0
    assert page == json.loads(capsys.readouterr().out)
    assert {k: page[k] for k in ("scenario", "name", "seed", "days", "market_size", "market_profile",
                                 "code_version", "jurisdiction")} == {
        "scenario": "liandong_2plus1", "name": {"en": "Link-and-Move 2+1", "zh": "链动2+1"}, "seed": 0,
        "days": DAYS, "market_size": SIZE, "market_profile": r.scenario.meta.market_profile,
        "code_version": r.code_version, "jurisdiction": "cn"}
    assert page["risk_index"]["total"] == pytest.approx(sim.risk_index(r).total)
    assert {f["jurisdiction"] for f in page["findings"]} == {"cn"} and page["stress_test"]["stop_day"] == DAYS // 2


def test_every_shipped_scenario_opens_on_every_page():
    """Scenarios are added all the time; each page must take any of them (small markets)."""
    keys = [p.stem for p in sim.scenario_paths()]
    at = app()
    at.multiselect(key="cmp_pick.en").set_value(keys).run()
    assert not at.exception
    assert len(at.table[0].value.columns) == len(keys)
    for page, widget in (("audit", "aud_scenario.en"), ("learn", "learn_scenario.en"),
                         ("lab", "lab_base.en")):
        at.switch_page(f"views/{page}.py").run()
        for key in keys:
            at.selectbox(key=widget).set_value(key).run()
            if page == "learn":
                at.button(key="learn_week").click().run()
            assert not at.exception, (page, key, [e.message for e in at.exception])
            if page == "lab":  # a shipped scenario is valid as it stands
                assert at.success[0].value.startswith("All values are valid. 0 changed"), key


# ------------------------------------------------------------ Learn wording, colours (issue 13 §4)
# Vega's own ranges, what a chart gets when its spec sets none: shapes in this order, colours
# (written here as their places) in the order of the scale's domain.
VEGA_SHAPES = ("circle", "square", "triangle-up", "cross", "diamond", "triangle-right", "triangle-down",
               "triangle-left")
VEGA_COLOURS = tuple(f"category colour {i}" for i in range(20))
ROLES = ("founder", "leader", "distributor", "consumer", "unaware")


def specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def encodings(spec: dict, channel: str, field: str) -> list[dict]:
    """Every ``channel`` encoding of ``field`` in a spec, its layers included."""
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            enc = node.get("encoding", {}).get(channel)
            if isinstance(enc, dict) and enc.get("field") == field:
                found.append(enc)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(spec)
    return found


def given(spec: dict, channel: str, field: str, values: list[str], default: tuple) -> dict[str, object]:
    """What ``channel`` draws each of ``values`` with: the scale's range where the spec sets
    one, else Vega's default range by place in the domain (the values sorted, as Vega sorts
    them, unless the spec gives a domain or a sort order)."""
    enc = encodings(spec, channel, field)[0]
    scale = enc.get("scale") or {}
    domain = scale.get("domain") or (enc["sort"] if isinstance(enc.get("sort"), list) else sorted(values))
    rng = scale.get("range") or default
    return {v: rng[domain.index(v) % len(rng)] for v in values}


def coloured_by_series(at: AppTest) -> list[dict[str, object]]:
    """name -> colour, for each chart on the page that colours lines by series."""
    out = []
    for spec in specs(at):
        if encodings(spec, "color", "series"):
            enc = encodings(spec, "color", "series")[0]
            names = (enc.get("scale") or {}).get("domain") or enc.get("sort")
            out.append(given(spec, "color", "series", names, VEGA_COLOURS))
    return out


def story(at: AppTest, start: str) -> str:
    return next(m.value for m in at.markdown if m.value.startswith(start))


def test_learn_says_who_recruited_each_person_in_words_and_counts_recruits_properly():
    at = app("learn")
    at.selectbox(key="learn_scenario.en").set_value("liandong_2plus1").run()
    for _ in range(2):
        at.button(key="learn_week").click().run()
    people = sim.runner.collect(at.session_state["learn_model"][1]).people.set_index("id")
    # The tree's tooltip: -1 means nobody recruited them; it must say so, not show -1.
    recruited_by = next(d for d in charts(at)[0] if "sponsor" in d).set_index("id")["sponsor"]
    founder = people.index[people["founder"]][0]
    own = people.index[~people["founder"] & (people["sponsor"] < 0)][0]
    brought = people.index[people["sponsor"] >= 0][0]
    assert recruited_by[founder] == "nobody: an organiser"
    assert recruited_by[own] == "nobody: joined on their own"
    assert recruited_by[brought] == f"person {people.loc[brought, 'sponsor']}"

    joined = people[(people["participant_day"] >= 0) & ~people["founder"]]
    by_count = {n: joined.index[joined["recruits"] == n][0] for n in (0, 1, 2)}
    top_team = joined.index[joined["team_owner"] == -2][0]  # 链动: the platform's top account
    expected = {by_count[0]: "They have recruited no participants so far.",
                by_count[1]: "They recruited 1 participant.",
                by_count[2]: "They recruited 2 participants.",
                top_team: "the platform's own top account"}
    for pid, words in expected.items():
        at.selectbox(key="learn_person").set_value(int(pid)).run()
        told = story(at, f"Person {pid} ")
        assert words in told and "(s)" not in told, told
    at.session_state["lang"] = "zh"
    at.run()
    for pid, words in {by_count[0]: "此人至今没有直接推荐任何参与者。", top_team: "顶级账号"}.items():
        at.selectbox(key="learn_person").set_value(int(pid)).run()
        told = " ".join([story(at, f"{pid} 号"), *(c.value for c in at.caption)])
        assert words in told and "他们" not in told, told  # one person is 此人, never 他们
    recruited_by = next(d for d in charts(at)[0] if "sponsor" in d).set_index("id")["sponsor"]
    assert recruited_by[own] == "无(自行加入)" and recruited_by[brought] == f"{people.loc[brought, 'sponsor']} 号"


def test_learn_tree_marks_each_role_with_one_shape_in_both_languages():
    shapes = {}
    for lang in ("en", "zh"):
        at = app("learn", lang=lang)
        at.selectbox(key=f"learn_scenario.{lang}").set_value("liandong_2plus1").run()
        for _ in range(2):
            at.button(key="learn_week").click().run()
        nodes = next(d for d in charts(at)[0] if "role" in d)
        role_of = {i18n.text(f"role.{k}", lang): k for k in ROLES}
        shown = given(specs(at)[0], "shape", "role", sorted(set(nodes["role"])), VEGA_SHAPES)
        shapes[lang] = {role_of[label]: shape for label, shape in shown.items()}
    assert {"founder", "leader", "distributor", "consumer"} <= shapes["en"].keys()
    assert shapes["en"] == shapes["zh"]


def test_learn_joins_chart_counts_from_zero_over_the_whole_horizon():
    at = app("learn")
    at.selectbox(key="learn_scenario.en").set_value("liandong_2plus1").run()
    at.button(key="learn_week").click().run()
    saturation = next(s for s in specs(at) if encodings(s, "y", "joins"))
    joins = encodings(saturation, "y", "joins")[0].get("scale", {})
    assert joins.get("domain", [None])[0] == 0 or joins.get("domainMin") == 0
    assert encodings(saturation, "x", "day")[0].get("scale", {}).get("domain") == [0, 120]


def test_a_scenario_keeps_its_colour_whatever_else_is_compared_and_in_either_language():
    at = app()  # the default three: retail baseline, fission distribution, 链动2+1
    names = {k: state.catalogue()[k].name("en") for k in ("liandong_2plus1", "fission_distribution")}
    first = coloured_by_series(at)
    assert len(first) == 3  # growth, retention, payout ratio
    at.multiselect(key="cmp_pick.en").set_value(["liandong_2plus1", "pinduoduo_group_buy",
                                                 "fission_distribution"]).run()
    second = coloured_by_series(at)
    for k, name in names.items():
        assert {c[name] for c in first} | {c[name] for c in second} == {first[0][name]}, k
    for chart in first + second:
        assert len(set(chart.values())) == len(chart)  # scenarios on one chart never share a colour
    at.session_state["lang"] = "zh"
    at.run()
    zh = coloured_by_series(at)
    assert zh[0][state.catalogue()["liandong_2plus1"].name("zh")] == first[0][names["liandong_2plus1"]]


def test_a_scenario_has_its_colour_on_choose_learn_and_audit():
    from sim.palette import SHADOW, colours
    pair = ["retail_baseline", "liandong_2plus1"]
    mine = dict(zip(pair, colours(pair)))["liandong_2plus1"]
    name = state.catalogue()["liandong_2plus1"].name("en")

    at = app("choose")
    at.multiselect(key="cho_pick.en").set_value(pair).run()
    at.button(key="cho_run").click().run()
    assert all(c[name] == mine for c in coloured_by_series(at))

    at.switch_page("views/learn.py").run()
    at.selectbox(key="learn_scenario.en").set_value("liandong_2plus1").run()
    bars_ = next(s for s in specs(at) if encodings(s, "y", "joins"))
    assert [layer["mark"]["color"] for layer in bars_["layer"] if layer["mark"]["type"] == "bar"] == [mine]

    at.switch_page("views/audit.py").run()
    at.selectbox(key="aud_scenario.en").set_value("liandong_2plus1").run()
    stress = coloured_by_series(at)[-1]
    assert stress == {"Recruitment stopped": SHADOW, "As run": mine}


def test_lab_draws_the_original_grey_and_dashed_and_the_edit_solid_in_the_scenarios_colour():
    from sim.palette import DASH, SHADOW, preferred
    at = lab_with_fission_edited()
    for lang, (original, edited) in (("en", ("Original", "Edited")), ("zh", ("原场景", "修改版"))):
        if lang == "zh":
            at.session_state["lang"] = "zh"
            at.run()
        lines = [s for s in specs(at) if encodings(s, "color", "series")]
        assert len(lines) == 2, lang  # active persons, payout ratio
        for spec in lines:
            assert given(spec, "color", "series", [original, edited], VEGA_COLOURS) == {
                original: SHADOW, edited: preferred("fission_distribution")}
            assert given(spec, "strokeDash", "series", [original, edited], ()) == {
                original: list(DASH), edited: [1, 0]}  # [1, 0]: solid
