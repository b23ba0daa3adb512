"""latentlab.server.plane: the static files behind the latent-map component."""

import json

import numpy as np
import pytest

from aecore.analysis.density import KernelDensity
from latentlab.server import plane as LM


def _blob(n=500, seed=0):
    g = np.random.default_rng(seed)
    pts = g.normal(size=(n, 2)) * [2.0, 1.0]  # (n, 2)
    return pts, g.integers(0, 3, n)


def test_payload_round_trips_points_labels_and_density(tmp_path):
    pts, lab = _blob()
    dens = KernelDensity(pts)
    bounds = ((-8.0, 8.0), (-5.0, 5.0))
    payload = LM.plane_payload(
        pts, lab, ["a", "b", "c"], bounds, density=dens, threshold=dens.threshold, axis_titles=("z₁", "z₂"), grid_n=41
    )
    url = LM.write_plane("k1", payload, static_dir=tmp_path, url_prefix="/app/static")
    assert url == "/app/static/maps/map-k1.bin"
    m = LM.read_plane(tmp_path / "maps" / "map-k1.bin")
    np.testing.assert_allclose(m["points"], pts.astype(np.float32))  # exact float32, no rounding
    np.testing.assert_array_equal(m["labels"], lab)
    assert m["class_names"] == ["a", "b", "c"] and m["bounds"] == [-8.0, 8.0, -5.0, 5.0]
    d = m["density"]  # (41, 41), row 0 = bottom, normalised to a maximum of 1
    assert d.shape == (41, 41) and d.max() == pytest.approx(1.0)
    # Row i is y = y0 + i·dy: the peak sits in the middle (the blob's centre), the corners are empty.
    assert d[20, 20] > 0.5 and d[0, 0] < 1e-3 and d[-1, -1] < 1e-3
    # The threshold is relative to the same maximum, so the browser's contour sits where the KDE
    # crosses the "extrapolating" level.
    gx, gy = np.meshgrid(np.linspace(-8, 8, 41), np.linspace(-5, 5, 41))
    grid_max = dens(np.c_[gx.ravel(), gy.ravel()]).max()
    assert m["threshold"] == pytest.approx(dens.threshold / grid_max, rel=1e-5)
    assert 0 < m["threshold"] < 1


def test_payload_is_compact_and_labels_widen_when_needed():
    pts, _ = _blob(60_000)
    p = LM.plane_payload(pts, np.zeros(60_000, int), ["x"], ((-1, 1), (-1, 1)))
    # 60,000 points: 480 kB of float32 and 60 kB of labels in one binary file, plus a small header
    # (plotly's JSON for them was ~1.3 MB). The arrays start at multiples of 8: views, not copies.
    raw = LM.encode_plane(p)
    assert raw[:8] == LM.MAGIC and 540_000 <= len(raw) < 542_000
    head = json.loads(raw[12 : 12 + int.from_bytes(raw[8:12], "little")])
    assert all(off % 8 == 0 for off, _, _ in head["arrays"].values()) and "points" not in head
    assert p["labels_dtype"] == "u8" and p["density"] is None
    p = LM.plane_payload(pts[:3], [0, 300, 7], [str(i) for i in range(301)], ((-1, 1), (-1, 1)))
    assert p["labels_dtype"] == "u16"
    with pytest.raises(ValueError):
        LM.plane_payload(pts[:3], [0, 1], ["a", "b"], ((-1, 1), (-1, 1)))  # lengths differ
    with pytest.raises(ValueError):
        LM.plane_payload(pts[:2], [0, -1], ["a"], ((-1, 1), (-1, 1)))  # not a class index


def test_existing_map_is_found_from_its_key_alone(tmp_path):
    key = LM.plane_key("abc123", "mnist", "test", "plane")
    assert key == f"abc123-mnist-test-plane-v{LM.MAP_VERSION}"
    assert LM.existing_plane_url(key, static_dir=tmp_path) is None
    LM.write_plane(key, LM.plane_payload(np.zeros((1, 2)), [0], ["a"], ((-1, 1), (-1, 1))), static_dir=tmp_path)
    assert (
        LM.existing_plane_url(key, static_dir=tmp_path, url_prefix="/base/app/static")
        == f"/base/app/static/maps/map-{key}.bin"
    )
    # Another checkpoint, split or view is another key.
    assert (
        len(
            {
                LM.plane_key(h, "mnist", s, v)
                for h in ("a", "b")
                for s in ("test", "train")
                for v in ("plane", "pca", "umap")
            }
        )
        == 12
    )
    assert "/" not in LM.plane_key("h", "../../etc", "test", "a b")  # names cannot leave the folder


def test_images_file_is_uint8_rows_named_by_content(tmp_path):
    x = np.array([[0.0, 0.5, 1.0, 1.7], [-0.2, 0.25, 0.75, 1.0]], np.float32)
    u8 = LM.images_u8(x)
    np.testing.assert_array_equal(u8, [[0, 128, 255, 255], [0, 64, 191, 255]])
    url = LM.write_images(u8, static_dir=tmp_path, url_prefix="/app/static")
    f = tmp_path / url.removeprefix("/app/static/")
    assert f.read_bytes() == u8.tobytes()
    assert LM.write_images(u8, static_dir=tmp_path).endswith(f.name)  # same content, same file
    assert LM.write_images(u8[::-1], static_dir=tmp_path) != url


def test_prune_planes_keeps_the_newest_of_a_series(tmp_path):
    """A training writes a plane per epoch: the newest few stay, other series are not touched."""
    import os

    payload = LM.plane_payload(np.zeros((3, 2)), np.zeros(3, int), ["a"], ((0, 1), (0, 1)))
    for e in range(5):
        LM.write_plane(LM.plane_key("live-job-3", "codes", "test", f"e{e:05d}"), payload, static_dir=tmp_path)
        LM.write_plane(LM.plane_key("live-job-31", "codes", "test", f"e{e:05d}"), payload, static_dir=tmp_path)
    for i, p in enumerate(sorted((tmp_path / LM.MAP_SUBDIR).glob("map-*.bin"))):
        os.utime(p, ns=(i * 10**9, i * 10**9))  # written in name order, a second apart
    assert LM.prune_planes("live-job-3-", keep=3, static_dir=tmp_path) == 2
    left = sorted(p.name for p in (tmp_path / LM.MAP_SUBDIR).glob("map-live-job-3-*.bin"))
    assert [n.split("-e")[1][:5] for n in left] == ["00002", "00003", "00004"]
    assert len(list((tmp_path / LM.MAP_SUBDIR).glob("map-live-job-31-*.bin"))) == 5
