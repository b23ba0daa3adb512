"""The lecture playlist's file and link formats (the browser test covers bookmarking and stepping)."""

import json

import pytest

from latentlab.ui import playlist as pl

VIEWS = [
    {
        "page": "explorer",
        "label": "Latent explorer · digits-ae-2d",
        "params": {"model": "digits-ae-2d", "ex_z": "18.792549133300781,8.6261234"},
    },
    {"page": "tour", "label": "Guided tour", "params": {"step": "3"}},
]


def test_file_and_link_round_trip_exactly():
    assert pl.from_json(pl.to_json(VIEWS)) == VIEWS
    token = pl.to_link_token(VIEWS)
    assert all(c.isalnum() or c in "-_" for c in token)  # URL-safe as it is
    assert pl.from_link_token(token) == VIEWS


@pytest.mark.parametrize(
    "text,why",
    [
        ("not json", "not JSON"),
        (json.dumps([1, 2]), "not a Latent Lab"),
        (json.dumps({"format": "latent-lab-playlist", "views": [{"page": 3}]}), "malformed"),
    ],
)
def test_a_bad_file_is_refused_with_a_reason(text, why):
    with pytest.raises(ValueError, match=why):
        pl.from_json(text)
    with pytest.raises(ValueError, match="damaged"):
        pl.from_link_token("%%%")


def test_qr_code_encodes_the_link():
    url = "http://192.168.1.20:8501/explorer?ex_z=1.5,2"
    png = pl.qr_png(url)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png != pl.qr_png(url + "0")  # another link, another code
