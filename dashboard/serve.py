"""Serve the dashboard with the default comparison warmed at server start.

``make run`` runs ``streamlit run dashboard/serve.py``: Streamlit finds the ``st.App`` below and
serves ``app.py`` (the same pages as ``streamlit run dashboard/app.py``). While the browser loads
Streamlit's front end, a thread imports the engine and runs the default Compare view's scenarios
into the shared run cache; a first visitor who arrives before it is done joins the runs under
way instead of starting them again.
"""

from __future__ import annotations

import sys
import threading
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402


def _warm() -> None:
    try:
        from dashboard import state
        state.warm_default_comparison()
        import dashboard.charts  # noqa: F401  (Altair, for the first chart)
    except Exception as err:  # a warm-up that fails costs only speed: the page runs as usual
        print(f"Scheme Lab: warm-up skipped: {err!r}", file=sys.stderr)


@asynccontextmanager
async def lifespan(app):
    threading.Thread(target=_warm, name="warm-default-comparison", daemon=True).start()
    yield


app = st.App(str(Path(__file__).resolve().parent / "app.py"), lifespan=lifespan)
