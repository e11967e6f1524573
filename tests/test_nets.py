"""utils.saved.lab06_nets (DigitNet's size and shapes, the training loop) and lab06_photo's box."""

import numpy as np
import pytest
import torch

from utils.data import load_mnist
from utils.saved import lab06_nets as nets


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
    before = nets.evaluate_net(model, x, y, "cpu")[1]
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    generator = torch.Generator().manual_seed(0)
    for _ in range(3):
        loss, accuracy = nets.train_net_epoch(model, x, y, optimizer, 64, generator, "cpu")
    after = nets.evaluate_net(model, x, y, "cpu")[1]
    assert np.isfinite(loss) and after > before + 0.3


def test_train_step_is_one_optimizer_step_and_returns_plain_numbers():
    torch.manual_seed(0)
    model = nets.DigitNet(dropout=0.0).train()
    x, y = torch.rand(8, 1, 28, 28), torch.randint(0, 10, (8,))
    before = model.fc2.bias.detach().clone()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss, correct = nets.train_step(model, optimizer, x, y)
    assert isinstance(loss, float) and isinstance(correct, int)
    assert 0 <= correct <= 8 and np.isfinite(loss)
    assert not torch.equal(model.fc2.bias, before)
    after = torch.nn.functional.nll_loss(model(x), y).item()
    assert after < loss, "one small step downhill lowers the batch loss"


def test_conv_sizes_and_counts_follow_the_networks():
    side = nets.conv_output_size(nets.conv_output_size(28, 5), 2, stride=2)
    side = nets.conv_output_size(nets.conv_output_size(side, 5), 2, stride=2)
    model = nets.DigitNet()
    assert 20 * side * side == model.fc1.in_features == 320
    assert nets.conv_param_count(10, 20, 5) == sum(p.numel() for p in model.conv2.parameters())


def test_mnist_box_frames_a_blown_up_digit_as_mnist_did(small_data):
    """MNIST digits are already boxed: enlarge, displace, box again, compare."""
    from scipy import ndimage

    from utils.saved.lab06_photo import mnist_box

    rng = np.random.default_rng(0)
    match = []
    for digit in small_data.x_test[:20].reshape(-1, 28, 28):
        big = ndimage.zoom(digit, rng.uniform(1.5, 6), order=1)
        frame = np.zeros((200, 220), np.float32)
        top, left = rng.integers(0, 200 - len(big) + 1, size=2)
        frame[top : top + len(big), left : left + len(big)] = np.clip(big, 0, None)
        boxed = mnist_box(frame)
        assert boxed.shape == (28, 28) and boxed.dtype == np.float32
        assert np.allclose(ndimage.center_of_mass(boxed), 14, atol=0.01)
        match.append(np.corrcoef(boxed.ravel(), digit.ravel())[0, 1])
    # MNIST centred by whole pixels: up to half a pixel off, thin strokes
    assert np.median(match) > 0.9 and min(match) > 0.8, match


@pytest.mark.parametrize("bad", [np.zeros((30, 30)), np.ones(12), np.ones((9, 9, 3))])
def test_mnist_box_refuses_what_is_not_one_channel_of_ink(bad):
    from utils.saved.lab06_photo import mnist_box

    with pytest.raises(ValueError, match="mnist_box"):
        mnist_box(bad)
