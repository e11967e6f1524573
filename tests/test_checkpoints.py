"""utils.checkpoints: DigitNet checkpoints per profile, trained when missing as the caller says."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from utils import checkpoints
from utils.augment import vary_like_writers
from utils.data import load_mnist, mnist_test_images
from utils.saved import lab06_nets as nets

RECIPE = {
    "dropout": 0.25,
    "learning_rate": 1e-2,
    "batch_size": 128,
    "shift": 2,
    "degrees": 10,
    "scale": 0.1,
}


@pytest.fixture(scope="module")
def small_data():
    return load_mnist(600, verbose=False)


@pytest.fixture(scope="module")
def digits():
    images, labels = mnist_test_images()
    return SimpleNamespace(
        x_train=images[:32].reshape(32, 784).astype(np.float32) / 255,
        y_train=np.asarray(labels[:32], dtype=np.int64),
    )


def test_checkpoint_round_trip_and_message(tmp_path, monkeypatch, small_data):
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    monkeypatch.setenv("WORKBOOK_PROFILE", "quick")
    relative = "checkpoints/quick/digitnet_30.pt"
    assert checkpoints.checkpoint_path(30) == tmp_path / relative
    trained, message = checkpoints.load_or_train_digit_net(30, small_data, 1, 0, **RECIPE)
    assert "trained" in message and checkpoints.checkpoint_path(30).exists()
    assert relative in message and "quick profile, width 30" in message
    assert "1 epochs on 600 images" in message
    loaded, message = checkpoints.load_or_train_digit_net(30, small_data, 1, 0, **RECIPE)
    assert message.startswith(f"loaded {relative}") and loaded.embed_dim == 30
    assert message.endswith("1 epochs on 600 images, seed 0"), "the note is kept"
    x = torch.rand(3, 1, 28, 28)
    assert torch.allclose(trained.eval()(x), loaded(x))


def test_training_is_fit_with_the_callers_settings(tmp_path, monkeypatch, small_data):
    """The plumbing decides no setting: the net is lab 06's fit with exactly those passed."""
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    settings = {**RECIPE, "learning_rate": 3e-3, "batch_size": 64, "decay": 0.75}
    trained, _ = checkpoints.load_or_train_digit_net(
        30, small_data, 1, 0, recipe="test", device="cpu", **settings
    )
    assert checkpoints.checkpoint_path(30, "test").exists()
    torch.manual_seed(0)
    expected = nets.DigitNet(30, settings.pop("dropout"))
    nets.fit(
        expected,
        torch.from_numpy(small_data.x_train).reshape(-1, 1, 28, 28),
        torch.from_numpy(small_data.y_train),
        1,
        seed=0,
        device="cpu",
        **settings,
    )
    for a, b in zip(trained.state_dict().values(), expected.state_dict().values()):
        assert torch.equal(a, b)
    with pytest.raises(TypeError):  # no recipe of its own to fall back on
        checkpoints.load_or_train_digit_net(30, small_data, 1, 0, dropout=0.5)


def test_quick_runs_never_touch_the_full_checkpoint(tmp_path, monkeypatch):
    """`make test` (quick) must not overwrite the network lab 08 loads in the full profile."""
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    monkeypatch.setenv("WORKBOOK_PROFILE", "full")
    full_path = checkpoints.checkpoint_path(50)
    checkpoints.save_digit_net(nets.DigitNet(), full_path, note="full-profile run")
    monkeypatch.setenv("WORKBOOK_PROFILE", "quick")
    assert checkpoints.checkpoint_path(50) != full_path
    assert not checkpoints.checkpoint_path(50).exists()
    monkeypatch.setenv("WORKBOOK_PROFILE", "full")
    _, message = checkpoints.load_or_train_digit_net(50, None, 1, 0, **RECIPE)
    assert "full profile, width 50" in message and message.endswith("full-profile run")


def test_corrupt_checkpoint_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    checkpoints.checkpoint_path(50).write_bytes(b"garbage")
    with pytest.raises(RuntimeError, match="Delete it"):
        checkpoints.load_or_train_digit_net(50, None, 1, 0, **RECIPE)


def test_train_and_cache_an_augmented_net(tmp_path, monkeypatch, digits):
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    settings = {"learning_rate": 2e-3, "batch_size": 16}
    model, message = checkpoints.load_or_train_augmented(digits, 1, 0, device="cpu", **settings)
    assert message.startswith("no checkpoint yet") and not model.training
    path = checkpoints.checkpoint_path(50, "augmented")
    assert path.is_file() and str(tmp_path) in str(path)
    assert str(tmp_path) not in message  # the book shows it
    again, message = checkpoints.load_or_train_augmented(None, 1, 0, device="cpu", **settings)
    assert message.startswith("loaded") and "1 epochs on 32" in message
    for a, b in zip(model.parameters(), again.parameters()):
        assert torch.equal(a, b)
    # the training: Adam at the caller's rate, each batch varied afresh, as written out here
    torch.manual_seed(0)
    expected = nets.DigitNet(50)
    optimizer = torch.optim.Adam(expected.parameters(), lr=2e-3)
    generator = torch.Generator().manual_seed(0)
    x, y = torch.from_numpy(digits.x_train).reshape(-1, 1, 28, 28), torch.from_numpy(digits.y_train)
    expected.train()
    order = torch.randperm(32, generator=generator)
    for batch in (order[:16], order[16:]):
        nets.train_step(expected, optimizer, vary_like_writers(x[batch], generator), y[batch])
    for a, b in zip(model.parameters(), expected.parameters()):
        assert torch.equal(a, b)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(RuntimeError, match="corrupt.*Delete it"):
        checkpoints.load_or_train_augmented(None, 1, 0, device="cpu", **settings)
