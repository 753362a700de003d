"""Scenario lab: a widget for every declared parameter, rerun against the original, save as TOML.

Widgets are generated from ``sim.schema.specs`` of each section and rule, with no min/max of
their own: the value goes to ``sim.load_scenario`` and the loader's message is shown next to
the field it names, so the dashboard and the command line accept exactly the same files.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pandas as pd
import streamlit as st

import sim
from dashboard import charts, state
from dashboard.i18n import STRINGS, current, measure, pick, plain, series_name, t, unit
from sim import palette, toml_writer
from sim.scenario import MAX_FILE_BYTES, parse
from sim.schema import specs
from sim.sections import Churn, Market, Meta, Retail

ROOT = Path(__file__).resolve().parents[2]
SECTION_CLASSES = {"market": Market, "retail": Retail, "churn": Churn}
MAX_UPLOAD = MAX_FILE_BYTES  # a scenario file is a few kB; the loader reads no more either
DIFF_METRICS = ("participants", "penetration", "gmv", "payout_ratio", "retention_d7",
                "retention_d30", "share_losing_money", "max_paid_depth", "org_levels",
                "platform_net", "rewards")
TEXT_AREAS = {"source", "mechanism_en", "mechanism_zh"}
# A saved file's identity is set where it is saved ("Save as a new scenario"), so that the
# copy never takes the original's id and names; the run compares the models alone.
IDENTITY = ("id", "name_en", "name_zh")

lang = current()
st.title(t("lab.title"))
st.caption(t("lab.intro"))

entries = state.catalogue()
bases: dict[str, tuple[str, sim.Scenario]] = {k: (state.label(e, lang), e.scenario)
                                              for k, e in entries.items()}

for err in state.broken_files().values():  # hand-edited files under scenarios/user/
    st.warning(t("lab.broken", message=plain(err.line(lang))))
# The lab starts from the scenario last looked at (picked on Compare or Audit, or here), and
# else from the one Compare shows last by default; an upload picked below takes its place.
start = state.looked_at()
if start not in bases:
    start = next((k for k in reversed(state.default_selection(list(entries))) if k in bases),
                 next(iter(bases)))
st.session_state["lab_base"] = start
base_slot = st.container()  # the picker goes above the upload, but needs its result first
uploaded = st.file_uploader(t("lab.upload"), type=["toml"], key="lab_upload",
                            max_upload_size=max(1, MAX_UPLOAD // 1_000_000))  # MB, as Streamlit counts


def _load_upload(raw: bytes) -> sim.Scenario | str:
    """The uploaded scenario, or why it was not loaded, in the page's language."""
    if len(raw) > MAX_UPLOAD:
        return t("lab.upload_big", size=len(raw), limit=MAX_UPLOAD)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return t("lab.upload_not_utf8")
    try:
        return sim.load_scenario(parse(text, "upload"))  # parsed as data, never executed
    except sim.ScenarioError as err:
        return f"{err.key}: {err.text(lang)}" if err.key else err.text(lang)


if uploaded is not None:
    scenario = _load_upload(uploaded.getvalue())
    if isinstance(scenario, str):
        st.error(t("lab.upload_bad", message=plain(f"{uploaded.name}: {scenario}")))
    else:
        key = f"upload/{uploaded.name}"
        bases[key] = (f"{pick(scenario.meta.name_en, scenario.meta.name_zh)} ({uploaded.name})",
                      scenario)
        if st.session_state.get("lab_upload_id") != uploaded.file_id:  # select a new upload once
            st.session_state["lab_upload_id"] = uploaded.file_id
            st.session_state["lab_base"] = key
            st.session_state.pop(f"lab_base.{lang}", None)
        st.success(t("lab.uploaded", name=plain(bases[key][0])))

if st.session_state.get("lab_base") not in bases:  # e.g. an upload that was removed
    st.session_state.pop("lab_base", None)
base_key = state.remember("lab_base", base_slot.selectbox(
    t("lab.base"), list(bases), format_func=lambda k: bases[k][0],
    key=state.carry("lab_base", start, list(bases))))
state.look_at(base_key)
base = bases[base_key][1]
original = base.to_dict()
version = st.session_state.setdefault("lab_version", 0)
prefix = f"lab{version}|{base_key}|"


def wkey(path: str) -> str:
    return prefix + path


def _parse_floats(text: str) -> list[float] | str:
    parts = [p.strip() for p in str(text).replace(",", ",").split(",") if p.strip()]
    try:
        return [float(p) for p in parts]
    except ValueError:
        return t("lab.not_numbers", value=repr(text))


def _widget_default(spec, v):
    return ", ".join(f"{x:g}" for x in v) if spec.type == "floats" else v


# Read what the widgets hold (or the original, before they exist) and validate it all at once,
# before drawing anything, so that the message can be drawn right under the field it names.
edited: dict = {"rules": {}}
local_errors: dict[str, str] = {}


def _collect(path_prefix: str, cls, values: dict) -> dict:
    out = {}
    for spec in specs(cls):
        path = f"{path_prefix}.{spec.key}"
        v = st.session_state.get(wkey(path), _widget_default(spec, values[spec.key]))
        if spec.type == "floats":
            parsed = _parse_floats(v)
            if isinstance(parsed, str):
                local_errors[path] = parsed
                parsed = list(values[spec.key])
            v = parsed
        out[spec.key] = v
    return out


edited["scenario"] = _collect("scenario", Meta, original["scenario"])
for name, cls in SECTION_CLASSES.items():
    edited[name] = _collect(name, cls, original[name])
if "case" in original:  # a decided case keeps its decision; the lab edits only the model
    edited["case"] = original["case"]
for rule in base.rules:
    edited["rules"][rule.key] = _collect(f"rules.{rule.key}", type(rule), original["rules"][rule.key])

error_key, error_message, candidate = None, None, None
if local_errors:
    error_key, error_message = next(iter(local_errors.items()))
else:
    try:
        candidate = sim.load_scenario(edited)
    except sim.ScenarioError as err:
        error_key, error_message = err.key, err.text(lang)


def _changed() -> list[str]:
    out = []
    for name in ("scenario", *SECTION_CLASSES):
        out += [f"{name}.{k}" for k, v in edited[name].items() if v != original[name][k]]
    for rk, body in edited["rules"].items():
        out += [f"rules.{rk}.{k}" for k, v in body.items() if v != original["rules"][rk][k]]
    return out


changed = _changed()
# One container whatever it holds: a message that came or went above the sections would shift
# them, and Streamlit would draw them anew, closed.
with st.container():
    if error_key is not None:
        st.error(t("lab.invalid", message=plain(f"{error_key}: {error_message}")), icon="⚠️")
    else:
        st.success(t("lab.valid", n=len(changed)))
        if changed:
            st.caption(t("lab.changed", keys=", ".join(changed)))


def _keep_open(section: str) -> None:
    """A field's on_change: its section stays open on the reruns that follow."""
    st.session_state.setdefault("lab_open", set()).add(section)


def _field(spec, path: str, current_value, section: str) -> None:
    key = wkey(path)
    keep = {"on_change": _keep_open, "args": (wkey(section),)}
    text = pick(spec.en, spec.zh)
    u = unit(spec.unit)
    label = f"{text} ({u})" if u else text
    other = spec.zh if lang == "en" else spec.en
    help_text = f"`{path}` — {other}  \n{t('lab.allowed', allowed=spec.allowed(lang))}"
    default = _widget_default(spec, current_value)
    if spec.type == "bool":
        st.checkbox(label, value=default, help=help_text, key=key, **keep)
    elif spec.type == "str" and spec.choices:
        # Bilingual labels that do not change with the language (see state.carry).
        fmt = (lambda f: " · ".join(STRINGS.get(f"family.{f}", (f,)))) \
            if path == "scenario.family" else str
        st.selectbox(label, spec.choices, index=list(spec.choices).index(default), help=help_text,
                     key=key, format_func=fmt, **keep)
    elif spec.type == "str":
        widget = st.text_area if spec.key in TEXT_AREAS else st.text_input
        widget(label, value=default, help=help_text, key=key, **keep)
    elif spec.type == "floats":
        st.text_input(label, value=default, help=f"{help_text}  \n{t('lab.list_help')}", key=key, **keep)
    elif spec.type == "int":
        st.number_input(label, value=int(default), step=1, help=help_text, key=key, **keep)
    else:
        v = float(default)
        step = 10 ** math.floor(math.log10(abs(v))) / 10 if v else 0.01
        st.number_input(label, value=v, step=step, format="%g", help=help_text, key=key, **keep)
    if error_key == path:
        st.error(plain(error_message), icon="⚠️")


def _section(title: str, path_prefix: str, cls, values: dict) -> None:
    fields = [f for f in specs(cls) if cls is not Meta or f.key not in IDENTITY]
    has_error = error_key is not None and (error_key == path_prefix
                                           or error_key.startswith(path_prefix + "."))
    edited_here = wkey(path_prefix) in st.session_state.get("lab_open", ())
    with st.expander(title, expanded=has_error or edited_here):
        if error_key == path_prefix:
            st.error(plain(error_message), icon="⚠️")
        cols = st.columns(2)
        for i, spec in enumerate(fields):
            with cols[i % 2]:
                _field(spec, f"{path_prefix}.{spec.key}", values[spec.key], path_prefix)


_section(t("lab.identity"), "scenario", Meta, original["scenario"])
for name, cls in SECTION_CLASSES.items():
    _section(t(f"lab.section.{name}"), name, cls, original[name])
for rule in base.rules:
    _section(t("lab.rule", name=pick(rule.name_en, rule.name_zh)) + f" · [rules.{rule.key}]",
             f"rules.{rule.key}", type(rule), original["rules"][rule.key])

if st.button(t("lab.reset"), key="lab_reset"):
    st.session_state["lab_version"] = version + 1
    st.session_state.pop("lab_ran", None)
    st.rerun()

# ----------------------------------------------------------------------------- run and compare
st.divider()
st.subheader(t("lab.diff"))
seed = st.number_input(t("ctl.seed"), min_value=0, max_value=2**31 - 1, value=0, step=1,
                       help=t("ctl.seed_help"), key="lab_seed")
# The original and the edited scenario each run at their own size: checked before the click.
pair = [base] + ([candidate] if candidate is not None else [])
st.caption(state.limits_note(state.person_days(pair)))
too_big = state.request_problem(pair)
if too_big:
    st.error(too_big)
if st.button(t("lab.run"), type="primary", disabled=candidate is None or bool(too_big), key="lab_run"):
    st.session_state["lab_ran"] = (base_key, int(seed), candidate.content_hash())
ran = st.session_state.get("lab_ran")
if ran and candidate is not None and ran[:2] == (base_key, int(seed)) \
        and ran[2] != candidate.content_hash():
    st.info(t("lab.stale"))  # results are only shown for the values they were run with
elif candidate is not None and not too_big and ran == (base_key, int(seed), candidate.content_hash()):
    results = {}
    for which, scenario in (("original", base), ("edited", candidate)):
        bar = st.progress(0.0)
        label = t(f"lab.{which}")
        with state.computing(bar):
            results[which] = state.run(
                scenario, seed=int(seed),
                progress=lambda d, n, b=bar, lb=label: b.progress(d / n, text=t(
                    "ctl.running", name=lb, i=d, n=n)))
        bar.empty()
    before, after = results["original"].metrics, results["edited"].metrics
    rows = []
    for m in DIFF_METRICS:
        rows.append((measure(m), sim.measures.figure(m, before[m], lang), sim.measures.figure(m, after[m], lang),
                     sim.measures.change(m, before[m], after[m], lang)))
    st.dataframe(pd.DataFrame(rows, columns=[t("kpi.metric"), t("lab.original"), t("lab.edited"),
                                             t("lab.change")]).set_index(t("kpi.metric")),
                 width="stretch", key="lab_diff")
    left, right = st.columns(2)
    for col, daily, fmt in ((left, "active", ",.0f"), (right, "payout_ratio_to_date", ".1%")):
        data = pd.concat([state.series(results[w].daily)
                          .rename(columns={"day": "x", daily: "mid"})
                          .assign(series=t(f"lab.{w}"), lo=0.0, hi=0.0)[["x", "series", "lo", "mid", "hi"]]
                          for w in ("original", "edited")], ignore_index=True)
        title = series_name(daily)
        with col:
            st.markdown(f"**{title}**")
            # The edit solid in the scenario's colour, the original grey and dashed.
            st.altair_chart(charts.banded_lines(data, x_title=t("ax.day"), y_title=title,
                                                legend="", y_format=fmt, bands=False,
                                                order=[t("lab.original"), t("lab.edited")],
                                                colours=[palette.SHADOW, palette.preferred(base.id)],
                                                dashed=(t("lab.original"),)), width="stretch")

# ----------------------------------------------------------------------------- save
st.divider()
st.subheader(t("lab.save"))
# A saved file is named by its id and lands in the user folder, nowhere else; it is offered an
# id and names of its own (liandong_2plus1_v2, "... (variant 2)"), which no shipped or saved
# scenario has, and never takes a shipped id. Only what this visitor saved can be replaced.
if candidate is not None:
    proposed = state.variant_identity(candidate, state.taken_ids())
    # Keyed by the proposal: once a save takes it, the fields offer the next free one.
    tag = "|".join(proposed)
    c1, c2, c3 = st.columns(3)
    new_id = c1.text_input(t("lab.save_id"), value=proposed[0], key=f"lab_save_id|{tag}",
                           help=t("lab.save_id_help"))
    name_en = c2.text_input(t("lab.save_name_en"), value=proposed[1], key=f"lab_save_name_en|{tag}")
    name_zh = c3.text_input(t("lab.save_name_zh"), value=proposed[2], key=f"lab_save_name_zh|{tag}")
    table = candidate.to_dict()
    table["scenario"].update(id=new_id.strip(), name_en=name_en.strip(), name_zh=name_zh.strip())
    to_save, problem = None, None
    try:
        to_save = sim.load_scenario(table)
    except sim.ScenarioError as err:
        problem = f"{err.key}: {err.text(lang)}" if err.key else err.text(lang)
    if to_save is not None and to_save.id in state.shipped_ids():
        to_save, problem = None, t("lab.save_shipped", id=to_save.id)
    if problem:
        st.error(plain(problem), icon="⚠️")
else:
    to_save = None
if to_save is not None:
    target = state.user_file(to_save.id)
    shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else Path(target.name)
    st.caption(t("lab.save_where", path=plain(shown)))
    overwrite = st.checkbox(t("lab.overwrite"), key="lab_overwrite")
    text = toml_writer.dumps(to_save.to_dict(), header=(
        f"Saved from the Scheme Lab scenario lab, based on {base.id}.\n"
        f"Changed: {', '.join(changed) or 'nothing'}"))
    s1, s2 = st.columns(2)
    save = s1.button(t("lab.save_button"), key="lab_save")
    s2.download_button(t("lab.download"), text.encode("utf-8"), file_name=target.name,
                       mime="application/toml", key="lab_download", on_click="ignore")
    if save:
        mine = st.session_state.setdefault("lab_saved", set())
        try:
            # Check the text reads back to the same scenario before anything is written.
            if sim.load_scenario(tomllib.loads(text)).content_hash() != to_save.content_hash():
                raise ValueError("the TOML text does not read back to the same scenario")
            path = state.save_user_scenario(text, to_save.id, mine=mine, replace=overwrite)
        except state.SaveRefused as refused:
            st.error(t(refused.key, path=plain(shown)))
        except (OSError, ValueError) as err:
            st.error(t("lab.save_failed", path=plain(shown),
                       reason=plain(getattr(err, "strerror", None) or err)))
        else:
            mine.add(str(path))
            # Said on the next run, whose fields offer the next free id and names.
            name = pick(to_save.meta.name_en, to_save.meta.name_zh)
            st.session_state["lab_saved_note"] = t("lab.saved", path=plain(shown), name=plain(name))
            st.rerun()
if note := st.session_state.pop("lab_saved_note", None):
    st.success(note)
