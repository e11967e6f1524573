"""utils.nets: DigitNet's size and shapes, the training loop, the checkpoint hand-off to lab 08."""
import numpy as np
import pytest
import torch

from utils import nets
from utils.data import load_mnist


@pytest.mark.parametrize("width", [30, 50, 90])
def test_digitnet_shapes_and_parameter_count(width):
    model = nets.DigitNet(embed_dim=width).eval()
    x = torch.rand(4, 1, 28, 28)
    assert model(x).shape == (4, 10) and model.embed(x).shape == (4, width)
    assert torch.allclose(model(x).exp().sum(1), torch.ones(4), atol=1e-5)
    n = sum(p.numel() for p in model.parameters())
    assert n == 260 + 5_020 + 321 * width + (width + 1) * 10
    if width == 50:
        assert n == 21_840


@pytest.fixture(scope="module")
def small_data():
    return load_mnist(600, verbose=False)


def test_training_improves_accuracy(small_data):
    torch.manual_seed(0)
    model = nets.DigitNet()
    x = torch.from_numpy(small_data.x_train).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(small_data.y_train)
    before = nets.evaluate(model, x, y, "cpu")[1]
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    generator = torch.Generator().manual_seed(0)
    for _ in range(3):
        loss, accuracy = nets.train_epoch(model, x, y, optimizer, 64, generator, "cpu")
    after = nets.evaluate(model, x, y, "cpu")[1]
    assert np.isfinite(loss) and after > before + 0.3


def test_checkpoint_round_trip_and_message(tmp_path, monkeypatch, small_data):
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    monkeypatch.setenv("WORKBOOK_PROFILE", "quick")
    relative = "checkpoints/quick/digitnet_30.pt"
    assert nets.checkpoint_path(30) == tmp_path / relative
    trained, message = nets.load_or_train_digit_net(30, data=small_data, epochs=1)
    assert "trained" in message and nets.checkpoint_path(30).exists()
    assert relative in message and "quick profile, width 30" in message
    assert "1 epochs on 600 images" in message
    loaded, message = nets.load_or_train_digit_net(30)
    assert message.startswith(f"loaded {relative}") and loaded.embed_dim == 30
    assert message.endswith("1 epochs on 600 images, seed 0"), "the note is kept"
    x = torch.rand(3, 1, 28, 28)
    assert torch.allclose(trained.eval()(x), loaded(x))


def test_quick_runs_never_touch_the_full_checkpoint(tmp_path, monkeypatch):
    """`make test` (quick) must not overwrite the network lab 08 loads in the full profile."""
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    monkeypatch.setenv("WORKBOOK_PROFILE", "full")
    full_path = nets.checkpoint_path(50)
    nets.save_digit_net(nets.DigitNet(), full_path, note="full-profile run")
    monkeypatch.setenv("WORKBOOK_PROFILE", "quick")
    assert nets.checkpoint_path(50) != full_path
    assert not nets.checkpoint_path(50).exists()
    monkeypatch.setenv("WORKBOOK_PROFILE", "full")
    _, message = nets.load_or_train_digit_net(50)
    assert "full profile, width 50" in message and message.endswith("full-profile run")


def test_corrupt_checkpoint_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    nets.checkpoint_path(50).write_bytes(b"garbage")
    with pytest.raises(RuntimeError, match="Delete it"):
        nets.load_or_train_digit_net(50)
