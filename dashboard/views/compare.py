"""Compare page: run scenarios side by side; KPI table, growth, retention, payout and risk charts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import sim
from sim import palette

from dashboard import charts, state
from dashboard.i18n import current, family, pick, plain, series_name, t, text, text_family
from dashboard.i18n import measure as measure_name

KPIS = ("participants", "penetration", "gmv", "payout_ratio", "retention_d1", "retention_d7",
        "retention_d30", "share_losing_money", "max_paid_depth", "org_levels", "risk_index",
        "platform_net", "merchant_profit")
GROWTH = ("active", "participants", "adopted", "new_participants", "gmv")
# Retention two ways: everyone who joined, by calendar day; or by days since each one joined,
# at the days the KPI table and the report use (D1, D7, D30, D90).
RETENTION = ("by_day", "after_joining")
AFTER_JOINING = (1, 7, 30, 90)

lang = current()
st.title(t("cmp.title"))
st.caption(t("cmp.intro"))

entries = state.catalogue()
keys = list(entries)


def _option(k: str) -> str:
    # The family in each option lets a reader type 分销 or "membership" to find a group.
    return f"{state.label(entries[k], lang)} · {text_family(entries[k].scenario.meta.family, lang)}"


# ?scenarios=a,b in the address opens with those picked, and the address follows the picker,
# so a comparison can be shared as a link.
linked = [k for k in st.query_params.get("scenarios", "").split(",") if k in entries]
with st.container(border=True):
    picked = st.multiselect(t("cmp.pick"), keys, format_func=_option,
                            key=state.carry("cmp_pick", linked or state.default_selection(keys), keys))
    before = st.session_state.get("cmp_pick")  # the last run's pick, None on the first view
    chosen = state.remember("cmp_pick", [k for k in picked if k in entries])
    if added := [k for k in chosen if k not in (before or ())]:
        state.look_at(added[-1], first_view=before is None)  # where the lab starts
    c1, c2, c3, c4 = st.columns(4)
    size = c1.number_input(t("ctl.market_size"), min_value=100, max_value=2_000_000,
                           value=state.DEFAULT_SIZE, step=1_000, help=t("ctl.size_help"),
                           key="cmp_size")
    days = c2.number_input(t("ctl.days"), min_value=10, max_value=1_095, value=state.DEFAULT_DAYS,
                           step=30, key="cmp_days")
    seed = c3.number_input(t("ctl.seed"), min_value=0, max_value=2**31 - 1, value=0, step=1,
                           help=t("ctl.seed_help"), key="cmp_seed")
    reps = c4.number_input(t("ctl.replicates"), min_value=1, max_value=50, value=1, step=1,
                           help=t("ctl.replicates_help"), key="cmp_reps")

    # One market for every scenario by default (like for like); each its own only when asked.
    market_key = state.remember("cmp_market", st.selectbox(
        t("cmp.market"), state.MARKET_OPTIONS, format_func=lambda m: state.market_label(m, lang),
        help=t("cmp.market_help"),
        key=state.carry("cmp_market", state.default_market(entries, chosen, st.query_params.get("market")),
                        list(state.MARKET_OPTIONS))))
    st.caption(state.limits_note(state.person_days([entries[k].scenario for k in chosen],
                                                   runs_each=int(reps), size=int(size), days=int(days))))

st.query_params["scenarios"] = ",".join(chosen)
st.query_params["market"] = market_key
if not chosen:
    st.info(t("cmp.none"))
    st.stop()
placed = state.placed({k: entries[k].scenario for k in chosen}, market_key)

names = {k: state.label(entries[k], lang) for k in chosen}
# Charts key series by name: two saved files with the same name get their file names added.
names = {k: f"{n} [{k}]" if list(names.values()).count(n) > 1 else n for k, n in names.items()}
order = [names[k] for k in chosen]
colours = palette.colours([entries[k].scenario.id for k in chosen])  # each scenario's, on every page
seed, reps, days, size = int(seed), int(reps), int(days), int(size)
banded = reps > 1
bar = st.progress(0.0)


def _long(frames: dict, measure: str, keys: list[str]) -> pd.DataFrame:
    parts = [state.bands(frames[k], measure).rename(columns={"day": "x"}).assign(series=names[k])
             for k in keys]
    return pd.concat(parts, ignore_index=True)


# The growth and retention charts come first, before the runs: with one run per scenario they
# are drawn after the first scenario's run and redrawn as each further run finishes, so the page
# shows something real within a second; the table and the other charts follow.
left, right = st.columns(2)
with left:
    st.subheader(t("cmp.growth"))
    measure = state.remember("cmp_growth", st.selectbox(
        t("cmp.growth_measure"), GROWTH, format_func=lambda m: sim.measures.series_name(m, lang),
        key=state.carry("cmp_growth", GROWTH[0], list(GROWTH)), label_visibility="collapsed"))
    growth_slot = st.empty()
with right:
    st.subheader(t("cmp.retention"))
    retention_view = state.remember("cmp_retention", st.selectbox(
        t("cmp.retention"), RETENTION, format_func=lambda v: text(f"cmp.retention_{v}", lang),
        key=state.carry("cmp_retention", RETENTION[0], list(RETENTION)),
        label_visibility="collapsed"))
    retention_slot = st.empty()


def _draw_growth(frames: dict, keys: list[str]) -> None:
    growth_slot.altair_chart(charts.banded_lines(
        _long(frames, measure, keys), x_title=t("ax.day"), y_title=series_name(measure),
        legend=t("ax.scenario"), order=order, colours=colours, bands=banded), width="stretch")


def _after_joining(metric_runs: dict, keys: list[str]) -> pd.DataFrame:
    """Share still active k days after joining, per scenario: the median over replicates and
    its 5–95% range, at the days the run is long enough to observe."""
    rows = []
    for k in keys:
        for d in (d for d in AFTER_JOINING if d <= days):
            v = metric_runs[k][f"retention_d{d}"].astype(float)
            rows.append({"x": d, "series": names[k], "lo": v.quantile(0.05), "mid": v.median(),
                         "hi": v.quantile(0.95)})
    return pd.DataFrame(rows)


def _draw_retention(frames: dict, metric_runs: dict, keys: list[str]) -> None:
    after_joining = retention_view == "after_joining"
    if after_joining:
        data, x_title = _after_joining(metric_runs, keys), t("ax.days_after_joining")
    else:
        data, x_title = _long(frames, "retained", keys), t("ax.day")
    retention_slot.altair_chart(charts.banded_lines(
        data, x_title=x_title, y_title=t("ax.share"), legend=t("ax.scenario"), order=order,
        colours=colours, y_format=".0%", bands=banded, points=after_joining), width="stretch")


def _full_runs() -> dict:
    """One full run per scenario, without replicates: the risk index needs the people table.
    The growth chart is drawn after the first run and after each next one."""
    out = {}
    for i, k in enumerate(chosen):
        note = t("ctl.running", name=plain(names[k]), i=i + 1, n=len(chosen))
        out[k] = state.run(placed[k], seed=seed, days=days, size=size,
                           progress=lambda d, n, i=i, note=note: bar.progress(
                               (i + d / n) / len(chosen), text=note))
        # Drawn now unless the next run is cached too (then it is drawn once, a moment later).
        following = chosen[i + 1] if i + 1 < len(chosen) else None
        if following is None or not state.is_cached(placed[following], seed=seed,
                                                     days=days, size=size):
            _draw_growth({j: [state.series(out[j].daily)] for j in out}, list(out))
    return out


def _replicates() -> sim.Batch:
    """The replicates by run_many; each run brings its risk index and parts as metrics."""
    return state.replicates([placed[k] for k in chosen],
                            seeds=list(range(seed, seed + reps)), days=days, size=size,
                            progress=lambda done, total: bar.progress(done / total, text=t(
                                "ctl.running", name=t("ctl.monte_carlo"), i=done, n=total)))


with state.computing(bar, growth_slot):
    # Refused before anything runs when this is more than the server runs for one request.
    too_big = state.request_problem([placed[k].with_market(days=days, size=size)
                                     for k in chosen], runs_each=reps)
    if too_big:
        bar.empty()
        st.error(too_big)
        st.stop()
    ran = _replicates() if banded else _full_runs()
if banded:
    # run_many labels runs with the hash of the scenario as run (days and size applied).
    run_hash = {k: placed[k].with_market(days=days, size=size).content_hash()
                for k in chosen}
    daily = {run_id: g for run_id, g in ran.daily.groupby("run_id", sort=False)}
    metric_runs = {k: ran.runs[ran.runs["scenario_hash"] == run_hash[k]] for k in chosen}
    frames = {k: [state.series(daily[r]) for r in metric_runs[k]["run_id"]] for k in chosen}
    _draw_growth(frames, chosen)
    risk = {k: sim.batch.mean_risk_index(metric_runs[k]) for k in chosen}
else:
    frames = {k: [state.series(ran[k].daily)] for k in chosen}
    risk = {k: state.risk(ran[k]) for k in chosen}
    metric_runs = {k: pd.DataFrame([{**ran[k].metrics, "risk_index": risk[k].total}])
                   for k in chosen}
bar.empty()
_draw_retention(frames, metric_runs, chosen)

st.subheader(t("cmp.kpis"))
st.caption(t("cmp.kpis_note", n=reps, size=size, days=days, seed=seed))
if market_key == state.OWN_MARKET:
    differ = state.market_differences([placed[k] for k in chosen], [names[k] for k in chosen], lang)
    st.warning(t("cmp.market_mixed") if not differ.empty else t("cmp.market_mixed_same"))
    if not differ.empty:
        st.dataframe(differ, width="stretch", key="cmp_market_differences")
else:
    st.caption(t("cmp.market_one", name=state.market_label(market_key, lang)))
per_run = {k: metric_runs[k][list(KPIS)].astype(float) for k in chosen}
medians = {k: per_run[k].median() for k in chosen}
# Measures as rows and scenarios as columns, each figure in its unit (sim's vocabulary), as a
# static table that wraps: thirteen measure columns ran past a laptop's width behind a scroll.
# The table renders Markdown, and names come from files: text, not Markdown.
kpi_rows = pd.Index([measure_name(m) for m in KPIS], name=t("kpi.metric"))
st.table(pd.DataFrame({plain(names[k]): [sim.measures.figure(m, medians[k][m], lang, mean=banded)
                                         for m in KPIS] for k in chosen}, index=kpi_rows))
if banded:
    with st.expander(t("kpi.band")):
        def _fmt(m: str, v: float) -> str:
            return sim.measures.figure(m, v, lang, mean=True)
        ranges = pd.DataFrame({names[k]: {
            measure_name(m): f"{_fmt(m, per_run[k][m].median())} ({_fmt(m, per_run[k][m].quantile(0.05))}"
                        f"–{_fmt(m, per_run[k][m].quantile(0.95))})"
            for m in KPIS} for k in chosen})
        st.dataframe(ranges, width="stretch")
# The download keeps the numbers unformatted, in the table's layout.
numbers = pd.DataFrame({names[k]: medians[k][list(KPIS)].to_numpy() for k in chosen}, index=kpi_rows)
st.download_button(t("cmp.download"), numbers.to_csv().encode("utf-8-sig"), on_click="ignore",
                   file_name="scheme_lab_compare.csv", mime="text/csv")

left, right = st.columns(2)
with left:
    st.subheader(t("cmp.payout"))
    st.altair_chart(charts.banded_lines(_long(frames, "payout_ratio_to_date", chosen), x_title=t("ax.day"),
                                        y_title=series_name("payout_ratio_to_date"), legend=t("ax.scenario"),
                                        order=order, colours=colours, y_format=".1%", bands=banded),
                    width="stretch")
with right:
    st.subheader(t("cmp.risk"))
    rows = [{"series": names[k], "part": pick(p.name_en, p.name_zh), "points": p.points,
             "value": p.value} for k in chosen for p in risk[k].parts]
    st.altair_chart(charts.stacked_risk(pd.DataFrame(rows), x_title=t("ax.points"),
                                        y_title=t("ax.scenario"), part_title=t("ax.part"),
                                        value_title=t("ax.indicator"), order=order),
                    width="stretch")
    st.caption(t("cmp.risk_note") + (" " + t("cmp.risk_mean", n=reps) if banded else ""))

with st.expander(t("cmp.mechanisms")):
    for k in chosen:
        m = entries[k].scenario.meta
        # Names and texts come from scenario files, a visitor's upload among them: text, not Markdown.
        st.markdown(f"**{plain(names[k])}** · {family(m.family)}")
        st.markdown(plain(pick(m.mechanism_en.strip(), m.mechanism_zh.strip())))
        st.caption(plain(m.source))
