import math

import pytest
import torch

from aecore.data.sets import load_dataset
from aecore.models import build_model, config_for
from aecore.training.fit import Progress, TrainConfig, TrainingDiverged, TrainingStopped, fit


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def _train(ds, seed=0, **kw):
    m = build_model(config_for(ds, "ae", 2, hidden=(32,)))
    cfg = TrainConfig(epochs=kw.pop("epochs", 3), batch_size=128, seed=seed, **kw)
    return fit(m, ds.x_train, cfg)


def test_same_seed_same_weights(digits):
    a, b, c = _train(digits, 0), _train(digits, 0), _train(digits, 1)
    sa, sb, sc = a.model.state_dict(), b.model.state_dict(), c.model.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)


def test_loss_decreases_and_history_has_validation(digits):
    r = _train(digits, epochs=8, lr=3e-3)
    h = r.history
    assert len(h) == 8 and all("val_loss" in e for e in h)
    assert h[-1]["train_loss"] < 0.8 * h[0]["train_loss"]
    assert r.best_val_loss == min(e["val_loss"] for e in h)


def test_progress_callback_and_stop_keeps_best(digits):
    seen: list[Progress] = []

    def cb(p: Progress):
        seen.append(p)
        if p.epoch == 2:
            raise TrainingStopped

    m = build_model(config_for(digits, "ae", 2, hidden=(32,)))
    r = fit(m, digits.x_train, TrainConfig(epochs=10, batch_size=256), callbacks=[cb])
    assert r.stopped_early and len(r.history) == 2 and [p.epoch for p in seen] == [1, 2]
    assert 0 < seen[-1].fraction < 1


def test_nan_stops_with_clear_error(digits):
    with pytest.raises(TrainingDiverged, match="learning rate"):
        _train(digits, lr=1e6, epochs=5)  # a dead network: "collapsed"
    m = build_model(config_for(digits, "vae", 2, hidden=(32,)))
    with pytest.raises(TrainingDiverged, match="exploded"):
        fit(m, digits.x_train, TrainConfig(epochs=3, lr=10.0, batch_size=128))
    x = digits.x_train.clone()
    x[3, 5] = math.nan
    m = build_model(config_for(digits, "ae", 2, hidden=(16,)))
    with pytest.raises(TrainingDiverged, match="Nothing was saved"):
        fit(m, x, TrainConfig(epochs=1, batch_size=2000, val_fraction=0.0))


def test_denoising_training_uses_corruption(digits):
    clean = _train(digits, seed=0)
    noisy = _train(digits, seed=0, corruption="masking", corruption_level=0.5)
    assert not torch.equal(clean.model.state_dict()["encoder.0.weight"], noisy.model.state_dict()["encoder.0.weight"])
    with pytest.raises(ValueError, match="unknown corruption"):
        TrainConfig(corruption="blur")


def test_train_config_round_trip():
    c = TrainConfig(epochs=3, corruption="gaussian", corruption_level=0.2)
    assert TrainConfig.from_dict(c.to_dict()) == c
    with pytest.raises(ValueError, match="unknown"):
        TrainConfig.from_dict({"epochs": 2, "bogus": 1})


def test_schedules_warm_up_and_decay_to_zero():
    from aecore.training.fit import lr_factor

    n = 1000
    assert [lr_factor("constant", s, n) for s in (0, 500, 999)] == [1.0, 1.0, 1.0]
    cos = [lr_factor("cosine", s, n) for s in range(n + 1)]
    assert cos[0] == 1.0 and cos[-1] == pytest.approx(0.0, abs=1e-12)
    assert all(a >= b for a, b in zip(cos, cos[1:]))  # never rises: no late jump can undo the end
    one = [lr_factor("onecycle", s, n) for s in range(n + 1)]
    peak = max(range(n + 1), key=one.__getitem__)
    assert one[0] < 0.1 and one[peak] == pytest.approx(1.0) and 0.1 * n <= peak <= 0.2 * n
    assert one[-1] == pytest.approx(0.0, abs=1e-12)
    assert all(a <= b for a, b in zip(one[:peak], one[1 : peak + 1]))


def test_schedule_sets_the_optimiser_rate(digits):
    rates = []  # the rate of every optimiser step, read by wrapping the optimiser fit builds
    import aecore.training.fit as tr

    real = tr._adam

    def spy(model, cfg, device):
        opt = real(model, cfg, device)
        step = opt.step

        def logged(*a, **k):
            rates.append(opt.param_groups[0]["lr"])
            return step(*a, **k)

        opt.step = logged
        return opt

    tr._adam = spy
    try:
        _train(digits, epochs=2, lr=1e-2, schedule="cosine")
    finally:
        tr._adam = real
    assert rates[0] == pytest.approx(1e-2) and rates[-1] < 1e-4 and len(rates) > 10


def test_float64_training_returns_a_float32_model(digits):
    r = _train(digits, epochs=2, dtype="float64")
    assert all(p.dtype == torch.float32 for p in r.model.parameters())
    assert math.isfinite(r.history[-1]["val_loss"])
    with pytest.raises(ValueError, match="dtype"):
        TrainConfig(dtype="float16")
    with pytest.raises(ValueError, match="schedule"):
        TrainConfig(schedule="linear")


def test_old_train_configs_still_load():
    # Checkpoints saved before schedules existed carry no "schedule"/"dtype": they mean constant, float32.
    c = TrainConfig.from_dict({"epochs": 2, "batch_size": 64, "lr": 1e-3})
    assert c.schedule == "constant" and c.dtype == "float32"


def test_live_recipe_is_the_train_pages_default_for_mnist():
    from aecore.training.recipes import live_hidden, live_train_config

    m = live_train_config("mnist")
    assert m.schedule == "onecycle" and m.batch_size >= 256
    assert live_train_config("digits").schedule == "constant"
    assert live_train_config("mnist", epochs=7).epochs == 7
    assert live_hidden("mnist") == (256, 128) and live_hidden("digits") is None


def test_train_page_starts_each_data_set_from_its_live_recipe(user_models):
    """AppTest: digits opens at its own defaults; picking MNIST switches to the live MNIST recipe."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    page = Path(__file__).resolve().parent.parent / "latentlab" / "ui" / "pages" / "train.py"
    at = AppTest.from_file(str(page), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert at.number_input(key="tr_epochs").value == 10 and at.session_state["tr_schedule"] == "constant"
    at.selectbox(key="tr_dataset").set_value("mnist").run()
    assert not at.exception, at.exception
    assert at.number_input(key="tr_epochs").value == 9
    assert (at.session_state["tr_batch"], at.session_state["tr_lr"], at.session_state["tr_schedule"]) == (
        256,
        1e-2,
        "onecycle",
    )


def test_a_beta_link_opens_the_train_page_on_that_vae(user_models):
    """The β page's "Train this β live" opens /train?tr_family=vae&tr_beta=…: the β slider shows it without
    the advanced controls, and that is the β the training gets."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    page = Path(__file__).resolve().parent.parent / "latentlab" / "ui" / "pages" / "train.py"
    at = AppTest.from_file(str(page), default_timeout=60)
    at.query_params.update({"tr_dataset": "digits", "tr_family": "vae", "tr_k": "2", "tr_beta": "4"})
    at.run()
    assert not at.exception, at.exception
    assert at.slider(key="tr_beta").value == 4.0
    at.selectbox(key="tr_family").set_value("ae").run()  # an AE has no β to set
    assert not at.exception, at.exception
    assert not any(s.key == "tr_beta" for s in at.slider)
