"""Sweeps page: sweeps stored by ``sim sweep`` / ``sim.run_many``, read back from the results
store; per grid point the mean and 95% CI of a metric, Monte Carlo bands of a daily series
and how the metric moves with each parameter."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import sim
from dashboard import charts, results, state
from dashboard.i18n import STRINGS, current, plain, t
from sim import palette
from sim.capacity import format_bytes

# Daily series offered first (the rest of the store's daily columns follow, as named there).
DAILY = ("active", "participants", "adopted", "new_participants", "gmv", "rewards", "cash_held",
         "platform_net", "liabilities")
# Metrics offered first; the rest follow.
METRICS = ("gmv", "participants", "payout_ratio", "share_losing_money", "risk_index", "penetration",
           "retention_d30", "platform_net", "merchant_profit", "rewards", "rewards_gini")
ORDINAL_UP_TO = 12  # distinct values of a parameter drawn evenly spaced
MAX_SERIES = 20  # a band chart with more grid points than this is unreadable

lang = current()
st.title(t("swp.title"))
st.caption(t("swp.intro"))


def _percent(metric: str) -> bool:
    return sim.measures.column_format(metric)["format"] == "percent"


# Only the stores in the server's results folder, by name: a visitor never types a path.
names = results.stores()
if not names:
    st.warning(t("swp.missing", path=plain(results.folder())))
    st.stop()
default = results.default_name()
path = st.selectbox(t("swp.store"), names, index=names.index(default) if default in names else 0,
                    key="swp_store", help=t("swp.store_help"))
listing = results.listing(path)
if isinstance(listing, results.Problem):
    st.warning(t(listing.key, path=plain(path)))
    st.caption(plain(listing.detail))
    st.stop()
if listing.empty:
    st.info(t("swp.empty", path=plain(path)))
    st.stop()

shown = pd.DataFrame({
    t("swp.col.id"): listing["sweep_id"],
    t("swp.col.kind"): [t(f"swp.kind.{k}") if f"swp.kind.{k}" in STRINGS else k
                        for k in listing["kind"]],
    t("swp.col.scenarios"): listing["scenarios"],
    t("swp.col.grid"): ["; ".join(f"{k} × {len(v)}" for k, v in g.items()) or "—"
                        for g in listing["grid"]],
    t("swp.col.replicates"): listing["replicates"],
    t("swp.col.runs"): [f"{s}/{p}" for s, p in zip(listing["stored"], listing["planned"])],
    t("swp.col.status"): [t(f"swp.status.{s}") if f"swp.status.{s}" in STRINGS else s
                          for s in listing["status"]],
    t("swp.col.created"): listing["created"],
})
st.dataframe(shown, hide_index=True, width="stretch", key="swp_list")

ids = list(listing["sweep_id"])
rows = listing.set_index("sweep_id")
linked = st.query_params.get("sweep")


def _sweep_option(sweep_id: str) -> str:
    r = rows.loc[sweep_id]
    grid = " × ".join(r["grid"]) or r["kind"]
    return f"{sweep_id} · {r['scenarios']} · {grid} · {r['created']:%Y-%m-%d %H:%M}"


sweep_id = st.selectbox(t("swp.pick"), ids, format_func=_sweep_option, key="swp_pick",
                        index=ids.index(linked) if linked in ids else 0)
st.query_params["sweep"] = sweep_id
row = rows.loc[sweep_id]
if row["stored"] == 0:
    st.info(t("swp.no_runs"))
    st.stop()
if results.memory(row["run_days"]) > state.LIMITS.run_memory:
    st.warning(t("swp.too_big", runs=int(row["stored"]), days=int(row["run_days"] // row["stored"]),
                 size=format_bytes(results.memory(row["run_days"])),
                 limit=format_bytes(state.LIMITS.run_memory)))
    st.stop()

with st.spinner(t("swp.loading")):
    batch = results.batch(path, sweep_id)
if isinstance(batch, results.Problem):
    st.warning(t(batch.key, path=plain(path)))
    st.caption(plain(batch.detail))
    st.stop()

st.caption(t("swp.about", runs=len(batch), points=batch.runs.groupby(batch.groups, sort=False).ngroups,
             replicates=int(row["replicates"]), status=t(f"swp.status.{row['status']}")
             if f"swp.status.{row['status']}" in STRINGS else row["status"]))
if row["status"] != "done":
    st.info(t("swp.partial", stored=int(row["stored"]), planned=int(row["planned"])))

# Grid points in the order the sweep ran them; the scenario is named only when there are several.
several = batch.runs["scenario"].nunique() > 1
points = batch.runs.drop_duplicates(batch.groups)[batch.groups]
labels = [results.point_label(batch.params, r, r["scenario"] if several else None)
          for r in points.to_dict("records")]
key_of = {tuple(p): lab for p, lab in zip(points.itertuples(index=False), labels)}
# A sweep of scenarios alone (no grid) draws each in its own colour; grid points, which are
# not scenarios, take the chart's colours in turn.
scenario_colour = dict(zip(labels, palette.colours(list(points["scenario"])))) if not batch.params else None


def _labelled(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([key_of[tuple(r)] for r in frame[batch.groups].itertuples(index=False)],
                     index=frame.index)


# (a) the metric per grid point: n, mean, 95% CI
metrics = [m for m in METRICS if m in batch.metrics] + [m for m in batch.metrics if m not in METRICS]
metric = state.remember("swp_metric", st.selectbox(
    t("swp.metric"), metrics, format_func=lambda m, lang=lang: sim.measures.name(m, lang),
    key=state.carry("swp_metric", metrics[0], metrics)))
summary = batch.summary(metric)
st.subheader(t("swp.summary", metric=sim.measures.name(metric, lang)))
table = pd.DataFrame({t("swp.col.point"): _labelled(summary).to_numpy()})
for k in batch.params:
    table[k] = results.column_text(summary[k]).to_numpy()
table[t("swp.col.n")] = summary["n"].astype(int).to_numpy()
for col, key in (("mean", "swp.col.mean"), ("ci_low", "swp.col.ci_low"),
                 ("ci_high", "swp.col.ci_high"), ("std", "swp.col.std")):
    table[t(key)] = summary[col].to_numpy(float)
fmt = sim.measures.column_format(metric, mean=True)  # statistics over the runs
config = {t(k): st.column_config.NumberColumn(**fmt)
          for k in ("swp.col.mean", "swp.col.ci_low", "swp.col.ci_high", "swp.col.std")}
st.dataframe(table, hide_index=True, width="stretch", column_config=config, key="swp_summary")
st.caption(t("swp.ci_note"))
st.download_button(t("swp.download"), batch.summary().to_csv(index=False).encode("utf-8-sig"),
                   file_name=f"{sweep_id}_summary.csv", mime="text/csv")

# (b) a daily series over days: median and 5–95% band per grid point
columns = [c for c in DAILY if c in batch.daily_columns] + sorted(
    c for c in batch.daily_columns if c not in DAILY)
column = state.remember("swp_daily", st.selectbox(
    t("swp.daily"), columns, format_func=lambda c, lang=lang: sim.measures.series_name(c, lang),
    key=state.carry("swp_daily", columns[0], columns)))
bands = batch.bands(column)
bands = bands.assign(series=_labelled(bands))
order = [lab for lab in labels if lab in set(bands["series"])]
if len(order) > MAX_SERIES:
    st.caption(t("swp.too_many", n=len(order), shown=MAX_SERIES))
    order = order[:MAX_SERIES]
    bands = bands[bands["series"].isin(order)]
long = pd.DataFrame({"x": bands["day"], "series": bands["series"], "lo": bands["q0.05"],
                     "mid": bands["q0.5"], "hi": bands["q0.95"]})
st.subheader(t("swp.bands", column=sim.measures.series_name(column, lang)))
st.altair_chart(charts.banded_lines(long, x_title=t("ax.day"), y_title=sim.measures.series_name(column, lang),
                                    legend=t("swp.col.point"), order=order,
                                    colours=[scenario_colour[lab] for lab in order] if scenario_colour else None,
                                    bands=int(row["replicates"]) > 1), width="stretch")
st.caption(t("swp.bands_note"))


# (c) how the metric moves with each parameter: mean ± 95% CI against its value
def _effect(k: str) -> None:
    others = [p for p in batch.params if p != k]
    # A few grid values read best evenly spaced; many sampled values on a number line.
    numeric = pd.api.types.is_numeric_dtype(summary[k]) and summary[k].nunique() > ORDINAL_UP_TO
    rest = summary[["scenario", *others]].to_dict("records")
    series = ([results.point_label(others, r, r["scenario"] if several else None) for r in rest]
              if others or several else [t("swp.all_runs")] * len(summary))
    data = pd.DataFrame({"x": results.column_text(summary[k]), "mean": summary["mean"],
                         "ci_low": summary["ci_low"], "ci_high": summary["ci_high"],
                         "n": summary["n"], "series": series})
    st.altair_chart(charts.effect(data, x_title=k, y_title=sim.measures.name(metric, lang),
                                  legend=t("swp.others"), numeric_x=numeric,
                                  order=list(dict.fromkeys(series)),
                                  y_format=".1%" if _percent(metric) else ",.2~f"),
                    width="stretch")


st.subheader(t("swp.effect", metric=sim.measures.name(metric, lang)))
if not batch.params:
    st.caption(t("swp.no_params"))
else:
    cells = st.columns(min(len(batch.params), 3))
    for i, k in enumerate(batch.params):
        with cells[i % len(cells)]:
            _effect(k)
    st.caption(t("swp.effect_note"))
