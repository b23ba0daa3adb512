"""Text from a person (a name typed or taken from the URL) shown as itself inside Streamlit's
markdown (alerts, captions, widget labels): no emphasis from a '_', no image or link from markup;
and the one question asked before such a name's model or data set is replaced."""

from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation; '$' too (Streamlit renders LaTeX).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text: object) -> str:
    """``text`` with every markdown-special character escaped: it renders as typed."""
    return _SPECIAL.sub(r"\\\1", str(text))


def ask_to_replace(what: str, name: str, note: str | None, key: str, button: str) -> bool:
    """True when nothing would be replaced (``note`` is None: no ``what`` of that ``name`` exists)
    or the person ticked the box that asks "A {what} named 'name' exists (note): replace it?".

    The answer is per name: a yes for one name is never a yes for the next (the box resets when the
    name changes). ``button`` names the button that waits for the answer."""
    import streamlit as st

    if note is None:
        return True
    if st.session_state.get(f"_{key}_for") != name:
        st.session_state[f"_{key}_for"] = name
        st.session_state[key] = False
    st.checkbox(f"A {what} named '{plain(name)}' exists ({plain(note)}): replace it?", key=key)
    if not st.session_state[key]:
        st.caption(f"Tick the box to replace that {what}, or choose another name: **{button}** waits until then.")
    return bool(st.session_state[key])
