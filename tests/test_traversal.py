"""Latent traversals (aecore.analysis.explore.latent_traversal): on the shipped 16-D MNIST VAE the
highest-KL dimension changes the picture at least 10x more than a collapsed one, and the rows say
which are collapsed."""

from __future__ import annotations

import numpy as np

from aecore.analysis import explore as E
from aecore.analysis import sampling


def test_a_collapsed_dimension_changes_nothing(data_root):
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.library import find_model

    model = load_checkpoint(find_model("mnist-vae-16d").path).model
    x = load_dataset("mnist", root=data_root).x_test[:2000]
    mu, logvar = sampling.posterior_stats(model, x)
    kl = sampling.kl_per_dimension(mu, logvar)
    tr = E.latent_traversal(model, mu[0], sampling.reference_codes(model, x), kl=kl)
    assert tr.images.shape == (16, 9, 784) and sorted(tr.dims) == list(range(16))
    assert list(tr.kl) == sorted(tr.kl, reverse=True)  # rows by decreasing KL
    assert any(tr.collapsed) and not tr.collapsed[0]
    assert tr.change[0] >= 10 * tr.change[tr.collapsed.index(True)]
    assert np.allclose(tr.offsets, np.linspace(-3, 3, 9))


def test_an_ae_traversal_keeps_the_dimension_order():
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.library import find_model

    model = load_checkpoint(find_model("digits-ae-2d").path).model
    codes = E.coding.encode_array(model, load_dataset("digits").x_test)
    tr = E.latent_traversal(model, codes[0], codes, steps=5)
    assert tr.dims == [0, 1] and tr.kl is None and tr.collapsed == [False, False]
    assert (tr.change > 0).all()
