"""Text from a person (a name typed or taken from the URL) shown as itself inside Streamlit's
markdown (alerts, captions, widget labels): no emphasis from a '_', no image or link from markup."""

from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation; '$' too (Streamlit renders LaTeX).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text: object) -> str:
    """``text`` with every markdown-special character escaped: it renders as typed."""
    return _SPECIAL.sub(r"\\\1", str(text))
