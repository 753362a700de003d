"""Audit page (compliance reviewers): findings per jurisdiction with citations and evidence,
the risk index, paid depth, Lorenz curve, net result by join cohort, the recruitment-stop
stress test, and the HTML report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import sim
from dashboard import charts, state
from dashboard.i18n import current, measure, pick, plain, t, text, verdict
from sim import palette

PREFERRED = ("liandong_2plus1", "fission_distribution")
ORDER = sim.audit.VERDICTS  # most serious first
# Markdown badges, not emoji: a server without an emoji font would draw empty boxes.
BADGE = {"breach": "red", "warning": "orange", "not_triggered": "blue", "not_applicable": "gray"}

lang = current()
st.title(t("aud.title"))
st.caption(t("aud.intro"))

entries = state.catalogue()
keys = list(entries)
ordered = [k for k in PREFERRED if k in keys] + [k for k in keys if k not in PREFERRED]
with st.container(border=True):
    c1, c2, c3, c4 = st.columns([3, 2, 1, 1])
    before = st.session_state.get("aud_scenario")  # the last run's pick, None on the first view
    key = state.remember("aud_scenario", c1.selectbox(
        t("ctl.scenario"), ordered, key=state.carry("aud_scenario", ordered[0], ordered),
        format_func=lambda k: state.label(entries[k], lang)))
    if key != before:
        state.look_at(key, first_view=before is None)  # where the lab starts
    size = c2.number_input(t("ctl.market_size"), min_value=100, max_value=2_000_000,
                           value=state.DEFAULT_SIZE, step=1_000, key="aud_size")
    days = c3.number_input(t("ctl.days"), min_value=10, max_value=1_095,
                           value=state.DEFAULT_DAYS, step=30, key="aud_days")
    seed = c4.number_input(t("ctl.seed"), min_value=0, max_value=2**31 - 1, value=0, step=1,
                           key="aud_seed", help=t("ctl.seed_help"))
    # The run, and the recruitment-stop stress test's rerun of it.
    st.caption(state.limits_note(state.person_days([entries[key].scenario], runs_each=2,
                                                   size=int(size), days=int(days))))
scenario = entries[key].scenario
colour = palette.preferred(scenario.id)  # the scenario's own, as on every page
size, days, seed = int(size), int(days), int(seed)

bar = st.progress(0.0)
with state.computing(bar):
    too_big = state.request_problem([scenario.with_market(days=days, size=size)], runs_each=2)
    if too_big:
        bar.empty()
        st.error(too_big)
        st.stop()
    result = state.run(scenario, seed=seed, days=days, size=size,
                       progress=lambda d, n: bar.progress(d / n, text=t(
                           "ctl.running", name=plain(state.label(entries[key], lang)), i=d, n=n)))
bar.empty()


def _num(v) -> str:
    if isinstance(v, (int, np.integer)):  # counts and person ids: ids read wrong with commas
        return str(int(v))
    if isinstance(v, float):  # the evidence's ledger amounts, to the cent (as the report)
        return sim.measures.amount(v)
    return str(v)


# ----------------------------------------------------------------------------- risk index
measured = sim.measures.Measured(result)
ri = sim.risk_index(measured)
findings = state.findings(result, "all")
breaches = sum(f.verdict == "breach" for f in findings)
left, right = st.columns([1, 3])
with left:
    st.metric(t("aud.risk"), f"{sim.measures.figure('risk_index', ri.total)} / 100")
    st.markdown(t("aud.band", band=ri.band(lang)))
    st.caption(ri.screening(lang))
    if breaches:
        st.warning(t("aud.outranks", n=breaches))
with right:
    # A static table that wraps: in a grid the scoring column was cut off at a laptop's width.
    parts = pd.DataFrame([{t("aud.weight"): f"{p.weight:g}",
                           t("aud.score"): sim.measures.format_value(sim.measures.COEFFICIENT, p.score, lang),
                           t("ax.points"): sim.measures.figure(p.metric, p.points, lang),
                           t("aud.how"): p.explain(lang)} for p in ri.parts],
                         index=pd.Index([pick(p.name_en, p.name_zh) for p in ri.parts], name=t("ax.part")))
    st.table(parts)

# ----------------------------------------------------------------------------- findings
st.subheader(t("aud.findings"))
jurisdictions = ("all", *sim.audit.JURISDICTIONS)
where = state.remember("aud_where", st.radio(
    t("aud.jurisdiction"), jurisdictions, horizontal=True, key=state.carry("aud_where", "all", list(jurisdictions)),
    format_func=lambda j: text(f"jur.{j}", lang)))
findings = state.findings(result, where)
counts = {v: sum(f.verdict == v for f in findings) for v in ORDER}
st.markdown(t("aud.counts", breach=counts["breach"], warning=counts["warning"],
              not_triggered=counts["not_triggered"], na=counts["not_applicable"]))
for i, f in enumerate(sorted(findings, key=lambda f: (ORDER.index(f.verdict), f.jurisdiction))):
    head = (f":{BADGE[f.verdict]}-badge[{verdict(f.verdict)}] {t('jur.' + f.jurisdiction)} · "
            f"{f.title(lang)}")
    with st.expander(head, expanded=i == 0 and f.verdict == "breach"):  # the most serious, open
        st.markdown(f"**{t('aud.citation')}:** {f.citation}")
        st.write(f.explanation(lang))
        keys_ = list(dict.fromkeys([*f.measured, *f.thresholds]))
        if keys_:
            st.dataframe(pd.DataFrame({
                t("kpi.metric"): [sim.measures.name(k, lang, with_unit=True) for k in keys_],
                t("aud.measured"): [sim.measures.figure(k, f.measured[k], lang)
                                    if k in f.measured else "" for k in keys_],
                t("aud.thresholds"): [sim.measures.figure(k, f.thresholds[k], lang)
                                      if k in f.thresholds else "" for k in keys_]}),
                hide_index=True, width="stretch")
        if f.evidence.static:
            st.markdown(f"*{t('aud.evidence_static')}*")
            st.dataframe(pd.DataFrame(f.evidence.declared(lang),
                                      columns=[t("aud.rule"), t("aud.fact"), t("ax.value")]),
                         hide_index=True, width="stretch")
        for ex in f.evidence.dynamic:
            st.markdown(f"*{t('aud.evidence_dynamic')}: {ex.title(lang)}*")
            st.dataframe(pd.DataFrame([[_num(v) for v in row] for row in ex.cells(lang)],
                                      columns=ex.header(lang)),
                         hide_index=True, width="stretch")
st.caption(t("aud.context"))

# ----------------------------------------------------------------------------- decided cases
# A decided case shows the authority's finding beside its own audit; any other scheme is set
# beside the decided case it most resembles (sim.audit.cases).
if sim.audit.has_scheme(measured):
    own = scenario.case is not None
    case_scenario = scenario if own else state.nearest_case(result)
    c = case_scenario.case
    st.subheader(t("aud.case_own") if own else t("aud.case_nearest"))
    if not own:
        st.caption(t("aud.case_nearest_note"))
    st.markdown(f"**{plain(state.label_of(case_scenario, lang))}** · {plain(c.authority)} · {plain(c.date)}"
                + (f" · {plain(c.number)}" if c.number else "")
                + f" · {sim.audit.cases.FINDING_NAMES[c.finding][lang == 'zh']}")
    st.markdown(plain(c.summary_zh if lang == "zh" else c.summary_en))
    views = sim.audit.cases.compare(c, state.findings(result, "all"))
    st.dataframe(pd.DataFrame(sim.audit.cases.rows(views, lang, own=own),
                              columns=[t("aud.case_element"), t("aud.case_authority"),
                                       t("aud.case_audit"), t("aud.case_side")]),
                 hide_index=True, width="stretch", key="aud_case")
    if own:
        with st.expander(t("aud.case_sources")):
            st.text(c.quote.strip())
            for src in c.source_lines():
                st.text(f"{src['title'].strip()} — {src['address']}")
            if c.not_simulable.strip():
                st.caption(c.not_simulable.strip())

# ----------------------------------------------------------------------------- charts
left, right = st.columns(2)
with left:
    st.subheader(t("aud.depth"))
    depth = measured["rewards_by_depth"]
    if depth.empty:
        st.info(t("aud.depth_none"))
    else:
        depth = depth.assign(share=depth["amount"] / depth["amount"].sum())
        st.altair_chart(charts.bars(depth, x="depth", y="share", x_title=t("ax.depth"),
                                    y_title=t("ax.rewards_share"), y_format=".0%", x_type="O",
                                    bar_colour=colour),
                        width="stretch")
        st.caption(t("aud.depth_note", max=measured["max_paid_depth"],
                     deep=sim.measures.figure("share_rewards_depth_ge_2", measured["share_rewards_depth_ge_2"]),
                     team=sim.measures.figure("reward_share_team", measured["reward_share_team"])))
with right:
    st.subheader(t("aud.lorenz"))
    if not measured["participants"] or not measured["rewards"]:
        st.info(t("aud.no_participants") if not measured["participants"] else t("aud.depth_none"))
    else:
        st.altair_chart(charts.lorenz(measured["rewards_lorenz"], x_title=t("ax.people_share"),
                                      y_title=t("ax.cum_rewards"), equality=t("aud.equality"),
                                      colour=colour),
                        width="stretch")
        st.caption(t("aud.lorenz_note", gini=sim.measures.figure("rewards_gini", measured["rewards_gini"]),
                     top=sim.measures.figure("top1_share_rewards", measured["top1_share_rewards"])))

st.subheader(t("aud.cohort"))
if not measured["participants"]:
    st.info(t("aud.no_participants"))
else:
    cohort = measured["net_by_cohort"].rename(columns={"mean_net": "net", "share_losing": "losing",
                                                       "participants": "n"})
    st.altair_chart(charts.cohort_net(cohort, x_title=t("ax.cohort"), y_title=t("ax.mean_net"),
                                      share_title=t("aud.share_losing")), width="stretch")
    st.caption(t("aud.cohort_note") + " " + t(
        "aud.cohort_losing", share=sim.measures.figure("share_losing_money", measured["share_losing_money"])))

# ----------------------------------------------------------------------------- stress test
st.subheader(t("aud.stress"))
st.caption(t("aud.stress_intro"))
stress = None
if days < 3:
    st.info(t("aud.stress_short"))
else:
    stop = st.slider(t("aud.stop_day"), min_value=1, max_value=days - 1, value=max(1, days // 2),
                     key="aud_stop")
    with st.spinner(t("aud.stress_running")):  # sim.stress_test reports no progress
        with state.computing():
            stress = state.stress(scenario, seed=seed, stop_day=int(stop), days=days, size=size,
                                  baseline=result)
    series = pd.concat([
        pd.DataFrame({"x": r.daily["day"], "mid": r.daily["rewards"], "lo": 0.0, "hi": 0.0,
                      "series": label})
        # "As run" last, so it is drawn on top where the two runs coincide (before the stop).
        for r, label in ((stress.stopped, t("aud.stopped")), (stress.baseline, t("aud.baseline")))],
        ignore_index=True)
    left, right = st.columns([2, 1])
    with left:
        st.altair_chart(charts.banded_lines(series, x_title=t("ax.day"), y_title=t("aud.daily_rewards"),
                                            legend="", bands=False, marker=int(stop),
                                            order=[t("aud.stopped"), t("aud.baseline")],
                                            colours=[palette.SHADOW, colour], dashed=(t("aud.stopped"),)),
                        width="stretch")
    with right:
        st.metric(t("aud.payout_drop"), sim.measures.figure("payout_drop", stress.payout_drop))
        st.markdown(":red-badge[" + t("aud.collapse") + "]" if stress.collapse
                    else ":green-badge[" + t("aud.no_collapse") + "]")
    st.dataframe(pd.DataFrame([(measure(k), sim.measures.figure(k, b, lang), sim.measures.figure(k, x, lang))
                               for k, b, x in stress.rows()],
                              columns=[t("kpi.metric"), t("aud.baseline"), t("aud.stopped")]),
                 hide_index=True, width="stretch")

# ----------------------------------------------------------------------------- report
st.divider()
# Neither download reruns the page: a rerun gives the report's on-click file a new id, and a
# click on the report while the browser still holds the old one got nothing (MediaFileStorageError).
left, right = st.columns(2)
# The findings with the run's context, the same record as `sim audit --json` (sim.audit.record).
left.download_button(t("aud.findings_json"), key="aud_json", mime="application/json", on_click="ignore",
                     file_name=f"scheme_lab_{scenario.id}_seed{seed}_{where}_findings.json",
                     data=state.audit_json(result, where, risk=ri, stress=stress))
# Built only when clicked: the report draws its own charts, which the page should not wait for.
right.download_button(t("aud.report"), lambda: state.report(result, lang, stress).encode("utf-8"),
                      key="aud_report", on_click="ignore", type="primary", mime="text/html",
                      file_name=f"scheme_lab_{scenario.id}_seed{seed}_{lang}.html")
