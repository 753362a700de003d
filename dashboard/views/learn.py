"""Learn page (educators): a small market stepped day by day, the recruitment tree growing,
one person's story, and a plain-language account of saturation.

The live model is kept in the session (small: a few hundred persons) so that stepping costs a
day's work, not a rerun from day 0; it is released when replaced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import sim
from dashboard import charts, state
from dashboard.i18n import current, reward_kind, t
from sim.palette import preferred
from sim.people import ROLE_NAMES
from sim.rules.liandong import TOP_ACCOUNT
from sim.runner import collect

PREFERRED = ("liandong_2plus1", "fission_distribution")
PLAY_EVERY = 0.7  # seconds per simulated day while playing: slow enough to watch the tree grow

lang = current()
st.title(t("learn.title"))
st.caption(t("learn.intro"))

entries = state.catalogue()
keys = list(entries)
# Recruitment schemes are the lesson; put them first, then any model with participants.
with_participants = [k for k in keys if entries[k].scenario.qualifier is not None]
ordered = [k for k in PREFERRED if k in keys] + [k for k in with_participants if k not in PREFERRED]
ordered += [k for k in keys if k not in ordered]

c1, c2, c3, c4 = st.columns([3, 2, 2, 1])
key = state.remember("learn_scenario", c1.selectbox(
    t("ctl.scenario"), ordered, format_func=lambda k: state.label(entries[k], lang),
    key=state.carry("learn_scenario", ordered[0], ordered)))
size = c2.slider(t("learn.people"), min_value=200, max_value=1_000, value=500, step=50,
                 key="learn_size")
days = c3.slider(t("ctl.days"), min_value=30, max_value=365, value=120, step=10, key="learn_days")
seed = c4.number_input(t("ctl.seed"), min_value=0, max_value=2**31 - 1, value=0, step=1,
                       key="learn_seed")

wanted = (entries[key].scenario.content_hash(), int(size), int(days), int(seed))
live = st.session_state.get("learn_model")


def _restart() -> None:
    old = st.session_state.pop("learn_model", None)
    if old is not None:
        old[1].release()
    scenario = entries[key].scenario
    founders = min(scenario.market.founders, max(1, int(size) // 50))  # organisers stay a few
    small = scenario.with_market(size=int(size), days=int(days), founders=founders)
    st.session_state["learn_model"] = (wanted, sim.SchemeModel(small, seed=int(seed), journal=True))
    st.session_state["learn_playing"] = False
    for k in ("learn_person", "learn_chosen"):
        st.session_state.pop(k, None)


with state.computing():
    if live is None or live[0] != wanted:
        _restart()

b1, b2, b3, b4, _ = st.columns([1, 1, 1, 1, 3])
model: sim.SchemeModel = st.session_state["learn_model"][1]
finished = model.day > days
playing = st.session_state.get("learn_playing", False) and not finished
if b1.button(t("learn.step"), disabled=finished or playing, key="learn_step"):
    model.step()
if b2.button(t("learn.week"), disabled=finished or playing, key="learn_week"):
    for _ in range(min(7, days + 1 - model.day)):
        model.step()
if b3.button(t("learn.pause") if playing else t("learn.play"), disabled=finished, key="learn_play"):
    st.session_state["learn_playing"] = not playing
    st.rerun()  # redraw the buttons: "Pause" while playing, stepping disabled
if b4.button(t("learn.restart"), key="learn_restart"):
    _restart()
    playing = False


def _layout(people: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tidy-tree positions: leaves side by side in join order, a parent above its children."""
    ids = people["id"].to_numpy()
    row = {pid: i for i, pid in enumerate(ids)}
    parent = np.array([row.get(s, -1) for s in people["sponsor"].to_numpy()])
    children: list[list[int]] = [[] for _ in ids]
    for i, p in enumerate(parent):
        if p >= 0:
            children[p].append(i)
    x = np.zeros(len(ids))
    depth = np.zeros(len(ids), int)
    next_leaf = 0.0
    for root in np.flatnonzero(parent < 0):  # iterative post-order: chains can be long
        stack = [(root, False)]
        while stack:
            node, seen = stack.pop()
            if seen:
                kids = children[node]
                if kids:
                    x[node] = (x[kids[0]] + x[kids[-1]]) / 2
                else:
                    x[node], next_leaf = next_leaf, next_leaf + 1
                continue
            stack.append((node, True))
            for kid in reversed(children[node]):
                depth[kid] = depth[node] + 1
                stack.append((kid, False))
    nodes = people.assign(x=x, depth=depth)
    has = parent >= 0
    edges = pd.DataFrame({"x": x[has], "depth": depth[has], "x2": x[parent[has]],
                          "depth2": depth[parent[has]]})
    return nodes, edges


def _role(r: pd.Series) -> str:
    return t("role.founder") if r["founder"] else t(f"role.{r['role']}")


def _recruited_by(r: pd.Series) -> str:
    """Who brought a person in, in words: the engine writes -1 for nobody."""
    if r["founder"]:
        return t("learn.by_founder")
    return t("learn.by_own") if r["sponsor"] < 0 else t("learn.by_person", id=int(r["sponsor"]))


def _recruits(n: int) -> str:
    return t("learn.s.recruits_none") if n == 0 else t("learn.s.recruits_one") if n == 1 \
        else t("learn.s.recruits", n=n)


def _story(result: sim.RunResult, pid: int) -> None:
    people = result.people.set_index("id")
    me = people.loc[pid]
    st.markdown(f"#### {t('learn.story', id=pid)}")
    lines = []
    if me["founder"]:
        lines.append(t("learn.s.founder", id=pid))
    elif me["sponsor"] < 0:
        lines.append(t("learn.s.own", id=pid, day=int(me["join_day"])))
    else:
        sponsor = people.loc[int(me["sponsor"])]
        lines.append(t("learn.s.recruited", id=pid, day=int(me["join_day"]),
                       sponsor=int(me["sponsor"]), role=_role(sponsor)))
    if me["participant_day"] >= 0:
        lines.append(t("learn.s.participant", day=int(me["participant_day"]),
                       entry=float(me["entry_paid"])))
        if me["team_owner"] >= 0 and me["team_owner"] != pid:
            lines.append(t("learn.s.team", owner=int(me["team_owner"])))
        elif me["team_owner"] == TOP_ACCOUNT:
            lines.append(t("learn.s.top_team"))
        lines.append(_recruits(int(me["recruits"])))
    else:
        lines.append(t("learn.s.customer"))
    lines.append(t("learn.s.money", paid=float(me["spend"]), value=float(me["value_received"]),
                   rewards=float(me["rewards"]), net=float(me["net"])))
    lines.append(t("learn.s.left", day=int(me["exit_day"])) if me["exit_day"] >= 0
                 else t("learn.s.still"))
    st.write(" ".join(lines))
    journal = result.journal
    mine = journal[journal["payee"] == pid] if journal is not None else pd.DataFrame()
    if me["participant_day"] < 0:
        return
    if mine.empty:
        st.caption(t("learn.s.none"))
        return
    st.caption(t("learn.s.from"))
    grouped = (mine.groupby(["kind", "trigger", "depth"], as_index=False)
               .agg(day=("day", "min"), amount=("amount", "sum"))
               .sort_values(["day", "trigger"]))
    grouped["kind"] = grouped["kind"].map(reward_kind)
    st.dataframe(grouped.rename(columns={c: t(f"learn.col.{c}") for c in
                                         ("kind", "trigger", "depth", "day", "amount")}),
                 hide_index=True, width="stretch", key="learn_story_table")


@st.fragment(run_every=PLAY_EVERY if playing else None)
def board() -> None:
    m: sim.SchemeModel = st.session_state["learn_model"][1]
    if st.session_state.get("learn_playing"):
        if m.day <= days:
            m.step()
        else:  # the end of the horizon: stop the timer with a full rerun
            st.session_state["learn_playing"] = False
            st.rerun()
    result = collect(m)
    people = result.people
    participants = people[people["participant_day"] >= 0]
    st.markdown(f"**{t('learn.day', day=m.day - 1, days=days)}** · " + t(
        "learn.counts", joined=len(people), size=m.scenario.market.size,
        participants=len(participants), losing=int((participants["net"] < 0).sum())))
    st.progress(min(1.0, (m.day - 1) / days))
    if people.empty:
        st.info(t("learn.nobody"))
        return
    st.subheader(t("learn.tree"))
    st.caption(t("learn.tree_note"))
    nodes, edges = _layout(people)
    nodes = nodes.assign(role=[_role(r) for _, r in people.iterrows()],
                         sponsor=[_recruited_by(r) for _, r in people.iterrows()],
                         status=np.where(people["exit_day"] >= 0, t("learn.left"), t("learn.active")),
                         opacity=np.where(people["exit_day"] >= 0, 0.25, 1.0))
    # The tree's click arrives in its widget state before the page is drawn again.
    event = st.session_state.get("learn_tree")
    clicked = [int(p["id"]) for p in (event.selection.get("person") or []) if "id" in p] \
        if event and event.selection else []
    if clicked and clicked[0] != st.session_state.get("learn_clicked"):
        st.session_state["learn_clicked"] = st.session_state["learn_person"] = clicked[0]
        st.session_state["learn_chosen"] = True
    options = people.sort_values("net")["id"].astype(int).tolist()
    if not st.session_state.get("learn_chosen") or st.session_state.get("learn_person") not in options:
        # Until the reader picks someone, follow the story the lesson is about: the latest
        # joiner among those who have lost most (organisers only if no one else has joined).
        pool = participants[~participants["founder"]] if (~participants["founder"]).any() \
            else participants if len(participants) else people
        worst = pool.sort_values(["net", "join_day"], ascending=[True, False])
        st.session_state["learn_person"] = int(worst["id"].iloc[0])
    selected = st.session_state["learn_person"]
    chart = charts.tree(nodes[["id", "x", "depth", "net", "role", "join_day", "sponsor", "status",
                               "opacity"]], edges,
                        net_title=t("learn.net"), depth_title=t("learn.depth"),
                        order_title=t("learn.order"),
                        tooltip_titles={"id": t("learn.person"), "role": t("learn.role"),
                                        "join_day": t("learn.joined"), "sponsor": t("learn.sponsor"),
                                        "status": t("learn.status")},
                        roles={k: t(f"role.{k}") for k in ("founder", *ROLE_NAMES.values())},
                        selected=selected)
    st.altair_chart(chart, on_select="rerun", selection_mode="person", key="learn_tree",
                    width="stretch")
    net = people.set_index("id")["net"]
    pid = st.selectbox(t("learn.pick"), options, key="learn_person",
                       on_change=lambda: st.session_state.update(learn_chosen=True),
                       format_func=lambda i: f"#{i} · {net[i]:+,.2f}")
    _story(result, int(pid))

    st.subheader(t("learn.saturation"))
    st.write(t("learn.sat_text"))
    daily = result.daily
    joins = daily["new_participants"] if m.qualifier is not None else daily["new_customers"]
    sat = pd.DataFrame({"day": daily["day"], "joins": joins,
                        "reached": daily["adopted"] / m.scenario.market.size})
    left, right = st.columns(2)
    with left:
        st.altair_chart(charts.dual_saturation(sat, x_title=t("ax.day"), joins_title=t("learn.joins"),
                                               reached_title=t("learn.reached"), days=days,
                                               colour=preferred(m.scenario.id)), width="stretch")
    with right:
        st.markdown(f"**{t('learn.cohort')}**")
        if participants.empty:
            st.info(t("aud.no_participants"))
        else:
            cohort = sim.measures.value(result, "net_by_cohort").rename(
                columns={"mean_net": "net", "share_losing": "losing", "participants": "n"})
            st.altair_chart(charts.cohort_net(cohort, x_title=t("ax.cohort"), y_title=t("ax.mean_net"),
                                              share_title=t("aud.share_losing")), width="stretch")


board()
