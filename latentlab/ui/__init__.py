"""Everything that imports Streamlit: the page scripts (``pages/``, layout and widget wiring only),
shared UI helpers (``common``, ``demo_common``, ``playlist``) and the browser components
(``components/``). Nothing below this package imports it."""
