"""Choose page (选型): which of these models to launch, for an objective, in one market.

Ranks the picked models by the objective's mean over common-seed replicates, with its 95%
interval, the probability each is best, the ranking redone across the market's uncertain
parameters, each model's worst audit verdict per jurisdiction and why the first beats the
second, from the ledger. Runs when asked (a choice is many runs); the same inputs come back
from the cache at once.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

import sim
from dashboard import charts, state
from dashboard.i18n import current, measure, plain, t, text, text_family, verdict
from sim import palette
from sim.choose import OBJECTIVES, figure, objective_figure, parse_objective

MIX_CHOICE = "mix"
OBJECTIVE_CHOICES = (*OBJECTIVES, MIX_CHOICE)
# Measures a weighted mix offers, and the weights it starts with.
MIX_START = {"platform_net": 0.5, "gmv": 0.5, "median_net": 0.0, "retention_d90": 0.0}
JURISDICTIONS = sim.audit.JURISDICTIONS
FAST_REPLICATES, REPLICATES, POINTS, ROBUST_SEEDS = 4, 10, 8, 3

lang = current()
st.title(t("cho.title"))
st.caption(t("cho.intro"))

entries = state.catalogue()
keys = list(entries)
profiles = [m for m in state.MARKET_OPTIONS if m != state.OWN_MARKET]


def _option(k: str) -> str:
    return f"{state.label(entries[k], lang)} · {text_family(entries[k].scenario.meta.family, lang)}"


def _objective_name(key: str) -> str:
    return text("cho.mix", lang) if key == MIX_CHOICE else sim.measures.name(key, lang)


linked = [k for k in st.query_params.get("scenarios", "").split(",") if k in entries]
with st.container(border=True):
    picked = st.multiselect(t("cho.pick"), keys, format_func=_option,
                            key=state.carry("cho_pick", linked or state.default_selection(keys), keys))
    chosen = state.remember("cho_pick", [k for k in picked if k in entries])
    c1, c2 = st.columns(2)
    goal = state.remember("cho_objective", c1.selectbox(
        t("cho.objective"), OBJECTIVE_CHOICES, format_func=_objective_name, help=t("cho.objective_help"),
        key=state.carry("cho_objective", OBJECTIVE_CHOICES[0], list(OBJECTIVE_CHOICES))))
    start = state.default_market(entries, chosen, st.query_params.get("market"))
    market = state.remember("cho_market", c2.selectbox(
        t("cmp.market"), profiles, format_func=lambda m: state.market_label(m, lang), help=t("cho.market_help"),
        key=state.carry("cho_market", start if start in profiles else state.FALLBACK_MARKET, profiles)))
    weights = {}
    if goal == MIX_CHOICE:
        cols = st.columns(len(MIX_START))
        for col, (k, w) in zip(cols, MIX_START.items()):
            weights[k] = col.number_input(sim.measures.name(k, lang), min_value=-10.0, max_value=10.0,
                                          value=w, step=0.1, key=f"cho_w_{k}", help=t("cho.weight_help"))
    c1, c2, c3, c4 = st.columns(4)
    size = int(c1.number_input(t("ctl.market_size"), min_value=100, max_value=2_000_000,
                               value=state.DEFAULT_SIZE, step=1_000, key="cho_size"))
    days = int(c2.number_input(t("cho.horizon"), min_value=10, max_value=1_095, value=state.DEFAULT_DAYS,
                               step=30, key="cho_days"))
    seed = int(c3.number_input(t("ctl.seed"), min_value=0, max_value=2**31 - 1, value=0, step=1,
                               help=t("ctl.seed_help"), key="cho_seed"))
    reps = int(c4.number_input(t("cho.replicates"), min_value=2, max_value=50,
                               value=FAST_REPLICATES if state.FAST else REPLICATES, step=1,
                               help=t("cho.replicates_help"), key="cho_reps"))
    with st.expander(t("cho.robustness")):
        st.caption(t("cho.robustness_help"))
        uncertain = state.profile(market).uncertain
        ranges = {}
        for k, (lo, hi) in uncertain.items():
            spec = sim.markets.spec(k)
            a, b = st.columns(2)
            name = spec.zh if lang == "zh" else spec.en
            low = a.number_input(t("cho.low", name=name), value=float(lo), format="%g", key=f"cho_lo_{market}_{k}")
            high = b.number_input(t("cho.high", name=name), value=float(hi), format="%g", key=f"cho_hi_{market}_{k}")
            ranges[k] = (float(low), float(high))
        a, b = st.columns(2)
        points = int(a.number_input(t("cho.points"), min_value=0, max_value=64,
                                    value=3 if state.FAST else POINTS, step=1, key="cho_points"))
        robust_seeds = int(b.number_input(t("cho.robust_seeds"), min_value=1, max_value=50,
                                          value=2 if state.FAST else ROBUST_SEEDS, step=1,
                                          help=t("cho.robust_seeds_help"), key="cho_robust_seeds"))
robust_seeds = min(robust_seeds, reps)  # the first seeds of the replicates

st.query_params["scenarios"] = ",".join(chosen)
st.query_params["market"] = market
objective = goal if goal != MIX_CHOICE else ",".join(f"{k}:{w:g}" for k, w in weights.items() if w)

problem = None
if len(chosen) < 2:
    problem = t("cho.two")
elif not objective:
    problem = t("cho.no_weights")
elif any(k.startswith("retention_d") and int(k.removeprefix("retention_d")) >= days
         for k in parse_objective(objective).measures):
    problem = t("cho.too_short", days=days)
elif any(not lo < hi for lo, hi in ranges.values()):
    problem = t("cho.bad_range")
inputs = (tuple(chosen), objective, market, seed, reps, days, size, tuple(sorted(ranges.items())), points,
          robust_seeds)
go = st.button(t("cho.run"), type="primary", disabled=problem is not None, key="cho_run")
if problem:
    st.info(problem)
    st.stop()
if go:
    st.session_state["cho_last"] = inputs
if st.session_state.get("cho_last") != inputs:
    st.info(t("cho.press"))
    st.stop()

scenarios = [entries[k].scenario for k in chosen]
# Refused before anything runs when this is more than the server runs for one request.
too_big = state.request_problem([s.with_market(days=days, size=size) for s in scenarios],
                                runs_each=reps + points * robust_seeds)
if too_big:
    st.error(too_big)
    st.stop()
bar = st.progress(0.0)
with state.computing(bar):
    choice = state.choice(scenarios, objective=objective, market=market,
                          seeds=list(range(seed, seed + reps)), days=days, size=size, ranges=ranges,
                          points=points, robust_seeds=robust_seeds,
                          progress=lambda done, total: bar.progress(done / total, text=t(
                              "ctl.running", name=t("cho.runs"), i=done, n=total)))
bar.empty()

names = {s.id: state.label(entries[k], lang) for k, s in zip(chosen, choice.scenarios)}  # charts
md = {s: plain(n) for s, n in names.items()}  # where Markdown is rendered: a name is text, never markup
ranking = choice.ranking
order = [names[s] for s in ranking["scenario"]]
colours = palette.colours(list(ranking["scenario"]))  # each scenario's, on every page
obj_name = choice.objective.name(lang)
fig = lambda v: objective_figure(choice, v, lang)  # noqa: E731
share = lambda v: sim.measures.figure("probability_best", v, lang)  # noqa: E731

st.subheader(t("cho.answer"))
top = ranking.iloc[0]
st.success(t("cho.headline", model=md[top["scenario"]], objective=obj_name,
             market=state.market_label(market, lang), p=share(top["probability_best"]),
             lo=share(top["p_best_low"]), hi=share(top["p_best_high"]), n=reps))
for j in JURISDICTIONS:
    best = choice.best_launchable(j)
    blocked = [md[s] for s, v in zip(ranking["scenario"], ranking[f"verdict_{j}"]) if v == "breach"]
    st.markdown("- " + t("cho.launchable", law=t(f"jur.{j}"), model=md[best] if best else t("cho.nobody"),
                         blocked="、".join(blocked) if lang == "zh" else ", ".join(blocked))
                if blocked else "- " + t("cho.launchable_all", law=t(f"jur.{j}"), model=md[best]))
st.caption(t("cho.method", n=reps, first=seed, last=seed + reps - 1, size=size, days=days))


def _verdict(v: str) -> str:
    return verdict(v) + (" · " + t("cho.not_launchable") if v == "breach" else "")


table = pd.DataFrame({
    measure("choice_rank"): ranking["choice_rank"].to_numpy(),
    t("ax.scenario"): [md[s] for s in ranking["scenario"]],
    t("cho.mean", objective=obj_name): [f"{fig(v)} ({fig(a)} – {fig(b)})" for v, a, b in
                                        zip(ranking["mean"], ranking["ci_low"], ranking["ci_high"])],
    measure("probability_best"): [f"{share(p)} ({share(a)}–{share(b)})" for p, a, b in
                                  zip(ranking["probability_best"], ranking["p_best_low"], ranking["p_best_high"])],
    t("cho.gap"): ["—" if i == 0 else f"{fig(g)} ({fig(a)} – {fig(b)})" for i, (g, a, b) in
                   enumerate(zip(ranking["gap"], ranking["gap_low"], ranking["gap_high"]))],
    **({measure("robust_win_share"): [share(v) for v in ranking["robust_win_share"]]}
       if "robust_win_share" in ranking else {}),
}).set_index(measure("choice_rank"))
st.table(table)  # a few rows: every column in view, text wrapped
st.caption(t("cho.table_note"))
st.markdown(f"**{t('cho.legal')}**")
legal = pd.DataFrame({t("ax.scenario"): [md[s] for s in ranking["scenario"]], **{t(f"jur.{j}"): [_verdict(v) for v in ranking[f"verdict_{j}"]]
                                                  for j in JURISDICTIONS}}).set_index(t("ax.scenario"))
st.table(legal)
bars = pd.DataFrame({"series": order, "mean": ranking["mean"], "lo": ranking["ci_low"], "hi": ranking["ci_high"]})
st.altair_chart(charts.intervals(bars, x_title=obj_name, y_title=t("ax.scenario"), order=order, colours=colours,
                                 x_format=state.axis_format(choice)), width="stretch")

rob = choice.robustness
if rob is not None:
    st.subheader(t("cho.robust_title"))
    st.caption(t("cho.robust_note", points=len(rob.points), seeds=len(rob.seeds)))
    cols = st.columns(2)
    for i, k in enumerate(rob.ranges):
        spec = sim.markets.spec(k)
        data = pd.DataFrame([{"x": row[k], "series": names[s], "value": row[s]}
                             for _, row in rob.points.iterrows() for s in ranking["scenario"]])
        with cols[i % len(cols)]:
            st.altair_chart(charts.robustness(data, x_title=spec.zh if lang == "zh" else spec.en,
                                              y_title=obj_name, legend=t("ax.scenario"), order=order,
                                              colours=colours, y_format=state.axis_format(choice)),
                            width="stretch")
    changes = [sw for sw in rob.switches() if sw["changes"]]
    for sw in changes:
        spec = sim.markets.spec(sw["parameter"])
        st.markdown("- " + t("cho.switch", name=spec.zh if lang == "zh" else spec.en, at=f"{sw['at']:g}",
                             below=md[sw["below"]], above=md[sw["above"]]))
    if not changes:
        st.markdown("- " + t("cho.no_switch", model=md[rob.points["winner"].mode().iloc[0]]))
    with st.expander(t("cho.points_table")):
        shown = rob.points.rename(columns={**{s: names[s] for s in ranking["scenario"]},
                                           "winner": t("cho.winner")})
        shown[t("cho.winner")] = [names[s] for s in rob.points["winner"]]
        for s in ranking["scenario"]:
            shown[names[s]] = [fig(v) for v in rob.points[s]]
        st.dataframe(shown, width="stretch", key="cho_points")

why = choice.why(lang)
if why is not None:
    st.subheader(t("cho.why"))
    st.markdown(plain(why.text))
    flows = pd.DataFrame({
        t("cho.flow"): [sim.measures.name(k, lang) for k in why.table["measure"]],
        md[why.first]: [figure(k, v, lang) for k, v in zip(why.table["measure"], why.table["first"])],
        md[why.second]: [figure(k, v, lang) for k, v in zip(why.table["measure"], why.table["second"])],
        t("cho.difference"): [figure(k, v, lang) for k, v in zip(why.table["measure"], why.table["difference"])],
    }).set_index(t("cho.flow"))
    st.table(flows)

st.download_button(t("cho.download"), json.dumps(choice.to_dict(), ensure_ascii=False, indent=1).encode("utf-8"),
                   file_name="scheme_lab_choice.json", mime="application/json", key="cho_download")
