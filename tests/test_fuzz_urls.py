"""Property-based fuzzing of the link readers (issue 32): the URL casts of ``latentlab.ui.state.url_state``, the
playlist's link token and JSON, and the selection's polygon. The property: a valid value, or the
documented error (a ``ValueError`` subclass with a message); never another exception, never a
non-finite number or an over-long value. Fixed seed, a bounded number of examples (a few seconds)."""

from __future__ import annotations

import base64
import json
import math
import zlib

import numpy as np
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from latentlab.ui import playlist as pl
from latentlab.ui.selection import MAX_POLYGON, polygon_from_url
from latentlab.ui.state import MAX_INT, MAX_NUMBER, MAX_TEXT, MAX_VALUES, LinkValueError, floats, parse_url_value

FUZZ = settings(max_examples=150, deadline=None, database=None, derandomize=True)

#: Text a hostile link carries: numbers of every kind, and the characters that break parsers.
NUMBERISH = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "-1e-320", "0x1F", "1_000", " 7 ", "", "٣", "1e3", "+5"]),
)
LINK_TEXT = st.one_of(
    NUMBERISH,
    st.lists(NUMBERISH, max_size=12).map(",".join),
    st.text(max_size=300),
    st.sampled_from(["../../etc/passwd", "<script>alert(1)</script>", "x" * 5000, ",".join(["1"] * 9000)]),
)


def _sane(v) -> bool:
    if isinstance(v, bool) or v is None:
        return True
    if isinstance(v, int):
        return abs(v) <= MAX_INT
    if isinstance(v, float):
        return math.isfinite(v) and abs(v) <= MAX_NUMBER
    if isinstance(v, str):
        return len(v) <= MAX_TEXT
    return len(v) <= MAX_VALUES and all(_sane(x) for x in v)


@seed(32)
@FUZZ
@given(raw=LINK_TEXT, cast=st.sampled_from([str, int, float, floats, lambda s: str(s).lower() in ("1", "true")]))
def test_url_casts_give_a_sane_value_or_a_link_error(raw, cast):
    try:
        v = parse_url_value(raw, cast)
    except LinkValueError as exc:
        assert str(exc)
        return
    assert _sane(v), (raw[:80], v)


def test_url_casts_refuse_the_known_hostile_values():
    for raw in ("nan", "inf", "-inf", "1e308"):
        with pytest.raises(LinkValueError):
            parse_url_value(raw, float)
    with pytest.raises(LinkValueError):
        parse_url_value("99999999999999999999", int)
    with pytest.raises(LinkValueError):
        parse_url_value("1,nan", floats)
    with pytest.raises(LinkValueError):
        parse_url_value(",".join(["1"] * (MAX_VALUES + 1)), floats)
    with pytest.raises(LinkValueError):
        parse_url_value("x" * (MAX_TEXT + 1))
    assert parse_url_value("0.5,-1.25", floats) == [0.5, -1.25]
    assert parse_url_value("-5", int) == -5 and parse_url_value("mnist-ae-2d") == "mnist-ae-2d"


VALID = pl.to_link_token(
    [
        {"page": "explorer", "label": "x", "params": {"model": "digits-ae-2d", "ex_z": "1.5,2"}},
        {"page": "tour", "label": "t", "params": {"step": "3"}},
    ]
)


@st.composite
def mutated_tokens(draw) -> str:
    """A valid token with characters replaced, cut, or inserted; or its JSON edited and re-packed."""
    kind = draw(st.sampled_from(["chars", "cut", "json", "random"]))
    if kind == "random":
        return draw(st.text(max_size=400))
    if kind == "cut":
        return VALID[: draw(st.integers(0, len(VALID)))]
    if kind == "chars":
        t = list(VALID)
        for _ in range(draw(st.integers(1, 6))):
            t[draw(st.integers(0, len(t) - 1))] = draw(st.sampled_from("A_-=+/%!aZ09 "))
        return "".join(t)
    doc = json.loads(pl.to_json(pl.from_link_token(VALID)))
    edit = draw(st.sampled_from(["views", "page", "params", "format", "value"]))
    junk = draw(st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=3)))
    if edit == "views":
        doc["views"] = junk
    elif edit == "format":
        doc["format"] = junk
    elif edit == "page":
        doc["views"][0]["page"] = junk
    elif edit == "params":
        doc["views"][0]["params"] = junk
    else:
        doc["views"][0]["params"]["ex_z"] = draw(st.one_of(st.floats(), st.text(max_size=50), st.just({"a": [1]})))
    text = json.dumps(doc, allow_nan=True)
    return base64.urlsafe_b64encode(zlib.compress(text.encode())).decode()


@seed(32)
@FUZZ
@given(token=mutated_tokens())
def test_playlist_tokens_give_views_or_a_playlist_error(token):
    try:
        views = pl.from_link_token(token)
    except pl.PlaylistError as exc:
        assert str(exc)
        return
    for v in views:
        assert isinstance(v["page"], str) and isinstance(v["label"], str)
        assert all(isinstance(k, str) and isinstance(x, str) for k, x in v["params"].items())


@seed(32)
@FUZZ
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=300), st.just("[" * 100_000)))
def test_playlist_files_give_views_or_a_playlist_error(text):
    try:
        pl.from_json(text)
    except pl.PlaylistError as exc:
        assert str(exc)


def test_a_small_token_cannot_expand_into_gigabytes():
    bomb = base64.urlsafe_b64encode(zlib.compress(b" " * (64 << 20), 9)).decode()
    assert len(bomb) < 200_000
    with pytest.raises(pl.PlaylistError, match="damaged"):
        pl.from_link_token(bomb)


def test_views_of_unknown_pages_are_left_out():
    views = pl.from_link_token(VALID) + [{"page": "../../etc/passwd", "label": "x", "params": {}}]
    kept, dropped = pl.known_views(
        views, {"explorer": "latentlab/ui/pages/explorer.py", "tour": "latentlab/ui/pages/tour.py"}
    )
    assert [v["page"] for v in kept] == ["explorer", "tour"] and dropped == 1


@seed(32)
@FUZZ
@given(
    values=st.one_of(
        st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=40),
        st.lists(st.one_of(st.integers(), st.text(max_size=3), st.none()), max_size=10),
        st.just([1.0] * (2 * MAX_POLYGON + 2)),
        st.none(),
        st.text(max_size=10),
    )
)
def test_url_polygon_is_vertices_or_ignored(values):
    poly = polygon_from_url(values)
    if poly is not None:
        assert poly.ndim == 2 and poly.shape[1] == 2 and 3 <= len(poly) <= MAX_POLYGON
        assert np.isfinite(poly).all()


def test_url_polygon_keeps_a_real_lasso():
    assert polygon_from_url([0.0, 0.0, 1.0, 0.0, 1.0, 1.0]).tolist() == [[0, 0], [1, 0], [1, 1]]
    assert polygon_from_url([0.0, 0.0, 1.0, 0.0, 1.0]) is None  # an odd count
    assert polygon_from_url([0.0, float("nan"), 1.0, 0.0, 1.0, 1.0]) is None


@settings(max_examples=150, derandomize=True, deadline=None, database=None)
@given(
    state=st.one_of(
        st.none(),
        st.dictionaries(
            st.sampled_from(["nonce", "seq", "bitmap", "size"]),
            st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none(), st.lists(st.integers(), max_size=3)),
        ),
    )
)
def test_the_draw_pads_message_is_a_drawing_or_nothing(state):
    """What the pad's browser side sends back: any dict decodes to a drawing or to nothing."""
    from latentlab.ui.components.draw_pad import parse_ink

    ink, _ = parse_ink(state)
    assert ink is None or (ink.ndim == 2 and ink.shape[0] == ink.shape[1])


def test_a_valid_pad_message_decodes():
    import base64

    import numpy as np

    from latentlab.ui.components.draw_pad import parse_ink

    bitmap = base64.b64encode(bytes(range(16))).decode()
    ink, sig = parse_ink({"nonce": "a", "seq": 3, "bitmap": bitmap, "size": 4})
    assert sig == ("a", 3) and ink.shape == (4, 4) and np.isclose(ink[3, 3], 15 / 255)
    assert parse_ink({"nonce": "a", "seq": 3, "bitmap": "!!notbase64", "size": 4}) == (None, ("a", 3))
    assert parse_ink({"nonce": "a", "seq": "x"}) == (None, None)
