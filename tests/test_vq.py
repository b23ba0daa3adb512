"""Discrete codes: the VQ-VAE (aecore.models.vq), its codebook's use (aecore.analysis.discrete), its
decoder in the browser's format, and the shipped models' acceptance numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aecore.analysis.discrete import code_patches, codebook_use, perplexity
from aecore.data.sets import is_available, load_dataset
from aecore.models import ConfigError, ModelConfig, build_model
from aecore.storage.checkpoint import load_checkpoint, save_checkpoint
from latentlab.server.export import decoder_arrays


def _cfg(k: int = 8, dim: int = 3) -> ModelConfig:
    # 8×8 images (the digits' size): a 2×2 grid of codes.
    return ModelConfig(
        family="vq-vae", input_dim=64, latent_dim=dim * 4, hidden=(8, 16), image_shape=(1, 8, 8), codebook_size=k
    )


def _blobs(n: int = 256, seed: int = 0) -> torch.Tensor:
    """Images with a bright square in one of the four quadrants (four kinds of cell content)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, 8, 8, generator=g) * 0.1
    q = torch.randint(0, 4, (n,), generator=g)
    for i in range(n):
        r, c = divmod(int(q[i]), 2)
        x[i, 0, 4 * r : 4 * r + 4, 4 * c : 4 * c + 4] += 0.8
    return x.reshape(n, 64)


def test_config_refuses_a_grid_that_does_not_divide_or_no_codebook():
    with pytest.raises(ConfigError, match="code_dim"):
        ModelConfig(family="vq-vae", input_dim=64, latent_dim=5, image_shape=(1, 8, 8), codebook_size=8)
    with pytest.raises(ConfigError, match="codebook_size"):
        ModelConfig(family="vq-vae", input_dim=64, latent_dim=12, image_shape=(1, 8, 8))
    with pytest.raises(ConfigError, match="image_shape"):
        ModelConfig(family="vq-vae", input_dim=64, latent_dim=12, codebook_size=8)
    assert ModelConfig.from_dict(_cfg().to_dict()) == _cfg()


def test_the_code_is_a_grid_of_codebook_vectors_and_training_keeps_the_codebook_in_use():
    torch.manual_seed(0)
    m = build_model(_cfg())
    x = _blobs()
    opt = torch.optim.Adam(m.parameters(), 3e-3)
    first = None
    for _ in range(150):
        out = m(x)
        opt.zero_grad()
        out.loss.backward()
        opt.step()
        first = first if first is not None else float(out.parts["mse"])
    m.eval()
    idx = m.code_indices(x)  # (N, 2, 2)
    assert idx.shape == (256, 2, 2) and idx.dtype == torch.int64
    z = m.encode(x)  # (N, 12): each cell's vector is a row of the codebook, channel-first
    cells = z.reshape(256, 3, 2, 2).permute(0, 2, 3, 1).reshape(-1, 3)
    assert torch.equal(cells, m.codebook[idx.reshape(-1)])
    assert torch.allclose(m.decode(z), m.decode_indices(idx))
    assert float(out.parts["mse"]) < 0.5 * first  # it learned
    # EMA + restarts: more than one code in use (a collapsed codebook would use one).
    assert len(torch.unique(idx)) >= 3


def test_a_vq_checkpoint_round_trips_with_its_codebook(tmp_path):
    torch.manual_seed(1)
    m = build_model(_cfg())
    m.train()
    m(_blobs())  # initialises the codebook from encoder outputs
    m.eval()
    p = save_checkpoint(tmp_path / "vq", m, "digits")
    back = load_checkpoint(p).model
    x = _blobs(32, seed=5)
    assert torch.equal(back.code_indices(x), m.code_indices(x))
    assert torch.allclose(back.decode(back.encode(x)), m.decode(m.encode(x)), atol=1e-6)


def test_the_decoder_exports_for_the_browser_starting_at_the_grid():
    m = build_model(_cfg())
    manifest, blob = decoder_arrays(m)
    assert manifest["latent_dim"] == 12 and manifest["output_dim"] == 64
    assert [L["type"] for L in manifest["layers"]] == ["convT", "convT", "convT"]
    assert manifest["layers"][0]["in_shape"] == [3, 2, 2]
    assert len(blob) == 4 * manifest["n_floats"]


def test_perplexity_and_average_patches():
    assert perplexity(np.array([5, 5, 5, 5])) == pytest.approx(4.0)
    assert perplexity(np.array([9, 0, 0, 0])) == pytest.approx(1.0)
    assert 1 < perplexity(np.array([6, 2, 1, 1])) < 4
    # Two 4×4 images, 2×2 grids of 2×2 cells: code 1 wherever a cell is all ones.
    x = np.zeros((2, 1, 4, 4))
    x[0, 0, :2, :2] = 1
    x[1, 0, 2:, 2:] = 1
    idx = np.zeros((2, 2, 2), np.int64)
    idx[0, 0, 0] = idx[1, 1, 1] = 1
    patches = code_patches(x.reshape(2, 16), idx, (1, 4, 4), 3, margin=0)
    assert patches.shape == (3, 2, 2)
    assert np.allclose(patches[1], 1) and np.allclose(patches[0], 0) and np.allclose(patches[2], 0)


SHIPPED = [d for d in ("mnist", "fashion-mnist") if is_available(d)]


@pytest.mark.parametrize("data", SHIPPED)
def test_shipped_vq_vae_beats_the_16d_ae_and_uses_its_codebook(data):
    """The issue's acceptance: test MSE per pixel ≤ the 16-D AE's; perplexity ≥ half the codebook."""
    from aecore.storage.library import find_model

    vq = load_checkpoint(find_model(f"{data}-vq-vae").path)
    ae_mse = find_model(f"{data}-ae-16d").test_mse
    x = load_dataset(data).split("test")[0]
    with torch.no_grad():
        mse = float(((vq.model.decode(vq.model.encode(x)) - x) ** 2).mean())
    assert mse == pytest.approx(vq.metrics["test_mse"], rel=1e-3)
    assert mse <= ae_mse
    use = codebook_use(vq.model, x)
    assert use.perplexity >= 0.5 * use.size
