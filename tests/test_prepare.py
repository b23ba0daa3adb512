"""`python -m aecore prepare`: each item is computed once, then read from disk by any process."""

import numpy as np
import pytest

from aecore.analysis import toy
from aecore.lecture import prepare


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTLAB_CACHE", str(tmp_path))
    return tmp_path


def test_shipped_toy_model_is_the_checkpoint():
    model, source = prepare.toy_model("parabola", 1)
    assert "parabola-ae-k1" in source and model.latent_dim == 1


def test_a_toy_model_without_checkpoint_is_trained_once(monkeypatch, cache):
    calls = []
    real = toy.train_toy

    def counting(*a, **kw):
        calls.append(a)
        return real(*a, **kw)

    monkeypatch.setattr(toy, "train_toy", counting)
    m1, source = prepare.toy_model("circle", 1, epochs=3)  # not the shipped recipe (400 epochs)
    m2, _ = prepare.toy_model("circle", 1, epochs=3)
    assert len(calls) == 1 and "kept on disk" in source
    assert all((a == b).all() for a, b in zip(m1.state_dict().values(), m2.state_dict().values()))
    v1 = prepare.toy_view("circle", 1, "ae", 0, 3, m1)
    v2 = prepare.toy_view("circle", 1, "ae", 0, 3, m2)
    assert (v1.m == v2.m).all() and any(p.name.startswith("toy-view-") for p in (cache / "prepared").iterdir())


def test_lecture_items_cover_every_slow_view():
    labels = [label for label, _ in prepare.lecture_items()]
    assert any(lab.startswith("manifold of swiss-roll, k = 3") for lab in labels)
    assert any(lab.startswith("time-lapse of parabola, k = 1") for lab in labels)
    assert "overfitting preset (2,000 epochs)" in labels
    assert any(lab.startswith("digits detector without class 9") for lab in labels)
    # The two pages of issue 35: every shipped model's codes as features (the VQ-VAEs' grids aside), the
    # disentanglement study once.
    assert "codes of digits-ae-2d as features" in labels and "codes of sprites-tc-vae-10d-s2 as features" in labels
    assert not any("vq-vae as features" in lab for lab in labels)
    assert labels.count("the disentanglement study on sprites") == 1
    assert len(labels) == len(set(labels))


def test_deep_vs_pca_is_kept_on_disk(cache):
    from aecore.analysis.pca import DeepVsPCA
    from aecore.storage.library import find_model

    entry = find_model("digits-ae-16d")  # the same computation as mnist-ae-30d's, on the small set
    heard, heard_again = [], []
    first = prepare.deep_vs_pca(entry, n_show=4, on_progress=lambda f, t: heard.append((f, t)))
    again = prepare.deep_vs_pca(entry, n_show=4, on_progress=lambda f, t: heard_again.append((f, t)))
    # The first visit's wait is a bar that only moves forward, with words, to the end; from disk, none.
    fractions = [f for f, _ in heard]
    assert len(heard) >= 4 and fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("PCA-16" in t for _, t in heard) and heard_again == []
    assert isinstance(again, DeepVsPCA) and again.k == 16 and (again.ae_recon == first.ae_recon).all()
    assert again.ae_mean_err == first.ae_mean_err and any(
        p.name.startswith("deep-vs-pca-") for p in (cache / "prepared").iterdir()
    )


def test_page_numbers_are_computed_once_and_kept(monkeypatch, cache):
    """What an image page computes on its first visit (codes, a VAE's posterior, the draw density,
    anomaly scores, PSNR curves) is the same from disk as computed, and computed only once."""
    import numpy as np

    from aecore.analysis import coding
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.library import find_model

    ae, vae, dae = (find_model(f"digits-{k}") for k in ("ae-2d", "vae-2d", "dae-2d"))
    x = load_dataset("digits").x_test
    calls = []
    real = coding.encode_array
    monkeypatch.setattr(coding, "encode_array", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    first = prepare.codes(ae.path, "digits", "test")
    again = prepare.codes(ae.path, "digits", "test")
    assert len(calls) == 1 and np.array_equal(first, again)
    assert np.allclose(again, real(load_checkpoint(ae.path).model, x))

    mu, logvar = prepare.posterior(vae.path, "digits")
    assert mu.shape == logvar.shape == (len(x), 2)
    ref = prepare.reference_codes(vae.path, "digits")  # one z ~ q(z|x) per image, not the means
    assert ref.shape == mu.shape and not np.allclose(ref, mu)
    d1, d2 = prepare.draw_density(ref), prepare.draw_density(ref)
    assert np.array_equal(d1.own_distances(), d2.own_distances()) and d1.distance_threshold() == d2.distance_threshold()

    s1 = prepare.recon_scores(
        load_checkpoint(ae.path).model, prepare.file_model_key(ae.path), "digits", "digits", 3, 100
    )
    s2 = prepare.recon_scores(None, prepare.file_model_key(ae.path), "digits", "digits", 3, 100)  # from disk
    assert all(np.array_equal(a, b) for a, b in zip(s1, s2)) and len(s1[0]) == 100 and len(s1[1]) > 0

    c1 = prepare.psnr_curve(ae.path, dae.path, "digits", "gaussian", n=50)
    c2 = prepare.psnr_curve(ae.path, dae.path, "digits", "gaussian", n=50)
    assert type(c2).__name__ == "PsnrCurve" and np.array_equal(c1.dae, c2.dae) and c2.kind == "gaussian"


def test_draw_density_refuses_foreign_distances():
    import numpy as np

    from aecore.analysis.density import NearestCodeDensity

    d = NearestCodeDensity(np.random.default_rng(0).normal(size=(50, 2)))
    with pytest.raises(ValueError):
        d.use_own_distances(np.ones(49))


def test_lecture_items_cover_the_image_pages():
    labels = {label for label, _ in prepare.lecture_items()}
    for want in (
        "codes of digits-ae-2d (test)",
        "codes of digits-vae-16d (train)",
        "draw density of digits-vae-16d",
        "anomaly scores of digits without class 3",
        "PSNR curves of digits-dae-16d, masking",
    ):
        assert want in labels, want


def test_timelapse_cache_key_follows_the_frame_schedule(monkeypatch, cache):
    """A film prepared with other frame epochs (the old "every 10 epochs") is not reused: the key
    holds the schedule, and the page's film and its live retraining film the same epochs (~0.1 s)."""
    made = []

    def fake(name, k, seed, epochs, on_progress=None):
        made.append(tuple(prepare.timelapse_epochs(epochs)))
        return {"epochs": np.asarray(made[-1])}, None

    monkeypatch.setattr(prepare, "train_timelapse", fake)
    first = prepare.timelapse("parabola", 1, 0, 400)
    prepare.timelapse("parabola", 1, 0, 400)
    assert len(made) == 1 and first[0]["epochs"].tolist() == prepare.timelapse_epochs(400)
    monkeypatch.setattr(prepare, "timelapse_epochs", lambda epochs: list(range(0, epochs + 1, 10)))
    again = prepare.timelapse("parabola", 1, 0, 400)
    assert len(made) == 2 and again[0]["epochs"].tolist() == list(range(0, 401, 10))
