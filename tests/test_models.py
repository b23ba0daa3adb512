import pytest
import torch

from aecore.data.corrupt import CORRUPTIONS, corrupt
from aecore.data.sets import load_dataset
from aecore.models import REGISTRY, ConfigError, ModelConfig, build_model, config_for, kl_per_dim


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def _config(digits, family: str, k: int):
    """``family`` on the digits with a k-number code; a VQ-VAE's code is a 2×2 grid of k-D vectors."""
    if family == "vq-vae":
        return config_for(digits, family, 4 * k, codebook_size=8)
    return config_for(digits, family, k)


#: Every family this project trains (an imported ONNX model has no config-only build: test_onnx_import.py).
TRAINED = sorted(n for n, c in REGISTRY.items() if c.trains_on != "elsewhere")


@pytest.mark.parametrize("family", TRAINED)
def test_shapes_and_interface(family, digits):
    m = build_model(_config(digits, family, 3))
    k = m.latent_dim
    x = digits.x_train[:7]
    out = m(x)
    assert out.recon.shape == (7, 64) and out.z.shape == (7, k) and out.loss.ndim == 0
    assert m.encode(x).shape == (7, k) and m.decode(torch.zeros(5, k)).shape == (5, 64)
    assert "mse" in out.parts
    if m.variational:
        assert out.mu.shape == (7, 3) and out.logvar.shape == (7, 3) and {"nll", "kl"} <= set(out.parts)
        m.eval()
        assert torch.equal(m.encode(x), m(x).mu)  # encode returns the posterior mean


@pytest.mark.parametrize("family", TRAINED)
def test_one_step_changes_weights(family, digits):
    torch.manual_seed(0)
    m = build_model(_config(digits, family, 2))
    before = {k: v.detach().clone() for k, v in m.named_parameters()}
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    m(digits.x_train[:32]).loss.backward()
    opt.step()
    changed = [k for k, v in m.named_parameters() if not torch.equal(v, before[k])]
    assert len(changed) == len(before)  # every parameter tensor moved (buffers, e.g. an SAE's scale, are not)


def test_linear_ae_has_no_nonlinearity(digits):
    m = build_model(config_for(digits, "linear-ae", 2))
    z1, z2 = torch.randn(1, 2), torch.randn(1, 2)
    # decode is affine: g(a z1 + (1-a) z2) = a g(z1) + (1-a) g(z2)
    mid = m.decode(0.3 * z1 + 0.7 * z2)
    assert torch.allclose(mid, 0.3 * m.decode(z1) + 0.7 * m.decode(z2), atol=1e-5)


def test_config_round_trip_and_validation():
    c = ModelConfig(family="conv-vae", input_dim=784, latent_dim=4, hidden=(16, 32), image_shape=(1, 28, 28), beta=2.0)
    assert ModelConfig.from_dict(c.to_dict()) == c
    with pytest.raises(ConfigError, match="unknown keys"):
        ModelConfig.from_dict({**c.to_dict(), "evil": 1})
    with pytest.raises(ConfigError, match="latent_dim"):
        ModelConfig.from_dict({**c.to_dict(), "latent_dim": -2})
    with pytest.raises(ConfigError, match="family"):
        ModelConfig(family="gan")
    with pytest.raises(ConfigError, match="image_shape"):
        ModelConfig(family="conv-ae", input_dim=64, image_shape=(1, 8, 9))


def test_kl_per_dim_closed_form():
    mu = torch.tensor([[0.0, 1.0, -2.0]])
    logvar = torch.tensor([[0.0, 0.0, 1.0]])
    # KL(N(mu, s^2) || N(0,1)) = (mu^2 + s^2 - 1 - ln s^2) / 2
    expected = torch.tensor([[0.0, 0.5, 0.5 * (4 + torch.e - 1 - 1)]])
    assert torch.allclose(kl_per_dim(mu, logvar), expected, atol=1e-6)


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_corruptions(kind, digits):
    x = digits.x_test[:50]
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    a, b = corrupt(x, kind, 0.3, g1), corrupt(x, kind, 0.3, g2)
    assert torch.equal(a, b)  # seeded
    assert not torch.equal(a, x) and a.shape == x.shape
    assert 0 <= a.min() and a.max() <= 1
    assert torch.equal(corrupt(x, kind, 0.0, torch.Generator().manual_seed(0)), x)  # level 0 is identity
    frac_changed = (a != x).float().mean()
    assert frac_changed > 0.05
    with pytest.raises(KeyError):
        corrupt(x, "blur", 0.1)


def test_bce_recon_loss_trains_on_logits_and_reports_mse():
    """recon_loss='bce': the loss is binary cross-entropy on the logits; the MSE is still a part
    (the comparable metric), and the config round-trips and refuses a non-sigmoid output."""
    import torch.nn.functional as F

    from aecore.models import ConfigError, ModelConfig, build_model

    cfg = ModelConfig(family="ae", input_dim=6, latent_dim=2, hidden=(8,), recon_loss="bce")
    assert ModelConfig.from_dict(cfg.to_dict()).recon_loss == "bce"
    m = build_model(cfg)
    x = torch.rand(5, 6)
    out = m(x)
    logits = m.decode_logits(m.encode(x))
    assert torch.allclose(out.loss, F.binary_cross_entropy_with_logits(logits, x))
    assert torch.allclose(out.parts["mse"], F.mse_loss(torch.sigmoid(logits), x))
    assert torch.allclose(out.recon, m.decode(m.encode(x)))
    with pytest.raises(ConfigError):
        ModelConfig(family="ae", input_dim=6, latent_dim=2, output="linear", recon_loss="bce")
    assert ModelConfig.from_dict({k: v for k, v in cfg.to_dict().items() if k != "recon_loss"}).recon_loss == "mse"
