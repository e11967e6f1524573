"""Lab 08's letter features (utils.saved.lab08_embedding): layer features, cosine
k-NN, the doubt of an answer, accuracies printed with their Wilson interval."""

import numpy as np
import pytest
import torch
from scipy.stats import binomtest

from utils.data import mnist_test_images
from utils.saved.lab06_nets import DigitNet
from utils.saved.lab08_embedding import (
    knn_predict,
    knn_with_doubt,
    l2_normalise,
    layer_features,
    ssd_matrix,
    wilson_interval,
    with_interval,
)


@pytest.fixture(scope="module")
def digits():
    images, _ = mnist_test_images()
    return images[:32].astype(np.float32).reshape(32, 28, 28) / 255


def test_features_of_every_layer(digits):
    torch.manual_seed(0)
    net = DigitNet(50).train()
    sizes = {"conv1": 1440, "conv2": 320, "embed": 50, "digits": 10}
    for layer, size in sizes.items():
        f = layer_features(net, digits, layer)
        assert f.shape == (32, size) and f.dtype == np.float32
        assert np.array_equal(f, layer_features(net, digits, layer))
    assert not net.training, "dropout off: features are deterministic"
    with torch.no_grad():
        expected = net.embed(torch.from_numpy(digits)[:, None]).numpy()
        log_probs = net(torch.from_numpy(digits)[:, None]).numpy()
    assert np.allclose(layer_features(net, digits), expected)
    assert np.allclose(layer_features(net, digits, "digits"), log_probs, atol=1e-6)
    with pytest.raises(ValueError, match="unknown layer"):
        layer_features(net, digits, "fc3")


def test_ssd_on_unit_rows_is_cosine_knn():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(7, 5)), rng.normal(size=(11, 5))
    ua, ub = l2_normalise(a), l2_normalise(b)
    assert np.allclose(np.linalg.norm(ua, axis=1), 1)
    cosine = a @ b.T / np.outer(np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1))
    assert np.allclose(ssd_matrix(ua, ub), 2 - 2 * cosine)
    labels = rng.integers(0, 3, 11)
    assert np.array_equal(
        knn_predict(ssd_matrix(ua, ub), labels, 1), labels[np.argmax(cosine, axis=1)]
    )
    assert np.array_equal(l2_normalise(np.zeros((2, 3))), np.zeros((2, 3)))
    assert np.allclose(l2_normalise(3 * a), ua), "length does not count"


def test_doubt_is_the_ratio_of_the_nearest_voted_to_the_nearest_other():
    labels = np.array([0, 1, 0])
    distances = np.array(
        [
            [1.0, 4.0, 2.0],  # label 0 clearly nearest
            [3.0, 3.1, 9.0],
        ]
    )  # label 1 almost as near
    voted, doubt = knn_with_doubt(distances, labels, 1)
    assert voted.tolist() == [0, 0]
    assert doubt == pytest.approx([0.25, 3.0 / 3.1])
    assert knn_with_doubt(10 * distances, labels, 1)[1] == pytest.approx(doubt)
    outvoted = np.array([[2.0, 1.0, 3.0]])  # 3-NN votes 0, 1 is nearest
    voted, doubt = knn_with_doubt(outvoted, labels, 3)
    assert voted.tolist() == [0] and doubt == pytest.approx([2.0])
    assert np.array_equal(voted, knn_predict(outvoted, labels, 3))


def test_wilson_interval_is_scipys_and_with_interval_prints_it():
    ci = binomtest(11, 12).proportion_ci(0.95, method="wilson")
    assert wilson_interval(11, 12) == pytest.approx((ci.low, ci.high))
    low, high = wilson_interval(72, 72)
    assert 0.9 < low < 1 and high == pytest.approx(1.0)
    assert wilson_interval(0, 36)[0] == pytest.approx(0.0)
    narrow, wide = wilson_interval(90, 100), wilson_interval(9, 10)
    assert narrow[1] - narrow[0] < wide[1] - wide[0], "more items, narrower"
    assert with_interval(11 / 12, 12) == f"0.917 [{ci.low:.2f}, {ci.high:.2f}]"
    ci = binomtest(30, 36).proportion_ci(0.9, method="wilson")
    assert with_interval(30 / 36, 36, 0.9) == f"0.833 [{ci.low:.2f}, {ci.high:.2f}]"
