"""Altair charts. Vega-Lite renders text with the browser's fonts, so Chinese labels need no
font set-up here; every title and axis label is passed in already translated."""

from __future__ import annotations

import json
import unicodedata

import altair as alt
import pandas as pd

from sim.palette import DASH

HEIGHT = 360  # whole chart: legend and axis titles included
# Diverging colours for money: losses red, gains green, zero white-ish.
NET_SCALE = alt.Scale(scheme="redyellowgreen", domainMid=0)
VERDICT_COLOURS = {"breach": "#c0392b", "warning": "#e67e22", "clear": "#27ae60",
                   "not_applicable": "#95a5a6"}
# A role's marker on the recruitment tree, by role key: the legend's labels are translated,
# and Vega would otherwise hand out shapes by their sort order, which differs by language.
ROLE_SHAPES = {"founder": "diamond", "leader": "square", "distributor": "circle",
               "consumer": "triangle-up", "unaware": "cross"}


LONG_NAME = 38  # columns: names up to this long fit two to a row in a legend under half a page
# Columns (a Chinese character counts two) per line of a name: beside an axis, in a legend under
# a chart, and of a y axis title, in a chart half a page wide (1,500 px: ~500 px).
WRAP_AT, WRAP_LEGEND, WRAP_TITLE = 26, 56, 30
LINE_PX = 15  # height of one line of an axis label


def _columns(text: str) -> int:
    """Display width: a Chinese character takes about two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _long(names: list[str] | None) -> bool:
    return bool(names) and max(map(_columns, names)) > LONG_NAME


def wrap(text: str, width: int = WRAP_AT) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces where there are any
    and anywhere in a run of Chinese (which has none)."""
    lines, line = [], ""
    for word in text.split(" "):
        pieces = [word]
        if _columns(word) > width:  # a word too long for a line, or Chinese: break it by character
            pieces, part = [], ""
            for c in word:
                if part and _columns(part + c) > width:
                    pieces.append(part)
                    part = ""
                part += c
            pieces.append(part)
        for piece in pieces:
            joined = f"{line} {piece}" if line else piece
            if line and _columns(joined) > width:
                lines.append(line)
                line = piece
            else:
                line = joined
    return lines + [line] if line or not lines else lines


def _wrapped_labels(names: list[str], width: int = WRAP_AT) -> tuple[str | None, int]:
    """A Vega ``labelExpr`` (axis or legend) that draws each name longer than ``width`` on
    several lines (an array of lines is drawn one under the other), and the most lines any
    name takes."""
    wrapped = {n: wrap(n, width) for n in names}
    long = {n: lines for n, lines in wrapped.items() if len(lines) > 1}
    if not long:
        return None, 1
    expr = "datum.label"
    for name, lines in long.items():
        text = json.dumps(name, ensure_ascii=False)
        expr = f"datum.label === {text} ? {json.dumps(lines, ensure_ascii=False)} : {expr}"
    return expr, max(len(lines) for lines in wrapped.values())


def _series_legend(order: list[str] | None, *, dashed: bool = False) -> alt.Legend:
    """The legend of series drawn as lines; with ``dashed`` lines, symbols long enough to show
    the dashes."""
    # Long names (a sweep's grid points, a court case) get a row each, on as many lines as they
    # need, uncut; short ones share two columns.
    long = _long(order)
    label_expr = _wrapped_labels(order, WRAP_LEGEND)[0] if long else None
    # Drawn as lines: with a band underneath, area swatches would come out faint.
    return alt.Legend(orient="bottom", columns=1 if long else 2, labelLimit=0 if long else 320,
                      symbolType="stroke", symbolOpacity=1, symbolStrokeWidth=2,
                      **({"symbolSize": 500} if dashed else {}), **({"labelExpr": label_expr} if label_expr else {}))


def _series_colour(title: str, order: list[str] | None, colours: list[str] | None = None, *,
                   dashed: bool = False) -> alt.Color:
    """Series in the order given, coloured as given (``colours[i]`` for ``order[i]``: a
    scenario's own colour from :mod:`sim.palette`), else by place in ``order``. Without a
    domain Vega would sort names alphabetically, which differs between 中文 and English."""
    scale = alt.Scale(domain=order, range=colours) if order and colours else \
        alt.Scale(domain=order) if order else alt.Undefined
    return alt.Color("series:N", title=title, scale=scale, sort=order or "ascending",
                     legend=_series_legend(order, dashed=dashed))


def banded_lines(data: pd.DataFrame, *, x_title: str, y_title: str, legend: str,
                 y_format: str = ",.0f", bands: bool, marker: float | None = None,
                 order: list[str] | None = None, points: bool = False, colours: list[str] | None = None,
                 dashed: tuple[str, ...] = ()) -> alt.Chart:
    """Median lines per scenario; with ``bands``, a shaded 5–95% band behind each; with
    ``marker``, a dashed vertical line at that x (the day recruitment stops, say); with
    ``points``, a dot at each value (for a few x values, not a daily series). ``colours``
    are those of the series in ``order`` (:func:`sim.palette.colours` for scenarios); the
    series named in ``dashed`` are drawn dashed, in the legend too.

    ``data`` columns: x, series, lo, mid, hi.
    """
    base = alt.Chart(data).encode(
        x=alt.X("x:Q", title=x_title),
        color=_series_colour(legend, order, colours, dashed=bool(dashed)))
    tooltip = [alt.Tooltip("series:N", title=legend), alt.Tooltip("x:Q", title=x_title),
               alt.Tooltip("mid:Q", title=y_title, format=y_format)]
    if bands:
        tooltip += [alt.Tooltip("lo:Q", title="5%", format=y_format),
                    alt.Tooltip("hi:Q", title="95%", format=y_format)]
    # A long title on several lines: one line longer than the axis would be cut.
    title = wrap(y_title, WRAP_TITLE) if _columns(y_title) > WRAP_TITLE else y_title
    line = base.mark_line(point=points).encode(y=alt.Y("mid:Q", title=title, axis=alt.Axis(format=y_format)),
                                               tooltip=tooltip)
    if dashed:
        # The same field, title and legend as the colour: Vega-Lite draws one legend, dashes included.
        line = line.encode(strokeDash=alt.StrokeDash(
            "series:N", title=legend, sort=order, legend=_series_legend(order, dashed=True),
            scale=alt.Scale(domain=order, range=[list(DASH) if s in dashed else [1, 0] for s in order])))
    layers = [line]
    if bands:
        layers.insert(0, base.mark_area(opacity=0.2).encode(y="lo:Q", y2="hi:Q"))
    if marker is not None:
        layers.append(alt.Chart(pd.DataFrame({"x": [marker]})).mark_rule(
            strokeDash=[5, 4], color="grey").encode(x="x:Q"))
    # A legend of long names, one under another, takes room the lines would otherwise lose.
    legend_lines = sum(len(wrap(n, WRAP_LEGEND)) for n in order) if _long(order) else 0
    return alt.layer(*layers).properties(height=HEIGHT + LINE_PX * max(0, legend_lines - 3)).interactive(
        bind_y=False)


def bars(data: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str, color: str | None = None,
         color_title: str = "", y_format: str = ",.0f", horizontal: bool = False,
         x_type: str = "N", color_scale: alt.Scale | None = None, bar_colour: str | None = None) -> alt.Chart:
    """A plain bar chart, in ``bar_colour`` (a scenario's) when given; grouped with ``color``
    (side by side) when given."""
    xe = alt.X(f"{x}:{x_type}", title=x_title, sort=None)
    ye = alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format))
    enc: dict = {"x": ye, "y": xe} if horizontal else {"x": xe, "y": ye}
    tooltip = [alt.Tooltip(f"{x}:{x_type}", title=x_title),
               alt.Tooltip(f"{y}:Q", title=y_title, format=y_format)]
    if color:
        kw = {"scale": color_scale} if color_scale is not None else {}
        enc["color"] = alt.Color(f"{color}:N", title=color_title, legend=alt.Legend(orient="bottom"),
                                 **kw)
        if horizontal:
            enc["yOffset"] = alt.YOffset(f"{color}:N")
        else:
            enc["xOffset"] = alt.XOffset(f"{color}:N")
        tooltip.insert(0, alt.Tooltip(f"{color}:N", title=color_title))
    mark = {"color": bar_colour} if bar_colour and not color else {}
    return alt.Chart(data).mark_bar(**mark).encode(**enc, tooltip=tooltip).properties(height=HEIGHT)


def stacked_risk(data: pd.DataFrame, *, x_title: str, y_title: str, part_title: str,
                 value_title: str, order: list[str]) -> alt.Chart:
    """One horizontal bar per scenario: its risk index, split into weighted parts
    (columns series, part, points, value).

    Drawn in half a page's width, so nothing is cut: a long scenario name takes several lines
    of at most ``WRAP_AT`` columns, and the parts' legend lists one part a line, in full."""
    label_expr, lines = _wrapped_labels(order)
    axis = alt.Axis(labelLimit=0, **({"labelExpr": label_expr} if label_expr else {}))
    row = max(50, LINE_PX * lines + 20)  # a bar tall enough for its name's lines
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("sum(points):Q", title=x_title, scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("series:N", title=y_title, sort=order, scale=alt.Scale(domain=order), axis=axis),
        color=alt.Color("part:N", title=part_title, sort=None,
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=0)),
        order=alt.Order("points:Q", sort="descending"),
        tooltip=[alt.Tooltip("series:N", title=y_title), alt.Tooltip("part:N", title=part_title),
                 alt.Tooltip("points:Q", title=x_title, format=".1f"),
                 alt.Tooltip("value:Q", title=value_title, format=".3f")],
    # The x axis and its title take ~60 px, the legend of seven parts one a line ~150 px; the
    # right padding keeps the last tick label ("100", centred on the edge) inside the chart.
    ).properties(height=210 + row * len(order), padding={"left": 5, "top": 5, "bottom": 5, "right": 12})


def lorenz(data: pd.DataFrame, *, x_title: str, y_title: str, equality: str,
           colour: str | None = None) -> alt.Chart:
    """Lorenz curve (columns x, y), in ``colour`` (a scenario's) when given, with the line of
    equality."""
    curve = alt.Chart(data).mark_line(**({"color": colour} if colour else {})).encode(
        x=alt.X("x:Q", title=x_title, axis=alt.Axis(format="%")),
        y=alt.Y("y:Q", title=y_title, axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("x:Q", title=x_title, format=".1%"),
                 alt.Tooltip("y:Q", title=y_title, format=".1%")])
    diag = alt.Chart(pd.DataFrame({"x": [0, 1], "y": [0, 1], "label": [equality] * 2})).mark_line(
        strokeDash=[4, 4], color="grey").encode(x="x:Q", y="y:Q", tooltip=["label:N"])
    return alt.layer(diag, curve).properties(height=HEIGHT)


def cohort_net(data: pd.DataFrame, *, x_title: str, y_title: str, share_title: str) -> alt.Chart:
    """Mean net result per join week, red below zero (columns week, net, losing, n)."""
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("week:O", title=x_title),
        y=alt.Y("net:Q", title=y_title, axis=alt.Axis(format=",.0f")),
        color=alt.Color("net:Q", scale=NET_SCALE, legend=None),
        tooltip=[alt.Tooltip("week:O", title=x_title),
                 alt.Tooltip("net:Q", title=y_title, format=",.2f"),
                 alt.Tooltip("losing:Q", title=share_title, format=".0%"),
                 alt.Tooltip("n:Q", title="n")],
    ).properties(height=HEIGHT)


def tree(nodes: pd.DataFrame, edges: pd.DataFrame, *, net_title: str, depth_title: str,
         order_title: str, tooltip_titles: dict[str, str], roles: dict[str, str],
         selected: int | None) -> alt.Chart:
    """The recruitment tree: nodes at (order, depth), edges to their sponsor, coloured by net,
    shaped by role: ``roles`` maps each key of :data:`ROLE_SHAPES` to the name shown.

    ``nodes`` columns: id, x, depth, net, role (its name), join_day, sponsor (who recruited
    them, as words), status, opacity.
    ``edges`` columns: x, depth, x2, depth2. Clicking a node selects it (``param "person"``).
    """
    present = set(nodes["role"])
    shown = [k for k in ROLE_SHAPES if roles[k] in present]  # the legend lists the roles on the tree
    y = alt.Y("depth:Q", title=depth_title, scale=alt.Scale(reverse=True),
              axis=alt.Axis(tickMinStep=1, format="d"))
    x = alt.X("x:Q", title=order_title, axis=None)
    links = alt.Chart(edges).mark_rule(color="#bbbbbb", strokeWidth=0.6).encode(
        x=x, y=y, x2="x2:Q", y2="depth2:Q")
    pick = alt.selection_point(name="person", fields=["id"], on="click", toggle=False)
    size = alt.condition(alt.datum.id == (selected if selected is not None else -1),
                         alt.value(220), alt.value(45))
    dots = alt.Chart(nodes).mark_point(filled=True, stroke="#333333", strokeWidth=0.4).encode(
        x=x, y=y,
        color=alt.Color("net:Q", title=net_title, scale=NET_SCALE),
        shape=alt.Shape("role:N", title=tooltip_titles["role"], legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=[roles[k] for k in shown],
                                        range=[ROLE_SHAPES[k] for k in shown])),
        opacity=alt.Opacity("opacity:Q", legend=None, scale=None),
        size=size,
        tooltip=[alt.Tooltip("id:Q", title=tooltip_titles["id"]),
                 alt.Tooltip("role:N", title=tooltip_titles["role"]),
                 alt.Tooltip("net:Q", title=net_title, format="+,.2f"),
                 alt.Tooltip("join_day:Q", title=tooltip_titles["join_day"]),
                 alt.Tooltip("sponsor:N", title=tooltip_titles["sponsor"]),
                 alt.Tooltip("status:N", title=tooltip_titles["status"])],
    ).add_params(pick)
    return alt.layer(links, dots).properties(height=420)


def dual_saturation(data: pd.DataFrame, *, x_title: str, joins_title: str, reached_title: str,
                    days: int, colour: str) -> alt.Chart:
    """New joins per day (bars, in the scenario's ``colour``) against the share of the market
    reached (line, right axis), over the whole run (day 0 to ``days``) from the first day, so
    the axes stay put while the days are stepped through. Columns day, joins, reached."""
    base = alt.Chart(data).encode(x=alt.X("day:Q", title=x_title, axis=alt.Axis(format="d"),
                                          scale=alt.Scale(domain=[0, days], nice=False)))
    # Counts start at 0; on a day with no joins yet the axis still needs a top above 0.
    top = max(1, int(data["joins"].max())) if len(data) else 1
    joins = base.mark_bar(opacity=0.7, color=colour, clip=True).encode(
        y=alt.Y("joins:Q", title=joins_title, scale=alt.Scale(domain=[0, top]),
                axis=alt.Axis(format="d", tickMinStep=1)),
        tooltip=[alt.Tooltip("day:Q", title=x_title), alt.Tooltip("joins:Q", title=joins_title)])
    # Dark grey, not a palette colour: it must stand apart from any scenario's bars.
    reached = base.mark_line(color="#333333", strokeWidth=2.5).encode(
        y=alt.Y("reached:Q", title=reached_title, axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("day:Q", title=x_title),
                 alt.Tooltip("reached:Q", title=reached_title, format=".1%")])
    return alt.layer(joins, reached).resolve_scale(y="independent").properties(height=HEIGHT)


def effect(data: pd.DataFrame, *, x_title: str, y_title: str, legend: str, numeric_x: bool,
           y_format: str = ",.2~f", order: list[str] | None = None) -> alt.Chart:
    """A metric's mean with its 95% CI against one parameter's value: one line per combination
    of the other parameters (``series``). Columns x, mean, ci_low, ci_high, n, series."""
    x = alt.X("x:Q" if numeric_x else "x:O", title=x_title,
              scale=alt.Scale(zero=False) if numeric_x else alt.Undefined,
              axis=alt.Axis(labelAngle=0))
    base = alt.Chart(data).encode(x=x, color=_series_colour(legend, order))
    tooltip = [alt.Tooltip("series:N", title=legend),
               alt.Tooltip("x:Q" if numeric_x else "x:O", title=x_title),
               alt.Tooltip("mean:Q", title=y_title, format=y_format),
               alt.Tooltip("ci_low:Q", title="95% CI −", format=y_format),
               alt.Tooltip("ci_high:Q", title="95% CI +", format=y_format),
               alt.Tooltip("n:Q", title="n")]
    line = base.mark_line(point=True).encode(
        y=alt.Y("mean:Q", title=y_title, axis=alt.Axis(format=y_format),
                scale=alt.Scale(zero=False)), tooltip=tooltip)
    whiskers = base.mark_rule(strokeWidth=2).encode(y="ci_low:Q", y2="ci_high:Q", tooltip=tooltip)
    return alt.layer(whiskers, line).properties(height=280)


def intervals(data: pd.DataFrame, *, x_title: str, y_title: str, order: list[str], colours: list[str],
              x_format: str = ",.0f") -> alt.Chart:
    """A mean and its 95% interval per series, one row each (columns series, mean, lo, hi)."""
    y = alt.Y("series:N", title=y_title, sort=order, axis=alt.Axis(labelLimit=260))
    colour = alt.Color("series:N", scale=alt.Scale(domain=order, range=colours), legend=None)
    tooltip = [alt.Tooltip("series:N", title=y_title), alt.Tooltip("mean:Q", title=x_title, format=x_format),
               alt.Tooltip("lo:Q", title="95% −", format=x_format), alt.Tooltip("hi:Q", title="95% +", format=x_format)]
    base = alt.Chart(data).encode(y=y, color=colour, tooltip=tooltip)
    rules = base.mark_rule(strokeWidth=3).encode(x=alt.X("lo:Q", title=x_title, axis=alt.Axis(format=x_format)),
                                                 x2="hi:Q")
    return alt.layer(rules, base.mark_point(filled=True, size=120).encode(x="mean:Q")).properties(
        height=60 + 40 * len(order))


def robustness(data: pd.DataFrame, *, x_title: str, y_title: str, legend: str, order: list[str],
               colours: list[str], y_format: str = ",.0f") -> alt.Chart:
    """Each series' value at each sampled point against one parameter (columns x, series, value)."""
    tooltip = [alt.Tooltip("series:N", title=legend), alt.Tooltip("x:Q", title=x_title, format=",.4~g"),
               alt.Tooltip("value:Q", title=y_title, format=y_format)]
    colour = alt.Color("series:N", title=legend, scale=alt.Scale(domain=order, range=colours), sort=order,
                       legend=alt.Legend(orient="bottom", columns=1, labelLimit=0,
                                         labelExpr=_wrapped_labels(order, WRAP_LEGEND)[0] or "datum.label"))
    return alt.Chart(data).mark_point(filled=True, size=70).encode(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False), axis=alt.Axis(titleLimit=0)),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format)),
        color=colour, shape=alt.Shape("series:N", legend=None, sort=order),
        tooltip=tooltip).properties(height=300)


def fit_against_data(data: pd.DataFrame, *, x_title: str, y_title: str, observed: str, fitted: str,
                     y_format: str = ",.0f") -> alt.Chart:
    """Observed values (dots) against a fitted expected value (line) and its 95% band, by date.
    Columns: date, observed, fitted, lo, hi."""
    x = alt.X("date:T", title=x_title, axis=alt.Axis(format="%Y-%m-%d", labelAngle=0))
    colour = alt.Color("what:N", title=None, scale=alt.Scale(domain=[fitted, observed],
                                                              range=["#1f77b4", "#222222"]),
                       legend=alt.Legend(orient="bottom"))
    tooltip = [alt.Tooltip("date:T", title=x_title), alt.Tooltip("observed:Q", title=observed, format=y_format),
               alt.Tooltip("fitted:Q", title=fitted, format=y_format),
               alt.Tooltip("lo:Q", title="95% −", format=y_format), alt.Tooltip("hi:Q", title="95% +", format=y_format)]
    base = alt.Chart(data).encode(x=x)
    band = base.mark_area(opacity=0.2, color="#1f77b4").encode(y=alt.Y("lo:Q", title=y_title,
                                                                       axis=alt.Axis(format=y_format)), y2="hi:Q")
    line = base.transform_calculate(what=f"'{fitted}'").mark_line().encode(
        y="fitted:Q", color=colour, tooltip=tooltip)
    dots = base.transform_calculate(what=f"'{observed}'").mark_point(filled=True, size=40).encode(
        y="observed:Q", color=colour, tooltip=tooltip)
    return alt.layer(band, line, dots).properties(height=HEIGHT)
