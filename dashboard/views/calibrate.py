"""Calibrate page: fit a scenario's market to a pilot's observed series (``sim.calibrate``),
show the estimates with their 95% intervals and the fit drawn against the data, and save the
calibrated market as a scenario of the user's. The shipped example fits Pinduoduo's reported
active buyers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import sim
from dashboard import charts, state
from dashboard.i18n import current, t, unit
from sim.calibrate import EXAMPLE, EXAMPLE_SETTINGS, KNOBS, POPULATION, CalibrationError, calibrate, rows
from sim.cli_calibrate import write_atomic
from sim.observations import MAX_BYTES, DataError, label, parse
from sim.scenario import SCENARIO_DIR

DEFAULT_FIT = ["market.external_reach", "market.word_of_mouth"]
DEFAULT_SIZE = 2_000  # persons simulated by default: a fit of a few weeks takes seconds

lang = current()
st.title(t("cal.title"))
st.caption(t("cal.intro"))

def keep(name: str, default: object) -> str:
    """The key of a widget whose label follows the language: the browser treats a relabelled
    widget as a new one, so each language gets its own key, seeded from a language-neutral copy
    (``state.remember`` updates it) and a choice survives a switch."""
    key = f"{name}.{lang}"
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(name, default)
    return key


source = state.remember("cal_source", st.radio(
    t("cal.source"), ["upload", "example"], horizontal=True, key=keep("cal_source", "upload"),
    format_func=lambda s, lang=lang: t(f"cal.source.{s}")))
example = source == "example"
if example:
    st.caption(t("cal.example_note"))
    raw, name = EXAMPLE.read_bytes(), str(EXAMPLE.relative_to(SCENARIO_DIR.parent))
else:
    st.caption(t("cal.columns"))
    uploaded = st.file_uploader(t("cal.upload"), type=["csv"], key=f"cal_upload.{lang}")
    if uploaded is not None:  # kept for the session: a language switch makes a new uploader
        st.session_state["cal_file"] = (uploaded.name, uploaded.getvalue()[:MAX_BYTES + 1])
    if "cal_file" not in st.session_state:
        st.info(t("cal.upload_first"))
        st.stop()
    name, raw = st.session_state["cal_file"]
try:
    observations = parse(raw, name)  # parsed as data, never executed
except DataError as err:
    st.error(t("cal.bad_file", message=err.line(lang)))
    st.stop()

with st.expander(t("cal.data"), expanded=not example):
    table = pd.DataFrame({t("cal.period"): [d.isoformat() for d in observations.dates],
                          **{label(c, lang): observations.values[c] for c in observations.columns}})
    st.dataframe(table, hide_index=True, width="stretch", key="cal_data")

entries = state.catalogue()
keys = list(entries)
scenario_key = state.remember(f"cal_scenario_{source}", st.selectbox(
    t("cal.scenario"), keys, format_func=lambda k, lang=lang: state.label(entries[k], lang),
    key=keep(f"cal_scenario_{source}", EXAMPLE_SETTINGS["scenario"] if example else state.default_selection(keys)[0])))
scenario = entries[scenario_key].scenario
fit_keys = state.remember(f"cal_fit_{source}", st.multiselect(
    t("cal.fit"), list(KNOBS), format_func=lambda k, lang=lang: f"{KNOBS[k].name(lang)} ({k})",
    help=t("cal.fit_help"), key=keep(f"cal_fit_{source}", EXAMPLE_SETTINGS["fit"] if example else DEFAULT_FIT)))
left, middle, right = st.columns(3)
population = None
if POPULATION not in fit_keys:
    population = state.remember("cal_population", left.number_input(
        t("cal.population"), min_value=1, step=1, key=keep("cal_population", int(scenario.market.size))))
launch = state.remember(f"cal_launch_{source}", middle.date_input(
    t("cal.launch"), key=keep(f"cal_launch_{source}",
                              EXAMPLE_SETTINGS["launch"] if example else observations.launch_default())))
size = state.remember(f"cal_size_{source}", right.number_input(
    t("cal.size"), min_value=100, max_value=50_000, step=100,
    key=keep(f"cal_size_{source}", EXAMPLE_SETTINGS["size"] if example else int(min(population or DEFAULT_SIZE,
                                                                                    DEFAULT_SIZE)))))
seed = state.remember("cal_seed", left.number_input(t("ctl.seed"), min_value=0, step=1, help=t("ctl.seed_help"),
                                                    key=keep("cal_seed", 0)))
ranges = dict(EXAMPLE_SETTINGS["ranges"]) if example else {}
with st.expander(t("cal.ranges")):
    for k in (k for k in fit_keys if k != POPULATION):
        low, high = ranges.get(k, (KNOBS[k].low, KNOBS[k].high))
        a, b = st.columns(2)
        knob = KNOBS[k].name(lang)
        ranges[k] = (state.remember(f"cal_lo_{k}", a.number_input(t("cal.low", name=knob), format="%g",
                                                                  key=keep(f"cal_lo_{k}", float(low)))),
                     state.remember(f"cal_hi_{k}", b.number_input(t("cal.high", name=knob), format="%g",
                                                                  key=keep(f"cal_hi_{k}", float(high)))))

settings = (name, hash(raw), scenario.content_hash(), tuple(fit_keys), tuple(sorted(ranges.items())),
            population, launch, size, seed, example)
if st.button(t("cal.run"), type="primary", key="cal_run", disabled=not fit_keys):
    bar = st.progress(0.0, text=t("cal.running", done=0, total="?"))
    try:
        fit = calibrate(scenario, observations, fit=fit_keys, ranges=ranges, launch=launch,
                        fixed=EXAMPLE_SETTINGS["fixed"] if example else None,
                        population=population, market_size=int(size), seed=int(seed),
                        progress=lambda done, total: bar.progress(min(done / total, 1.0),
                                                                  text=t("cal.running", done=done, total=total)))
        st.session_state["cal_result"] = (settings, fit)
    except (CalibrationError, DataError, sim.ScenarioError) as err:
        st.session_state.pop("cal_result", None)
        st.error(t("cal.failed", message=err.line(lang)))
    bar.empty()
result = st.session_state.get("cal_result")
if result is None or result[0] != settings:
    st.info(t("cal.press"))
    st.stop()
fit = result[1]

st.subheader(t("cal.result"))
st.dataframe(pd.DataFrame({
    t("cal.col.parameter"): [k.name(lang) for k in fit.knobs],
    t("cal.col.key"): [e.key for e in fit.estimates],
    t("cal.col.estimate"): [e.value for e in fit.estimates],
    t("cal.col.low"): [e.low for e in fit.estimates],
    t("cal.col.high"): [e.high for e in fit.estimates],
    t("cal.col.unit"): [unit(k.unit) for k in fit.knobs]}),
    hide_index=True, width="stretch", key="cal_table",
    column_config={t(c): st.column_config.NumberColumn(format="%.4g")
                   for c in ("cal.col.estimate", "cal.col.low", "cal.col.high")})
st.caption(t("cal.about", runs=fit.runs, seconds=fit.seconds, seed=fit.seed, population=fit.population,
             simulated=fit.simulated))
st.caption(t("cal.gof_wide" if fit.dispersion > 1 else "cal.gof_ok", dispersion=fit.dispersion, p=fit.gof_p))
for e in fit.estimates:
    if any(note.startswith(f"{e.key} =") for note in fit.notes):
        st.warning(t("cal.edge", name=KNOBS[e.key].name(lang)))
st.caption(t("cal.method"))

frame = pd.DataFrame(rows(fit))
for column, part in frame.groupby("column", sort=False):
    series = label(column, lang)
    st.subheader(t("cal.chart", series=series))
    data = pd.DataFrame({"date": pd.to_datetime(part["date"]), "observed": part["observed"],
                         "fitted": part["fitted"], "lo": part["low"], "hi": part["high"]})
    st.altair_chart(charts.fit_against_data(data, x_title=t("cal.period"), y_title=series,
                                            observed=t("cal.observed"), fitted=t("cal.fitted")),
                    width="stretch")
st.caption(t("cal.chart_note"))

st.subheader(t("cal.use"))
st.caption(t("cal.use_note", base=scenario.id))
text = fit.to_toml()
left, right = st.columns(2)
if left.button(t("cal.save"), key="cal_save"):
    path = state.USER_DIR / f"{fit.scenario.id}.toml"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    st.success(t("cal.saved", path=path.relative_to(SCENARIO_DIR.parent)))
right.download_button(t("cal.download"), text.encode("utf-8"), file_name=f"{fit.scenario.id}.toml",
                      mime="application/toml", key="cal_download")
