"""`python -m aecore prepare`: each item is computed once, then read from disk by any process."""
import pytest

from aecore import manifold as mf
from aecore import prepare


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTLAB_CACHE", str(tmp_path))
    return tmp_path


def test_shipped_toy_model_is_the_checkpoint():
    model, source = prepare.toy_model("parabola", 1)
    assert "parabola-ae-k1" in source and model.latent_dim == 1


def test_a_toy_model_without_checkpoint_is_trained_once(monkeypatch, cache):
    calls = []
    real = mf.train_toy

    def counting(*a, **kw):
        calls.append(a)
        return real(*a, **kw)

    monkeypatch.setattr(mf, "train_toy", counting)
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
    assert len(labels) == len(set(labels))


def test_deep_vs_pca_is_kept_on_disk(cache):
    from aecore.library import find_model
    from aecore.manifold import DeepVsPCA

    entry = find_model("digits-ae-16d")  # the same computation as mnist-ae-30d's, on the small set
    first = prepare.deep_vs_pca(entry, n_show=4)
    again = prepare.deep_vs_pca(entry, n_show=4)
    assert isinstance(again, DeepVsPCA) and again.k == 16 and (again.ae_recon == first.ae_recon).all()
    assert again.ae_mean_err == first.ae_mean_err and any(p.name.startswith("deep-vs-pca-")
                                                          for p in (cache / "prepared").iterdir())
