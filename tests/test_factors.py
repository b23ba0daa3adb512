"""Known factors: the procedural sprites (aecore.data.sprites) are drawn from the factors stored with
them; β-TC-VAE's total-correlation term; each latent dimension's factor label; the shipped study on
sprites and the Disentanglement page that shows it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from aecore.analysis import factors, words
from aecore.data import sprites


def _index(*f) -> int:
    return int(np.ravel_multi_index(f, sprites.FACTOR_SIZES))


def test_each_sprite_is_drawn_from_its_factors():
    x, grid = sprites.render_all(), sprites.factor_grid()
    assert x.shape == (46080, 1024) and grid.shape == (46080, 5) and len(np.unique(grid, axis=0)) == 46080
    assert x.min() >= 0 and x.max() <= 1
    img = lambda *f: x[_index(*f)].reshape(32, 32)  # noqa: E731
    # x position: one step moves the sprite one pixel right, exactly; y position: one pixel down.
    np.testing.assert_array_equal(np.roll(img(2, 3, 1, 4, 6), 1, axis=1), img(2, 3, 1, 5, 6))
    np.testing.assert_array_equal(np.roll(img(2, 3, 1, 4, 6), 1, axis=0), img(2, 3, 1, 4, 7))
    # scale: each step covers more pixels; shape and orientation change the picture, not its place.
    area = [img(1, s, 0, 8, 8).sum() for s in range(6)]
    assert all(b > a for a, b in zip(area, area[1:], strict=False)), area
    assert not np.allclose(img(0, 5, 0, 8, 8), img(2, 5, 0, 8, 8))
    assert not np.allclose(img(2, 5, 0, 8, 8), img(2, 5, 1, 8, 8))
    # one sprite drawn alone is the grid's row of its factors
    for f in [(2, 5, 0, 7, 7), (0, 0, 3, 15, 0), (1, 2, 9, 0, 15)]:
        np.testing.assert_array_equal(sprites.render(*f), x[_index(*f)])
    # every sprite stays inside the frame: the border is black everywhere
    frame = x.reshape(-1, 32, 32)
    assert (
        frame[:, 0].max() == 0 and frame[:, -1].max() == 0 and frame[:, :, 0].max() == 0 and frame[:, :, -1].max() == 0
    )


def test_the_sprites_data_set_keeps_its_factors():
    from aecore.data.sets import dataset_kind, load_dataset

    ds = load_dataset("sprites")
    assert dataset_kind("sprites") == "image" and ds.image_shape == (1, 32, 32)
    assert len(ds.x_train) + len(ds.x_test) == 46080 and len(ds.x_test) == sprites.N_TEST
    assert ds.meta["factor_names"] == list(sprites.FACTOR_NAMES)
    assert torch.equal(ds.y_test, ds.t_test[:, 0]) and ds.class_names == list(sprites.SHAPES)
    # the stored factors are the ones each image was drawn from
    rows = ds.t_test[:50].numpy()
    idx = np.ravel_multi_index(rows.T, sprites.FACTOR_SIZES)
    np.testing.assert_array_equal(ds.x_test[:50].numpy(), sprites.render_all()[idx])
    tr, te = sprites.split_indices()
    assert not set(tr) & set(te)


def test_total_correlation_is_large_for_dependent_dimensions():
    from aecore.models.vae import total_correlation

    g = torch.Generator().manual_seed(0)
    u = torch.randn(256, 1, generator=g)
    logvar = torch.full((256, 2), -6.0)  # tight posteriors: q(z) is the batch's cloud of means
    dependent = torch.cat([u, u], 1)  # z2 = z1
    independent = torch.randn(256, 2, generator=g)
    tc_dep = total_correlation(dependent, dependent, logvar)
    tc_ind = total_correlation(independent, independent, logvar)
    assert tc_dep > tc_ind + 1.0, (tc_dep, tc_ind)


def test_beta_tc_vae_adds_beta_minus_one_tc_to_the_elbo():
    from aecore.models import build_model
    from aecore.models.base import ModelConfig
    from aecore.models.vae import total_correlation

    cfg = ModelConfig(family="tc-vae", input_dim=16, latent_dim=3, hidden=(8,), beta=6.0)
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg and cfg.is_vae
    tc_vae = build_model(cfg).train()
    vae = build_model(ModelConfig(**{**cfg.to_dict(), "family": "vae", "beta": 1.0})).train()
    vae.load_state_dict(tc_vae.state_dict())
    x = torch.rand(32, 16)
    torch.manual_seed(1)
    out = tc_vae(x)
    torch.manual_seed(1)
    ref = vae(x)  # the same draws of z: the ELBO with KL weight 1
    tc = total_correlation(ref.z, ref.mu, ref.logvar)
    assert torch.allclose(out.loss, ref.loss + 5.0 * tc, atol=1e-5)
    assert float(out.parts["tc"]) == pytest.approx(float(tc.detach()), abs=1e-5)


def test_factor_labels_name_the_factor_a_dimension_carries():
    grid = sprites.factor_grid()[::7]  # (6583, 5)
    rng = np.random.default_rng(0)
    codes = np.stack([grid[:, 3] + 0.1 * rng.normal(size=len(grid)), rng.normal(size=len(grid))], 1)
    labels = factors.factor_labels(codes, grid, sprites.FACTOR_NAMES)
    assert labels[0].factor == "x position" and labels[0].share > 0.9
    assert labels[1].factor is None and labels[1].share < factors.CARRIES
    assert labels[1].text() == "no factor" and labels[0].text().startswith("x position (0.9")


def test_a_traversal_from_the_codes_spread_equals_one_from_the_codes():
    from aecore.analysis.explore import latent_traversal
    from aecore.models import build_model
    from aecore.models.base import ModelConfig

    torch.manual_seed(0)
    model = build_model(ModelConfig(family="ae", input_dim=16, latent_dim=3, hidden=(8,))).eval()
    codes = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)
    a = latent_traversal(model, codes[0], codes, steps=5)
    b = latent_traversal(model, codes[0], None, steps=5, stats=(codes.mean(0), codes.std(0)))
    np.testing.assert_allclose(a.images, b.images, atol=1e-6)


@pytest.fixture(scope="module")
def study():
    from aecore.lecture import prepare

    return prepare.factor_study()


def test_the_study_has_every_objective_and_seed(study):
    assert [(r.objective, r.seed) for r in study.rows] == [(o, s) for o in factors.OBJECTIVES for s in factors.SEEDS]
    for r in study.rows:
        assert r.mi.shape == (factors.K, 5) and 0 <= r.mig <= 1 and 0 <= r.factor_vae <= 1
    rows = factors.summary(study)
    print(
        "\n"
        + "\n".join(
            f"{r['label']}: " + ", ".join(f"{m} {r[m][0]:.3f}±{r[m][1]:.3f}" for m in factors.METRICS) for r in rows
        )
    )
    by = {r["objective"]: r for r in rows}
    # The question, as measured on the shipped models: β-TC-VAE or β-VAE above the plain AE on MIG.
    assert max(by["tc-vae"]["mig"][0], by["beta-vae"]["mig"][0]) > by["ae"]["mig"][0]


def test_the_disentanglement_page_shows_the_study(study):
    from streamlit.testing.v1 import AppTest

    page = Path(__file__).resolve().parents[1] / "latentlab" / "ui" / "pages" / "factors.py"
    at = AppTest.from_file(str(page), default_timeout=240)
    at.query_params["fx_objective"] = "beta-vae"
    at.query_params["fx_seed"] = "1"
    at.run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    rows = factors.summary(study)
    assert list(table["objective"]) == [r["label"] for r in rows]
    for (_, shown), r in zip(table.iterrows(), rows, strict=True):
        assert shown["MIG"] == f"{r['mig'][0]:.3f} ± {r['mig'][1]:.3f}"
        assert shown["DCI C"] == f"{r['dci_c'][0]:.3f} ± {r['dci_c'][1]:.3f}"
        assert shown["FactorVAE"] == f"{r['factor_vae'][0]:.3f} ± {r['factor_vae'][1]:.3f}"
    text = " ".join(m.value for m in at.markdown)
    assert words.study_words(rows) in text
    row = study.row("beta-vae", 1)
    assert f"MIG {row.mig:.3f}" in text and "`sprites-beta-vae-10d-s1`" in text


def test_study_words_follow_the_numbers():
    def row(o, label, vals):
        v = np.array(vals)
        return {"objective": o, "label": label + " (β)", "short": label, "mig": (v.mean(), v.std(), v.min(), v.max())}

    text = words.study_words([row("ae", "AE", [0.05, 0.06, 0.07]), row("tc-vae", "β-TC-VAE", [0.1, 0.3, 0.2])])
    assert text.startswith("Mean MIG over the seeds: β-TC-VAE 0.200")
    assert "β-TC-VAE is **above** the plain AE" in text
    assert "up to 0.200 (β-TC-VAE: 0.100 to 0.300), **more than** the 0.140" in text
    text = words.study_words([row("ae", "AE", [0.3, 0.3, 0.3]), row("beta-vae", "β-VAE", [0.1, 0.11, 0.12])])
    assert "β-VAE is **below** the plain AE" in text and "**less than**" in text


def test_an_ae_trained_live_on_sprites_draws_them_instead_of_the_mean_image():
    """The Train page's AE on sprites minimises binary cross-entropy (recipes.live_recon_loss): a few short
    epochs draw the sprites far better than their mean image does (with squared error and this rate the
    same AE collapses onto the mean image at epoch 1: the trainer stops it, measured)."""
    from aecore.data.sets import load_dataset
    from aecore.training.fit import TrainConfig
    from aecore.training.recipes import Recipe, live_recon_loss, train_recipe

    assert live_recon_loss("sprites", "ae") == "bce" and live_recon_loss("mnist", "ae") == "mse"
    assert live_recon_loss("sprites", "vae") == "mse" and live_recon_loss("sprites", "linear-ae") == "mse"
    ds = load_dataset("sprites")
    sub = type(ds)(**{**ds.__dict__, "x_train": ds.x_train[:6000], "y_train": ds.y_train[:6000]})
    recipe = Recipe(
        dataset="sprites",
        model="ae",
        latent_dim=10,
        hidden=(128,),
        recon_loss=live_recon_loss("sprites", "ae"),
        train=TrainConfig(epochs=3, batch_size=64, lr=3e-3, seed=0),
    )
    mse = train_recipe(recipe, dataset=sub).metrics["test_mse"]
    mean_image = float(((ds.x_test - sub.x_train.mean(0)) ** 2).mean())
    assert mse < 0.5 * mean_image, (mse, mean_image)


def test_the_explorers_traversal_rows_name_their_factor(tmp_path, monkeypatch):
    """On a model of a data set with known factors, each traversal row says which factor its dimension
    carries (aecore's factor_labels on the plane's split); on MNIST no row does."""
    from streamlit.testing.v1 import AppTest

    from aecore.analysis.coding import encode_array
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.library import find_model

    monkeypatch.setenv("LATENTLAB_CACHE", str(tmp_path / "cache"))
    name = factors.model_name("tc-vae", 0)
    ds = load_dataset("sprites")
    codes = encode_array(load_checkpoint(find_model(name).path).model, ds.x_test)
    labels = factors.factor_labels(codes, ds.t_test.numpy(), ds.meta["factor_names"])
    page = Path(__file__).resolve().parents[1] / "latentlab" / "ui" / "pages" / "explorer.py"
    at = AppTest.from_file(str(page), default_timeout=240)
    at.query_params["ex_model"] = name
    at.run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    for lab in labels:
        assert f"**z{lab.dim + 1}**  \ncarries {lab.text()}" in text, lab
    assert any(lab.factor == "x position" for lab in labels) and any(lab.factor == "y position" for lab in labels)
