"""Scheme Lab dashboard: Compare, Choose, Scenario lab, Audit, Learn, Sweeps and Calibrate pages, in Chinese and English.

Run with ``make run`` or ``streamlit run dashboard/app.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repository root.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard.i18n import DEFAULT_LANG, LANG_LABELS, LANGS, t  # noqa: E402

st.set_page_config(page_title="Scheme Lab · 社交电商激励模式实验室", page_icon=":material/query_stats:", layout="wide")

# ?lang=zh in the address opens the app in Chinese; the sidebar toggle changes it after that.
if "lang" not in st.session_state:
    wanted = st.query_params.get("lang", DEFAULT_LANG)
    st.session_state["lang"] = wanted if wanted in LANGS else DEFAULT_LANG

with st.sidebar:
    st.markdown(f"### {t('app.title')}")
    st.caption(t("app.tagline"))
    st.radio("Language / 语言", LANGS, key="lang", format_func=LANG_LABELS.get, horizontal=True)

HERE = Path(__file__).resolve().parent
compare = st.Page(HERE / "views" / "compare.py", title=t("nav.compare"), icon=":material/query_stats:",
                  url_path="compare")


def _open_compare() -> None:
    """The root address opens Compare at /compare, with the address's query (?lang, ?scenarios).

    Streamlit serves its default page only at the root, so a Compare that were the default
    page would have no address of its own, and a shared /compare link would say "Page not
    found". Here every page has its address and the root forwards to Compare's."""
    st.switch_page(compare, query_params=st.query_params.to_dict())


pages = [
    st.Page(_open_compare, title=t("nav.compare"), url_path="start", default=True, visibility="hidden"),
    compare,
    st.Page(HERE / "views" / "choose.py", title=t("nav.choose"), icon=":material/leaderboard:", url_path="choose"),
    st.Page(HERE / "views" / "lab.py", title=t("nav.lab"), icon=":material/tune:", url_path="lab"),
    st.Page(HERE / "views" / "audit.py", title=t("nav.audit"), icon=":material/gavel:", url_path="audit"),
    st.Page(HERE / "views" / "learn.py", title=t("nav.learn"), icon=":material/school:", url_path="learn"),
    st.Page(HERE / "views" / "sweeps.py", title=t("nav.sweeps"), icon=":material/stacked_line_chart:",
            url_path="sweeps"),
    st.Page(HERE / "views" / "calibrate.py", title=t("nav.calibrate"), icon=":material/straighten:",
            url_path="calibrate"),
]
page = st.navigation(pages)
st.query_params["lang"] = st.session_state["lang"]  # a copied link opens in the same language

with st.sidebar:
    st.caption(t("app.about"))

page.run()
