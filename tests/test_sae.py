"""Sparse autoencoders: the model, its training (resampling, AuxK), the measures and the shipped files."""

import math

import numpy as np
import pytest
import torch

from aecore.analysis import sae as A
from aecore.analysis import words
from aecore.data.sets import is_available
from aecore.models import ConfigError, ModelConfig, build_model
from aecore.models.sae import topk_relu
from aecore.storage.saes import SAEError, load_sae, sae_path, save_sae
from aecore.training.sae import _auxk_loss, _resample, fit_sae, init_sae


def _cfg(d=16, f=64, k=4, l1=0.0):
    return ModelConfig(family="sae", input_dim=d, latent_dim=f, hidden=(), output="linear", sparsity_k=k, l1_coeff=l1)


def _sparse_data(n=3000, d=16, atoms=24, per=3, seed=0):
    """Rows that are each a non-negative sum of ``per`` of ``atoms`` unit directions (a planted dictionary)."""
    g = np.random.default_rng(seed)
    dic = g.standard_normal((atoms, d))
    dic /= np.linalg.norm(dic, axis=1, keepdims=True)
    x = np.zeros((n, d), np.float32)
    for i in range(n):
        x[i] = (g.uniform(0.5, 2.0, per)[:, None] * dic[g.choice(atoms, per, replace=False)]).sum(0)
    return x


def test_topk_relu_keeps_the_k_largest_positive_entries():
    pre = torch.tensor([[3.0, -1.0, 2.0, 0.5], [-3.0, -2.0, -1.0, 4.0]])
    out = topk_relu(pre, 2)
    assert torch.equal(out, torch.tensor([[3.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 4.0]]))  # -1 kept by TopK, ReLU'd


def test_config_needs_a_sparsity():
    with pytest.raises(ConfigError, match="sparsity_k"):
        _cfg(k=65)
    with pytest.raises(ConfigError, match="TopK"):
        _cfg(k=0, l1=0.0)
    with pytest.raises(ConfigError, match="hidden"):
        ModelConfig(family="sae", input_dim=8, latent_dim=16, hidden=(4,), output="linear", sparsity_k=2)
    assert ModelConfig.from_dict(_cfg().to_dict()) == _cfg()


def test_topk_sae_fires_at_most_k_and_decoder_columns_stay_unit():
    torch.manual_seed(0)
    m = build_model(_cfg(k=4))
    x = torch.randn(50, 16)
    out = m(x)
    assert ((out.z > 0).sum(1) <= 4).all() and float(out.parts["l0"]) <= 4
    out.loss.backward()
    m.remove_parallel_grads()
    # The gradient left on each column is orthogonal to it: a step turns it, not stretches it.
    assert torch.allclose((m.W_dec * m.W_dec.grad).sum(0), torch.zeros(64), atol=1e-6)
    with torch.no_grad():
        m.W_dec.mul_(3.0)
    m.normalize_decoder()
    assert torch.allclose(m.W_dec.norm(dim=0), torch.ones(64), atol=1e-6)


def test_l1_sae_pays_for_its_activations():
    m = build_model(_cfg(k=0, l1=0.5))
    with torch.no_grad():
        out = m(torch.randn(20, 16))
    assert "l1" in out.parts
    assert float(out.loss) == pytest.approx(float(out.parts["mse"] + 0.5 * out.parts["l1"]), rel=1e-5)


def test_fit_recovers_a_planted_sparse_code():
    x = _sparse_data()
    sae, info = fit_sae(x, _cfg(k=4), epochs=15, batch_size=128, lr=1e-2, resample_every=100)
    z, recon = A.encode_acts(sae, x)
    # 3 of 24 atoms per row, 4 features may fire: measured 0.93, where a 4-D bottleneck (PCA) explains 0.52
    assert A.fve(x, recon) > 0.85 and A.fve(x, recon) > A.pca_fve(x, x, 4) + 0.25
    assert (z > 0).sum(1).max() <= 4
    assert torch.allclose(sae.W_dec.norm(dim=0), torch.ones(64), atol=1e-5)
    assert info["steps"] == 15 * math.ceil(3000 / 128)


def test_resampling_moves_dead_features_onto_the_residual():
    x = torch.as_tensor(_sparse_data(500))
    sae = init_sae(_cfg(k=4), x)
    opt = torch.optim.Adam(sae.parameters(), lr=1e-3)
    sae(x).loss.backward()
    opt.step()
    dead = torch.zeros(64, dtype=torch.bool)
    dead[:5] = True
    before = sae.W_dec.detach().clone()
    _resample(sae, dead, x, opt, torch.Generator().manual_seed(0))
    assert not torch.allclose(sae.W_dec[:, :5], before[:, :5]) and torch.equal(sae.W_dec[:, 5:], before[:, 5:])
    assert torch.allclose(sae.W_dec[:, :5].norm(dim=0), torch.ones(5), atol=1e-5)
    assert (opt.state[sae.W_enc]["exp_avg"][:5] == 0).all()  # their optimiser moments start over


def test_auxk_loss_gives_dead_features_a_gradient():
    x = torch.as_tensor(_sparse_data(200))
    sae = init_sae(_cfg(k=2), x).train()
    dead = torch.zeros(64, dtype=torch.bool)
    dead[10:20] = True
    out = sae(x)
    _auxk_loss(sae, x, out.recon, dead).backward()
    g = sae.W_enc.grad.abs().sum(1)
    assert (g[10:20] > 0).any() and (g[~dead] == 0).all()  # only the dead ones learn from it


def test_fve_and_pca_baseline():
    g = np.random.default_rng(0)
    x = g.standard_normal((200, 6))
    assert A.fve(x, x) == pytest.approx(1.0)
    assert A.fve(x, np.broadcast_to(x.mean(0), x.shape)) == pytest.approx(0.0, abs=1e-12)
    assert A.pca_fve(x, x, 6) == pytest.approx(1.0)
    assert 0 < A.pca_fve(x, x, 2) < A.pca_fve(x, x, 4) < 1


def test_top_activating_ranks_and_marks_non_firing():
    z = np.array([[0.0, 1.0], [2.0, 0.0], [2.0, 3.0], [0.5, 0.0]], np.float32)
    idx, acts = A.top_activating(z, 3)
    assert idx[0].tolist() == [1, 2, 3] and acts[0].tolist() == [2.0, 2.0, 0.5]  # tie: lower index first
    assert idx[1].tolist() == [2, 0, -1] and acts[1][2] == 0
    labels = np.array([0, 1, 1, 1])
    assert A.class_purity(idx, labels)[0] == 1.0 and np.isnan(A.class_purity(idx, labels)[1])


def _toy_pair(seed=0):
    torch.manual_seed(seed)
    x = _sparse_data(300)
    sae = init_sae(_cfg(k=4), x)
    head = torch.nn.Linear(16, 3)
    return sae, head, x


def test_steering_at_the_own_value_gives_the_own_probabilities():
    sae, head, x = _toy_pair()
    z, _ = A.encode_acts(sae, x[:1])
    f = int(np.argmax(z[0]))
    s = A.steer(sae, head, x[0], f, float(z[0, f]))
    assert np.allclose(s.probs, s.original_probs, atol=1e-6)
    s2 = A.steer(sae, head, x[0], f, float(z[0, f]) + 5)
    d = (sae.W_dec[:, f] * sae.scale).detach().numpy()
    want = torch.softmax(head(torch.as_tensor(x[0] + 5 * d)[None]), 1)[0].detach().numpy()
    assert np.allclose(s2.probs, want, atol=1e-5)  # x + (v − z_f) d_f through the head


def test_flip_values_are_exact():
    sae, head, x = _toy_pair(1)
    for f in range(0, 64, 9):
        for target in range(3):
            v = A.flip_values(sae, head, x[:40], f, target)
            for i in np.flatnonzero(np.isfinite(v))[:5]:
                assert np.argmax(A.steer(sae, head, x[i], f, v[i] + 1e-4).probs) == target
                if v[i] > 1e-3:
                    assert np.argmax(A.steer(sae, head, x[i], f, v[i] - 1e-3).probs) != target


def test_sparse_probing_finds_a_class_carried_by_one_neuron():
    g = np.random.default_rng(0)
    n, d = 1200, 16
    y = g.integers(0, 2, n)
    x = np.abs(g.standard_normal((n, d))).astype(np.float32)
    x[:, 3] += 4 * y  # neuron 3 says the class
    sae = init_sae(_cfg(k=4), x)
    rows = A.sparse_probing(sae, x[:800], y[:800], x[800:], y[800:], 2, ks=(1, 4), seeds=(0, 1), n_train=600)
    by = {(r["basis"], r["k"]): r for r in rows}
    assert set(by) == {(b, k) for b in ("SAE features", "neurons", "random directions") for k in (1, 4)}
    assert by[("neurons", 1)]["mean"] > 0.95 and len(by[("neurons", 1)]["per_seed"]) == 2
    assert all(0 <= r["mean"] <= 1 for r in rows)


def test_sae_file_round_trip_and_refusals(tmp_path):
    sae, _, x = _toy_pair()
    p = save_sae(tmp_path / "t-sae-topk.safetensors", sae, "toy", "penultimate", {"fve": 0.5})
    back, info = load_sae(p)
    assert info == {"dataset": "toy", "layer": "penultimate", "metrics": {"fve": 0.5}}
    assert np.allclose(A.encode_acts(back, x)[1], A.encode_acts(sae, x)[1], atol=1e-6)
    from aecore.storage.artifacts import write_artifact

    bad = tmp_path / "bad.safetensors"
    state = {**sae.state_dict(), "W_dec": torch.zeros(3, 3)}
    write_artifact(bad, state, {"config": '{"family": "sae"}'}, "latent-lab-sae")
    with pytest.raises(SAEError):
        load_sae(bad)
    write_artifact(bad, sae.state_dict(), {}, "latent-lab-prior")
    with pytest.raises(SAEError, match="format"):
        load_sae(bad)


def _stats(**kw):
    base = dict(
        fve=0.97, l0=16.0, dead=0.04, dense=0.03, accuracy=0.993, spliced_accuracy=0.99, pca_fve=0.92,
        n_features=1024, width=128,
    )  # fmt: skip
    return A.SAEStats(**{**base, **kw})


def test_words_follow_the_numbers():
    text = words.sae_words(_stats(), _stats(fve=0.94, l0=24), _stats(fve=0.18), 16)
    assert "16 of its 1,024 features" in text and "97%" in text and "above a 16-D bottleneck" in text
    assert "TopK explains more" in text
    assert "below a 16-D bottleneck" in words.sae_words(_stats(pca_fve=0.99), None, _stats(fve=0.1), 16)
    rows = [
        {"basis": b, "k": k, "mean": m, "std": 0.001}
        for b, ms in (("SAE features", (0.9, 0.95)), ("neurons", (0.8, 0.949)), ("random directions", (0.7, 0.94)))
        for k, m in zip((1, 16), ms)
    ]
    t = words.probing_words(rows)
    assert "**SAE features** lead by 0.100" in t and "level within the seeds' spread" in t and "narrows" in t


@pytest.fixture(scope="module")
def mnist_layer():
    if not is_available("mnist") or not sae_path("mnist").is_file():
        pytest.skip("MNIST or its shipped SAE is not on this machine")
    from aecore.analysis.judge import judge_for

    test, y = A.layer_activations("mnist", "test")
    return test, y, judge_for("mnist").model.head


def test_the_shipped_mnist_sae_meets_the_issue(mnist_layer):
    """Measured here, on this machine's kernels: FVE ≥ 0.9 at mean L0 ≤ 32, ≤ 10 % dead features, the
    classifier within 1 point of its own accuracy on the SAE's reconstruction."""
    test, y, head = mnist_layer
    sae, _ = load_sae(sae_path("mnist"))
    s = A.sae_stats(sae, head, test[:2000], test, y)  # PCA baseline fitted on test rows: not asserted here
    assert s.fve >= 0.9 and s.l0 <= 32 and s.dead <= 0.10
    assert s.accuracy - s.spliced_accuracy <= 0.01


@pytest.mark.skipif(not is_available("mnist") or not sae_path("mnist").is_file(), reason="no MNIST or its SAE")
def test_the_sae_page_shows_aecores_numbers():
    """The page's metrics table and words are the dashboard's numbers; its card is the demo feature's."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from aecore.lecture import prepare

    dash = prepare.sae_dashboard("mnist")
    page = Path(__file__).resolve().parents[1] / "latentlab" / "ui" / "pages" / "sae.py"
    at = AppTest.from_file(str(page), default_timeout=240)
    at.query_params["sa_data"] = "mnist"
    at.run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    top = table.iloc[0]
    assert top["model"] == f"TopK SAE (k = {dash.k})"
    assert top["FVE"] == pytest.approx(dash.stats.fve, abs=0.0005) and top["mean L0"] == pytest.approx(dash.stats.l0)
    assert top["dead"] == f"{dash.stats.dead:.1%}"
    text = " ".join(m.value for m in at.markdown)
    f = dash.demo["feature"]
    assert f"**Feature #{f}** fires on **{dash.cards.freq[f]:.1%}**" in text
    assert words.sae_words(dash.stats, dash.l1_stats, dash.random_stats, dash.k) in text
    assert words.probing_words(dash.probing) in text
    assert at.number_input(key="sa_feature").value == f and at.number_input(key="sa_i").value == dash.demo["image"]
