import numpy as np
import pytest
import torch

from aecore.analysis import tour
from aecore.data.sets import load_dataset
from aecore.storage.checkpoint import load_checkpoint
from aecore.storage.library import find_model
from latentlab.figures import tour as tour_figures


def test_steps_cover_the_representation_picture():
    assert [s.key for s in tour.STEPS] == [
        "implementation",
        "representation",
        "reliability",
        "on-manifold",
        "latent-dim",
        "overfit",
        "sampling",
        "anomalies",
        "compare",
        "beta",
        "codes",
        "learned-prior",
        "latent-diffusion",
        "sae",
    ]
    assert {s.chapter for s in tour.STEPS[9:13]} == {tour.DIFFUSION} and tour.STEPS[8].chapter != tour.DIFFUSION
    assert tour.STEPS[13].chapter == tour.EXPLAIN
    for s in tour.STEPS:
        sentences = [x for x in s.text.replace("e.g.", "eg").split(". ") if x.strip()]
        assert 2 <= len(sentences) <= 4, s.key


@pytest.mark.parametrize(
    "raw,expected",
    [
        (None, 0),
        ("1", 0),
        ("3", 2),
        ("99", 13),
        ("-4", 0),
        ("sampling", 6),
        ("garbage", 0),
        ("2.0", 1),
        ("inf", 0),
        ("-inf", 0),
        ("nan", 0),
        ("1e999", 0),
    ],
)
def test_step_index_never_fails(raw, expected):
    assert tour.step_index(raw) == expected


@pytest.fixture(scope="module")
def digits_ae():
    return load_checkpoint(find_model("digits-ae-2d").path), load_dataset("digits")


def test_walk_out_leaves_the_dense_region(digits_ae):
    from aecore.analysis.coding import encode_array
    from aecore.analysis.density import KernelDensity

    ck, ds = digits_ae
    codes = encode_array(ck.model, ds.x_train)
    dens = KernelDensity(codes)
    assert not dens.is_low(float(dens(tour.walk_out(codes, 0.0))[0]))
    assert dens.is_low(float(dens(tour.walk_out(codes, 1.0))[0]))
    fig = tour_figures.reliability_figure(
        ck.model, codes, ds.y_train.numpy(), ds.class_names, dens, tour.walk_out(codes, 1.0), ds.image_shape
    )
    assert "EXTRAPOLATING" in fig.layout.annotations[1].text
    z = tour.walk_out(codes, 1.0)
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    assert x0 < z[0] < x1 and y0 < z[1] < y1
    # The probe is drawn last among the WebGL traces, so it sits above the dots (an SVG marker hid under them).
    gl = [t for t in fig.data if t.type == "scattergl"]
    assert gl[-1].meta["role"] == "probe" and gl[-1].x[0] == pytest.approx(float(z[0]))


def test_walk_out_stays_on_the_axes():
    """Tour step 3: the probe z stays inside the plotted plane for every slider value, even when one
    wild code stretches the data (it once left the axes: z = (44.9, 44.2), axes ending at 19.8, 30.7)."""
    from aecore.analysis.projection import view_bounds

    rng = np.random.default_rng(0)
    codes = np.vstack([rng.normal(0, 3, (3000, 2)), [[200.0, 150.0]]]).astype(np.float32)
    (x0, x1), (y0, y1) = view_bounds(codes)
    for t in np.linspace(0, 1, 21):
        z = tour.walk_out(codes, t)
        assert x0 < z[0] < x1 and y0 < z[1] < y1, (t, z)
    assert np.linalg.norm(tour.walk_out(codes, 1.0) - tour.walk_out(codes, 0.0)) > 0.3 * (x1 - x0)


def test_flipped_images_are_anomalous(digits_ae):
    from aecore.analysis.anomaly import recon_scores, roc

    ck, ds = digits_ae
    x = ds.x_test
    out = torch.from_numpy(tour.flipped(x.numpy(), ds.image_shape))
    assert out.shape == x.shape and not torch.equal(out, x)
    assert roc(recon_scores(ck.model, x), recon_scores(ck.model, out)).auc > 0.6


def test_every_step_has_self_check_questions():
    for s in tour.STEPS:
        assert s.checks and all(q.endswith("?") and len(a) > 20 for q, a in s.checks), s.key
