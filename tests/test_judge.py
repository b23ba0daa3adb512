"""The judge of pictures: a Fréchet distance in a classifier's features, class coverage, the
classifier's file and its training (tiny fixtures), and the shipped judges' accuracy."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from aecore.analysis.judge import N_JUDGED, class_coverage, frechet_distance, frechet_from_stats, gaussian_stats
from aecore.data.dataset import Dataset
from aecore.models.classifier import ClassifierConfig, ConvClassifier
from aecore.storage.judges import JudgeError, judge_path, load_judge, save_judge


def test_fd_of_two_gaussians_is_the_closed_form():
    # 1-D: (μ₁ − μ₂)² + σ₁² + σ₂² − 2σ₁σ₂ = 9 + 1 + 4 − 4 = 10.
    one = frechet_from_stats(np.array([0.0]), np.array([[1.0]]), np.array([3.0]), np.array([[4.0]]))
    assert one == pytest.approx(10.0, abs=1e-9)
    # Commuting (diagonal) covariances: Σ (μ₁ᵢ − μ₂ᵢ)² + (σ₁ᵢ − σ₂ᵢ)².
    mu1, mu2 = np.array([1.0, -2.0, 0.5]), np.array([0.0, 0.0, 0.5])
    s1, s2 = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 0.5])
    want = ((mu1 - mu2) ** 2).sum() + ((s1 - s2) ** 2).sum()
    assert frechet_from_stats(mu1, np.diag(s1**2), mu2, np.diag(s2**2)) == pytest.approx(want, abs=1e-9)
    # Non-commuting covariances: against the matrix square root written out (2×2, by hand).
    c1, c2 = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([[1.0, -0.3], [-0.3, 0.5]])
    w, v = np.linalg.eig(c1 @ c2)  # tr((Σ₁Σ₂)^½) = Σ √λ of Σ₁Σ₂ (its eigenvalues are real and ≥ 0)
    want = np.trace(c1) + np.trace(c2) - 2 * np.sqrt(w.real).sum()
    assert frechet_from_stats(np.zeros(2), c1, np.zeros(2), c2) == pytest.approx(want, abs=1e-9)


def test_fd_is_zero_for_a_set_against_itself_and_grows_with_a_shift():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2000, 8))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    same = frechet_distance(a, rng.normal(size=(2000, 8)))  # another draw: small, not 0
    shifted = frechet_distance(a, rng.normal(size=(2000, 8)) + 1.0)  # 8 dims × 1² = 8
    assert same < 0.1 and shifted == pytest.approx(8.0, rel=0.1)


def test_coverage_is_log_c_when_even_and_zero_for_one_class():
    even = class_coverage(np.arange(1000) % 10, 10)
    assert even.entropy == pytest.approx(math.log(10)) and even.evenness == pytest.approx(1.0)
    assert class_coverage(np.full(50, 3), 10).entropy == 0.0
    half = class_coverage(np.array([0, 1] * 10), 4)  # two of four classes: log 2
    assert half.entropy == pytest.approx(math.log(2)) and half.histogram.tolist() == [0.5, 0.5, 0, 0]
    with pytest.raises(ValueError):
        gaussian_stats(np.zeros((1, 3)))


def test_classifier_config_round_trips_and_refuses_shapes_it_cannot_pool():
    c = ClassifierConfig((1, 8, 8), 3, (4, 8), 16)
    assert ClassifierConfig.from_dict(c.to_dict()) == c
    for bad in (dict(image_shape=(1, 6, 6)), dict(n_classes=1), dict(channels=(4,))):
        with pytest.raises(ValueError):
            ClassifierConfig(**bad)
    with pytest.raises(ValueError, match="unknown"):
        ClassifierConfig.from_dict({**c.to_dict(), "code": "import os"})


def _stripes(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """8×8 pictures of three classes: a bright row, a bright column, or a bright diagonal, in noise."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    x = 0.2 * torch.rand(n, 8, 8, generator=g)
    pos = torch.randint(0, 8, (n,), generator=g)
    for i in range(n):
        if y[i] == 0:
            x[i, pos[i], :] = 1.0
        elif y[i] == 1:
            x[i, :, pos[i]] = 1.0
        else:
            x[i].fill_diagonal_(1.0)
    return x.reshape(n, 64), y


def _stripes_set() -> Dataset:
    (xtr, ytr), (xte, yte) = _stripes(300, 0), _stripes(90, 1)
    return Dataset("stripes", "image", xtr, ytr, xte, yte, ["row", "column", "diagonal"], (1, 8, 8))


def test_a_judge_trains_saves_and_loads_without_running_code(tmp_path):
    from aecore.training.judge import train_classifier

    model, metrics = train_classifier(_stripes_set(), epochs=30, batch_size=32, seed=0)
    assert metrics["test_accuracy"] >= 0.95 and metrics["epochs"] == 30
    path = save_judge(tmp_path / "stripes-judge.safetensors", model, "stripes", metrics)
    back, info = load_judge(path)
    assert info["dataset"] == "stripes" and info["config"] == model.config
    assert info["metrics"]["test_accuracy"] == metrics["test_accuracy"]
    x = _stripes(30, 2)[0]
    with torch.no_grad():  # float16 weights: the same calls
        assert torch.equal(back(x).argmax(1), model(x).argmax(1))


def test_files_that_are_not_judges_are_refused(tmp_path):
    from safetensors.torch import save

    model = ConvClassifier(ClassifierConfig((1, 8, 8), 3, (4, 8), 16))
    good = save_judge(tmp_path / "good.safetensors", model, "stripes").read_bytes()
    cases = {
        "not-a-judge": save({"w": torch.zeros(2)}, metadata={"format": "latent-lab-checkpoint"}),
        "garbage": b"\x00" * 100,
        "truncated": good[: len(good) // 2],
        # The config says 16 features; the tensors were made for 32.
        "mismatch": save(
            {
                k: v.contiguous()
                for k, v in ConvClassifier(ClassifierConfig((1, 8, 8), 3, (4, 8), 32)).state_dict().items()
            },
            metadata={
                "format": "latent-lab-judge",
                "config": '{"image_shape": [1, 8, 8], "n_classes": 3, "channels": [4, 8], "features": 16}',
            },
        ),
    }
    for name, data in cases.items():
        p = tmp_path / f"{name}.safetensors"
        p.write_bytes(data)
        with pytest.raises(JudgeError):
            load_judge(p)


def test_the_library_never_lists_a_judge():
    from aecore.storage.library import list_models

    assert not [e.name for e in list_models() if "judge" in e.name]


@pytest.mark.parametrize("dataset,floor", [("mnist", 0.99), ("fashion-mnist", 0.90), ("digits", 0.95)])
def test_shipped_judges_are_accurate_and_their_fd_tells_digits_from_noise(dataset, floor):
    from aecore.analysis.judge import Judge
    from aecore.data.sets import is_available, load_dataset

    if not is_available(dataset):
        pytest.skip(f"{dataset} is not in $AECORE_DATA")
    model, info = load_judge(judge_path(dataset))
    x, y = load_dataset(dataset).split("test")
    x = x.numpy()[:N_JUDGED]
    judge = Judge(model, dataset)
    f = judge.features(x)  # (N, F): one pass over the test set, used for every check below
    with torch.no_grad():
        called = model.head(torch.as_tensor(f)).argmax(1).numpy()
    assert float((called == y.numpy()[: len(x)]).mean()) >= floor
    assert frechet_distance(f, f) == pytest.approx(0.0, abs=1e-6)
    half = len(x) // 2
    between_halves = frechet_distance(f[:half], f[half:])
    judge = Judge(model, dataset, reference=gaussian_stats(f))
    noise = judge.judge(np.random.default_rng(0).random(x.shape, dtype=np.float32), x)
    assert noise.fd > 20 * between_halves  # noise ≫ real pictures
    assert class_coverage(called, 10).evenness > 0.95 > noise.coverage.evenness


def test_the_prior_tables_words_follow_its_numbers():
    from aecore.analysis.words import prior_table_words

    rows = [
        {"label": "AE + N(0, I)", "fd": 40.0},
        {"label": "AE + mixture prior", "fd": 12.0},
        {"label": "AE + flow prior", "fd": 8.0},
        {"label": "VAE + N(0, I)", "fd": 10.0},
    ]
    text = prior_table_words(rows)
    assert "flow prior learned" in text and "5.0× closer" in text and "closer than the VAE's own draws" in text
    rows[3]["fd"] = 6.0  # the VAE's draws are the closest: said first, and the flow is "not as close as" them
    text = prior_table_words(rows)
    assert text.startswith("**Closest to the test set:** VAE + N(0, I)") and "not as close as the VAE's" in text
    rows[1]["fd"], rows[2]["fd"] = 7.0, 9.0  # the mixture is the AE's best now
    assert "with mixture prior learned" in prior_table_words(rows)
    rows[1]["fd"] = rows[2]["fd"] = 45.0  # learning made it worse: said, no "closer"
    assert "No prior learned" in prior_table_words(rows) and "× closer" not in prior_table_words(rows)


def test_everything_shipped_in_checkpoints_stays_under_90_mb():
    """Models, judges and priors travel with every clone (and a wheel): their total is capped. 80 MB
    until the sprites study's 12 models (14.4 MB) came; 90 MB leaves a wheel that carries them, the
    code and the static files under PyPI's default 100 MB per file."""
    from aecore.storage.library import SHIPPED_DIR

    total = sum(p.stat().st_size for p in SHIPPED_DIR.rglob("*") if p.is_file())
    assert 10e6 < total <= 90e6, f"{total / 1e6:.1f} MB"
