"""Unit tests of utils/saved/lab03_mlp.py, the NumPy perceptron saved from lab 03."""

import warnings

import numpy as np
import pytest

from utils.saved import lab03_mlp as mlp
from utils.saved.lab01_softmax import gradient_check, one_hot, softmax
from utils.saved.lab02_jacobians import sigmoid
from utils.saved.lab03_mlp import (
    evaluate,
    init_mlp,
    mean_cross_entropy,
    mlp_backward,
    mlp_forward,
    plain_sgd_step,
    train_epoch,
)
from utils.saved.lab04_regularise import sgd_step


def _toy(n=40, n_in=12, n_out=4, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    X = rng.random((n, n_in)).astype(dtype)
    y = rng.integers(0, n_out, n)
    params = init_mlp(5, rng, n_in=n_in, n_out=n_out, std=0.5, dtype=dtype)
    return params, X, y, rng


def test_module_declares_its_source_and_exports():
    assert mlp.SAVED_FROM == "labs/03_numpy_mlp.ipynb"
    assert {"init_mlp", "mlp_forward", "mlp_backward", "train_epoch", "evaluate"} <= set(
        mlp.__all__
    )


def test_init_shapes_dtype_and_scale():
    params = init_mlp(64, np.random.default_rng(0))
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (64, 784),
        "b1": (64,),
        "W2": (10, 64),
        "b2": (10,),
    }
    assert all(v.dtype == np.float32 for v in params.values())
    assert not params["b1"].any() and not params["b2"].any()
    assert abs(params["W1"].std() - 0.1) < 0.005 and abs(params["W1"].mean()) < 0.005
    params64 = init_mlp(3, np.random.default_rng(0), n_in=5, n_out=2, std=1.0, dtype=np.float64)
    assert params64["W1"].dtype == np.float64 and params64["W2"].shape == (2, 3)


def test_init_is_reproducible_and_rejects_empty_layer():
    a = init_mlp(8, np.random.default_rng(1))
    b = init_mlp(8, np.random.default_rng(1))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    with pytest.raises(ValueError, match="hidden_width"):
        init_mlp(0, np.random.default_rng(0))


def test_sigmoid_matches_definition_without_overflow():
    """Lab 02's sigmoid, which the network uses, in float32 too."""
    a = np.linspace(-30, 30, 61)
    assert np.allclose(sigmoid(a), 1 / (1 + np.exp(-a)), rtol=1e-12, atol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = sigmoid(np.array([-1000.0, 1000.0], dtype=np.float32))
    assert np.array_equal(out, [0.0, 1.0]) and out.dtype == np.float32


def test_softmax_is_stable_and_normalised():
    """Lab 01's softmax, which the network uses, in float32 too."""
    A = np.array([[1000.0, 1000.0, -1000.0], [1.0, 2.0, 3.0]], dtype=np.float32)
    P = softmax(A)
    assert P.dtype == np.float32
    assert np.all(np.isfinite(P)) and np.allclose(P.sum(axis=1), 1)
    assert np.allclose(P[0], [0.5, 0.5, 0.0])
    assert np.allclose(P[1], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())


def test_mean_cross_entropy_matches_log_softmax_and_flags_non_finite():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(7, 4))
    y = rng.integers(0, 4, 7)
    expected = -np.mean(np.log(softmax(A)[np.arange(7), y]))
    assert mean_cross_entropy(A, y) == pytest.approx(expected, rel=1e-12)
    # a confident wrong answer: huge but finite (naive -log 0 would be inf)
    assert np.isfinite(
        mean_cross_entropy(np.array([[0.0, 500.0]], dtype=np.float32), np.array([0]))
    )
    with np.errstate(invalid="ignore"):
        assert np.isnan(mean_cross_entropy(np.array([[np.inf, 0.0]]), np.array([0])))
        assert np.isnan(mean_cross_entropy(np.array([[np.nan, 0.0]]), np.array([1])))


def test_one_hot_is_float64_unless_given_a_dtype():
    Y = one_hot(np.array([2, 0]), 3)
    assert Y.dtype == np.float64 and np.array_equal(Y, [[0, 0, 1], [1, 0, 0]])
    assert one_hot(np.array([1]), 2, np.float32).dtype == np.float32


def test_forward_shapes_and_cache():
    params, X, _, _ = _toy()
    P, cache = mlp_forward(params, X)
    assert P.shape == (40, 4) and P.dtype == np.float32
    assert np.allclose(P.sum(axis=1), 1, atol=1e-6)
    assert cache["F1"].shape == (40, 5) and cache["X"] is X


@pytest.mark.parametrize("bad", [np.zeros((3, 11)), np.zeros(12), np.zeros((2, 3, 12))])
def test_forward_rejects_wrong_input_shape(bad):
    params, _, _, _ = _toy()
    with pytest.raises(ValueError, match="shape"):
        mlp_forward(params, bad)


def test_backward_matches_finite_differences():
    params, X, y, _ = _toy(dtype=np.float64)
    _, cache = mlp_forward(params, X)
    grads = mlp_backward(params, cache, one_hot(y, 4, np.float64))
    assert set(grads) == set(params)

    def loss(name):
        return lambda value: mean_cross_entropy(mlp_forward({**params, name: value}, X)[1]["A2"], y)

    for name in params:
        assert grads[name].shape == params[name].shape
        assert gradient_check(loss(name), params[name], grads[name], 30) < 1e-7, name


def test_backward_is_gradient_of_the_mean():
    params, X, y, _ = _toy(dtype=np.float64)
    grads = mlp_backward(params, mlp_forward(params, X)[1], one_hot(y, 4, np.float64))
    X2, y2 = np.concatenate([X, X]), np.concatenate([y, y])
    grads2 = mlp_backward(params, mlp_forward(params, X2)[1], one_hot(y2, 4, np.float64))
    for name in grads:
        assert np.allclose(grads[name], grads2[name], rtol=1e-12, atol=1e-15)


def test_backward_rejects_wrong_label_shape():
    params, X, y, _ = _toy()
    _, cache = mlp_forward(params, X)
    with pytest.raises(ValueError, match="Y_onehot"):
        mlp_backward(params, cache, one_hot(y, 5))
    with pytest.raises(ValueError, match="Y_onehot"):
        mlp_backward(params, cache, y)


def test_train_epoch_counts_every_image_once_including_the_partial_batch():
    params, X, y, rng = _toy(n=37)
    before = {k: v.copy() for k, v in params.items()}
    epoch_loss = train_epoch(params, X, y, batch_size=8, learning_rate=0.0, rng=rng)
    assert all(np.array_equal(before[k], params[k]) for k in params)
    assert epoch_loss == pytest.approx(evaluate(params, X, y)[0], rel=1e-5)


def test_train_epoch_learns_in_place_and_keeps_float32():
    params, X, _, rng = _toy(n=64)
    y = (X[:, :4] - X[:, 4:8]).argmax(axis=1)  # a learnable rule
    W1 = params["W1"]
    first = train_epoch(params, X, y, 16, 1.0, rng)
    for _ in range(100):
        last = train_epoch(params, X, y, 16, 1.0, rng)
    assert params["W1"] is W1, "parameters must be updated in place"
    assert last < 0.7 * first
    assert all(v.dtype == np.float32 for v in params.values())
    assert evaluate(params, X, y)[1] > 0.6


def test_train_epoch_reshuffles_with_rng():
    a, X, y, _ = _toy(n=50)
    b = {k: v.copy() for k, v in a.items()}
    c = {k: v.copy() for k, v in a.items()}
    train_epoch(a, X, y, 10, 0.5, np.random.default_rng(1))
    train_epoch(b, X, y, 10, 0.5, np.random.default_rng(1))
    train_epoch(c, X, y, 10, 0.5, np.random.default_rng(2))
    assert np.array_equal(a["W1"], b["W1"])
    assert not np.allclose(a["W1"], c["W1"])


def test_plain_step_is_lab_04s_step_without_decay_and_refuses_decay():
    params, X, y, _ = _toy(n=30)
    grads = mlp_backward(params, mlp_forward(params, X)[1], one_hot(y, 4, np.float32))
    plain, decayed = ({k: v.copy() for k, v in params.items()} for _ in range(2))
    plain_sgd_step(plain, grads, 0.5)
    sgd_step(decayed, grads, 0.5, 0.0)
    assert all(np.array_equal(plain[k], decayed[k]) for k in params)
    with pytest.raises(ValueError, match="no weight decay"):
        plain_sgd_step(plain, grads, 0.5, 0.1)


def test_weight_decay_shrinks_weights_not_biases():
    params, _, y, rng = _toy(n=30)
    X = np.zeros((30, 12), dtype=np.float32)  # no data gradient for W1
    W1 = params["W1"].copy()
    train_epoch(
        params, X, y, batch_size=10, learning_rate=0.5, rng=rng, weight_decay=0.1, step=sgd_step
    )
    assert np.allclose(params["W1"], W1 * (1 - 0.5 * 0.1) ** 3, rtol=1e-5)
    train_epoch(params, X, y, batch_size=10, learning_rate=0.5, rng=rng)
    assert np.allclose(params["W1"], W1 * (1 - 0.5 * 0.1) ** 3, rtol=1e-5)


def test_weight_decay_adds_lambda_w_to_weight_gradients_only():
    plain, X, y, _ = _toy(n=30)
    decayed = {k: v.copy() for k, v in plain.items()}
    start = {k: v.copy() for k, v in plain.items()}
    train_epoch(plain, X, y, 30, 0.5, np.random.default_rng(0))  # one full batch: one step
    train_epoch(decayed, X, y, 30, 0.5, np.random.default_rng(0), weight_decay=0.2, step=sgd_step)
    for name in ("b1", "b2"):
        assert np.array_equal(plain[name], decayed[name])
    for name in ("W1", "W2"):
        assert np.allclose(decayed[name], plain[name] - 0.5 * 0.2 * start[name], atol=1e-6)


@pytest.mark.parametrize("batch_size", [0, 31])
def test_train_epoch_rejects_impossible_batch_size(batch_size):
    params, X, y, rng = _toy(n=30)
    with pytest.raises(ValueError, match="batch_size"):
        train_epoch(params, X, y, batch_size, 0.1, rng)


def test_train_epoch_rejects_label_count_mismatch():
    params, X, y, rng = _toy(n=30)
    with pytest.raises(ValueError, match="labels"):
        train_epoch(params, X, y[:-1], 10, 0.1, rng)


def test_train_epoch_reports_divergence_as_non_finite_loss():
    params, X, y, rng = _toy(n=20)
    params["W2"][0, 0] = np.nan
    with np.errstate(invalid="ignore"):
        assert not np.isfinite(train_epoch(params, X, y, 10, 0.1, rng))


def test_evaluate_returns_loss_and_accuracy():
    params, X, y, _ = _toy()
    loss, accuracy = evaluate(params, X, y)
    P, _ = mlp_forward(params, X)
    assert accuracy == pytest.approx(np.mean(P.argmax(axis=1) == y))
    assert loss == pytest.approx(-np.mean(np.log(P[np.arange(len(y)), y])), rel=1e-5)
    assert isinstance(loss, float) and isinstance(accuracy, float)
