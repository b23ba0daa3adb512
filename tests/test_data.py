import numpy as np
import pytest
import torch

from aecore.data.sets import DatasetUnavailable, dataset_names, is_available, load_dataset
from aecore.data.toy import TOYS


def test_digits_offline_default():
    ds = load_dataset("digits")
    assert ds.kind == "image" and ds.image_shape == (1, 8, 8)
    assert ds.x_train.shape == (1437, 64) and ds.x_test.shape == (360, 64)
    assert ds.x_train.dtype == torch.float32 and 0.0 <= ds.x_train.min() and ds.x_train.max() <= 1.0
    assert sorted(set(ds.y_test.tolist())) == list(range(10))
    # The split never depends on the caller's seed: a reloaded checkpoint is measured on the same test set.
    assert torch.equal(load_dataset("digits", seed=7).x_test, ds.x_test)


def test_digits_reader_matches_sklearn():
    from sklearn.datasets import load_digits

    from aecore.data.sets import read_sklearn_digits

    data, target = read_sklearn_digits()
    ref = load_digits()
    assert np.array_equal(data, ref.data) and np.array_equal(target, ref.target)


@pytest.mark.parametrize("name", list(TOYS))
def test_toy_sets(name):
    ds = load_dataset(name, seed=3)
    spec = TOYS[name]
    assert ds.kind == "points" and ds.x_train.shape[1] == spec.dim
    assert ds.intrinsic_dim == spec.intrinsic_dim and ds.t_train.shape[1] == spec.intrinsic_dim
    assert len(ds.x_train) + len(ds.x_test) == spec.n
    # seeded noise: same seed same points, other seed other points
    assert torch.equal(load_dataset(name, seed=3).x_train, ds.x_train)
    assert not torch.equal(load_dataset(name, seed=4).x_train, ds.x_train)


def test_parabola_is_y_equals_x_squared_plus_noise():
    ds = load_dataset("parabola", noise=0.0)
    x = ds.x_train.numpy()
    assert np.allclose(x[:, 1], x[:, 0] ** 2, atol=1e-6)
    noisy = load_dataset("parabola", noise=0.05).x_train.numpy()
    resid = noisy[:, 1] - noisy[:, 0] ** 2
    assert 0.02 < resid.std() < 0.1


def test_mnist_reads_torchvision_layout(data_root):
    ds = load_dataset("mnist", root=data_root)
    assert ds.x_train.shape == (60000, 784) and ds.x_test.shape == (10000, 784)
    assert abs(float(ds.x_train.mean()) - 0.1307) < 1e-3
    # The same numbers torchvision's own reader gives for these files.
    import torchvision.datasets as tvd

    ref = tvd.MNIST(str(data_root), train=False, download=False)
    assert torch.equal(ds.y_test, ref.targets)
    assert torch.allclose(ds.x_test[:100], ref.data[:100].reshape(100, -1).float() / 255)
    fm = load_dataset("fashion-mnist", root=data_root)
    assert abs(float(fm.x_train.mean()) - 0.2860) < 1e-3 and fm.class_names[9] == "Ankle boot"


def test_missing_dataset_says_how_to_get_it(tmp_path):
    assert not is_available("mnist", root=tmp_path)
    with pytest.raises(DatasetUnavailable) as e:
        load_dataset("mnist", root=tmp_path)
    msg = str(e.value)
    assert "python -m aecore download mnist" in msg and "AECORE_DATA" in msg and str(tmp_path) in msg


def test_env_var_selects_the_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("AECORE_DATA", str(tmp_path))
    with pytest.raises(DatasetUnavailable, match=str(tmp_path)):
        load_dataset("fashion-mnist")


def test_unknown_dataset():
    with pytest.raises(KeyError, match="choose one of"):
        load_dataset("cifar-100")
    assert dataset_names()[0] == "digits"
