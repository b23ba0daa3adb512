"""2-D projections of k > 2 codes and their inverses: PCA's round trip is exact, UMAP's inverse
lands near the training codes, and both survive the on-disk cache (npz, no pickles)."""

from __future__ import annotations

import numpy as np
import pytest

from aecore.analysis import coding
from aecore.analysis import projection as P
from aecore.training.fit import TrainConfig
from aecore.training.recipes import Recipe, train_recipe


@pytest.fixture(scope="module")
def k3_codes() -> np.ndarray:
    """Codes (1437, 3) of a tiny k = 3 AE trained for a few seconds on the 8×8 digits."""
    r = Recipe(dataset="digits", model="ae", latent_dim=3, hidden=(64,), train=TrainConfig(epochs=4, seed=0))
    tm = train_recipe(r)
    return coding.encode_array(tm.model, tm.dataset.x_train)


def test_pca_round_trip_is_exact_on_trained_codes(k3_codes):
    p = P.fit_projection(k3_codes, "pca")
    assert p.method == "pca" and p.k == 3 and not p.exact
    assert p.embedding.shape == (len(k3_codes), 2)
    assert np.allclose(p.components @ p.components.T, np.eye(2), atol=1e-10)  # orthonormal axes
    # plane → z → plane is the identity: a click maps to a z that projects exactly onto the click.
    q = np.random.default_rng(0).normal(0, 3, (50, 2))
    assert np.allclose(p.transform(p.inverse(q)), q, atol=1e-4)
    # z → plane → z is exact for codes on the PCA plane, and only loses the third axis otherwise.
    on_plane = p.inverse(p.embedding[:20])
    assert np.allclose(p.inverse(p.transform(on_plane)), on_plane, atol=1e-4)
    resid = k3_codes - p.inverse(p.embedding)
    third = np.linalg.svd(k3_codes - k3_codes.mean(0), full_matrices=False)[2][2]
    assert np.allclose(np.abs(resid @ third), np.linalg.norm(resid, axis=1), rtol=1e-3, atol=1e-4)
    assert 0.5 < p.explained.sum() <= 1.0


def test_identity_and_pad_for_small_k():
    z2 = np.random.default_rng(0).normal(size=(10, 2)).astype(np.float32)
    p = P.fit_projection(z2)
    assert p.method == "identity" and p.exact and np.array_equal(p.inverse(p.transform(z2)), z2)
    z1 = z2[:, :1]
    p1 = P.fit_projection(z1)
    assert p1.method == "pad" and p1.embedding.shape == (10, 2) and np.allclose(p1.embedding[:, 1], 0)
    assert np.array_equal(p1.inverse(p1.embedding), z1)
    with pytest.raises(ValueError, match="method"):
        P.fit_projection(np.zeros((5, 3)), "tsne")


def test_projection_cache_is_keyed_by_checkpoint_content(tmp_path, k3_codes, monkeypatch):
    ck = tmp_path / "m.safetensors"
    ck.write_bytes(b"weights v1")
    p1 = P.cached_projection(k3_codes, "pca", ck, "train", folder=tmp_path)
    path = P.cache_path(ck, "train", "pca", tmp_path)
    assert path.exists() and path.suffix == ".npz"
    np.load(path, allow_pickle=False)  # no pickles in the cache

    def boom(*a, **k):
        raise AssertionError("refitted although cached")

    monkeypatch.setattr(P, "fit_projection", boom)
    p2 = P.cached_projection(k3_codes, "pca", ck, "train", folder=tmp_path)
    assert np.allclose(p2.embedding, p1.embedding) and np.allclose(p2.components, p1.components)
    monkeypatch.undo()
    # A retrained model (new file content) gets a new key; a broken cache file is refitted.
    ck.write_bytes(b"weights v2")
    assert P.cache_path(ck, "train", "pca", tmp_path) != path
    bad = P.cache_path(ck, "train", "pca", tmp_path)
    bad.write_bytes(b"not an npz")
    msgs = []
    p3 = P.cached_projection(k3_codes, "pca", ck, "train", folder=tmp_path, progress=msgs.append)
    assert np.allclose(p3.embedding, p1.embedding) and msgs and "PCA" in msgs[0]


def test_umap_inverse_lands_near_training_codes_and_survives_the_cache(tmp_path, k3_codes):
    """One UMAP test only: it pays ~60 s of numba compilation."""
    codes = k3_codes[:600]
    ck = tmp_path / "m.safetensors"
    ck.write_bytes(b"k3 model")
    p = P.cached_projection(codes, "umap", ck, "test", folder=tmp_path)
    assert p.method == "umap" and p.embedding.shape == (600, 2) and not p.exact
    spread = np.linalg.norm(codes - codes.mean(0), axis=1).mean()  # a typical distance scale

    def gap_to_training_codes(z):
        return np.sqrt(((z[:, None, :] - codes[None]) ** 2).sum(-1)).min(1)

    # Clicks on embedded training points map back near the training codes.
    idx = np.arange(0, 600, 40)
    z_back = p.inverse(p.embedding[idx])
    assert z_back.shape == (len(idx), 3)
    assert gap_to_training_codes(z_back).mean() < 0.2 * spread
    assert np.linalg.norm(z_back - codes[idx], axis=1).mean() < 0.5 * spread
    # Reloaded from the npz cache (no pickle, no refit), the inverse still works the same way.
    q = P.load_projection(P.cache_path(ck, "test", "umap", tmp_path))
    assert q.extra.get("from_cache") and np.allclose(q.embedding, p.embedding)
    z_back2 = q.inverse(p.embedding[idx])
    assert gap_to_training_codes(z_back2).mean() < 0.2 * spread
    assert np.allclose(z_back2, z_back, atol=0.05 * spread)
