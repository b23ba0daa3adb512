"""A page's view state as one class (latentlab.ui.state.PageState): its keys, defaults, casts and URL
mirror in one place, so no page spells a session-state key by hand."""

from streamlit.testing.v1 import AppTest

SCRIPT = """
import streamlit as st
from latentlab.ui.state import PageState, Setting, truthy

class S(PageState):
    prefix = "zz"
    n = Setting(3, int)
    on = Setting(False, truthy)
    src = Setting("data", url=False)
    seen = Setting(None, private=True)

s = S()
st.session_state["out"] = [s.n, s.on, s.src, s.seen, s.key("n"), s.key("seen")]
s.n = s.n + 1
s.seen = (1, 2)
s.push()
try:
    s.key("nope")
except AttributeError as exc:
    st.session_state["err"] = str(exc)
"""


def test_settings_are_seeded_from_the_link_read_as_attributes_and_mirrored_back():
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.query_params["zz_n"] = "7"
    at.query_params["zz_on"] = "TRUE"
    at.query_params["zz_src"] = "own"  # not a URL setting: ignored
    at.run()
    assert not at.exception
    n, on, src, seen, key_n, key_seen = at.session_state["out"]
    assert (n, on, src, seen) == (7, True, "data", None)  # from the link, cast; src keeps its default
    assert (key_n, key_seen) == ("zz_n", "_zz_seen")  # a private setting never reaches the URL
    assert at.session_state["zz_n"] == 8 and at.session_state["_zz_seen"] == (1, 2)  # written through
    assert at.query_params["zz_n"] == "8" and at.query_params["zz_on"] == "True"
    assert "_zz_seen" not in at.query_params
    assert "no setting 'nope'" in at.session_state["err"]


def test_a_hostile_link_value_falls_back_to_the_default():
    at = AppTest.from_string(SCRIPT, default_timeout=30)
    at.query_params["zz_n"] = "1e400"
    at.run()
    assert not at.exception
    assert at.session_state["out"][0] == 3  # the default, not an overflow


LATER = """
import streamlit as st
from latentlab.ui.state import PageState, Setting

class S(PageState):
    prefix = "zz"
    lo = Setting(None, float, later=True)  # its default depends on what the page loads

s = S()
st.session_state["before"] = "zz_lo" in st.session_state
st.session_state["value"] = s.seed_setting("lo", 0.25)
s.push()
"""


def test_a_later_setting_waits_for_its_default_and_still_takes_the_link():
    at = AppTest.from_string(LATER, default_timeout=30)
    at.run()
    assert not at.exception
    assert at.session_state["before"] is False and at.session_state["value"] == 0.25
    assert at.query_params["zz_lo"] == "0.25"
    at = AppTest.from_string(LATER, default_timeout=30)
    at.query_params["zz_lo"] = "1.5"
    at.run()
    assert at.session_state["value"] == 1.5  # the link wins over the default


def test_a_setting_may_not_hide_a_method_of_page_state():
    import pytest

    from latentlab.ui.state import PageState, Setting

    with pytest.raises(TypeError, match="seed_setting"):
        type("Bad", (PageState,), {"prefix": "bad", "seed_setting": Setting(0, int)})
