"""The Streamlit dashboard: ``streamlit run dashboard/app.py`` (or ``make run``).

It only calls ``sim``'s public API; ``sim`` never imports it.
"""
