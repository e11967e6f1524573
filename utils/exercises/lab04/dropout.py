"""Checks of exercises 4.5 (dropout) and 4.6 (dropout_gradients)."""

from __future__ import annotations

import math

import numpy as np

from ...checks import rel_error
from .. import require
from ..common import answer_pair


def _independent(answer, seed, keep, dtype, calls=40, shape=(20, 50)):
    """The spec's "independently": the number of units kept varies from call
    to call like a binomial count, Binomial(size, keep).

    An answer that keeps a fixed number of units (a permutation) has a
    variance 0. The sample variance of ``calls`` counts over the binomial
    variance is chi^2_(calls-1) / (calls-1): below 0.25 with probability
    5e-7 for 40 calls, the false alarm of this check.
    """
    H = np.ones(shape, dtype)
    counts = np.array(
        [
            np.count_nonzero(answer(H, keep, np.random.default_rng([seed, 7, call]))[1])
            for call in range(calls)
        ]
    )
    variance = H.size * keep * (1 - keep)
    require(
        counts.var(ddof=1) > 0.25 * variance,
        f"over {calls} calls on {H.size} units the number kept was "
        f"{sorted(set(counts.tolist()))[:5]}... (variance "
        f"{counts.var(ddof=1):.3g}, a binomial count has {variance:.3g}): "
        "the units are not kept independently. Do not choose a fixed "
        "number of units to keep; decide each unit on its own, kept "
        "with probability keep (rng.random(H.shape) < keep).",
    )


def check_dropout(answer, seed=49, keep=0.8, shape=(120, 250), dtype="float32") -> str:
    """dropout(H, keep, rng, train=True) -> (out, mask): inverted dropout."""
    dtype = np.dtype(dtype)
    H = np.random.default_rng([seed, 0]).uniform(0.05, 1, shape).astype(dtype)
    before = H.copy()
    for wrong in (0.0, 1.5):
        try:
            with np.errstate(all="ignore"):
                answer(H, wrong, np.random.default_rng(seed))
        except ValueError:
            continue
        require(
            False,
            f"keep = {wrong} should raise a ValueError: keep is a "
            "probability of keeping, in (0, 1].",
        )
    saved = np.random.get_state()
    try:
        np.random.seed(seed + 1)  # the global generator must not matter
        result = answer(H, keep, np.random.default_rng(seed))
        np.random.seed(seed + 2)
        again = answer(H, keep, np.random.default_rng(seed))
    finally:
        np.random.set_state(saved)
    other = answer(H, keep, np.random.default_rng(seed + 3))
    require(
        np.array_equal(H, before),
        "dropout changed H in place: return a new array, H is still needed for the backward pass.",
    )
    out, mask = (np.asarray(a) if a is not None else a for a in answer_pair(result, "(out, mask)"))
    require(
        mask is not None and mask.shape == H.shape,
        f"in training mode the mask has H's shape {H.shape}, one entry "
        f"per unit and image, got "
        f"{None if mask is None else mask.shape}.",
    )
    require(
        mask.dtype == dtype,
        f"the mask is {mask.dtype}: give it H's "
        f"dtype {dtype} (0 or 1/keep), so that out = H * mask stays "
        f"{dtype}.",
    )
    require(
        out.shape == H.shape and out.dtype == dtype,
        f"out should have H's shape {H.shape} and dtype {dtype}, got {out.shape}, {out.dtype}.",
    )
    values = np.unique(mask)
    scaled = dtype.type(1) / dtype.type(keep)
    require(
        not np.allclose(values, [0, 1]) or keep == 1,
        "the mask holds 0 and 1: inverted dropout scales the kept units "
        "by 1/keep during training, so that nothing needs rescaling at "
        "evaluation.",
    )
    require(
        not np.allclose(values, [0, keep]) or keep == 1,
        "the kept units are multiplied by keep: divide them by keep "
        "(inverted dropout); multiplying by keep belongs to evaluation in "
        "the original, non-inverted dropout.",
    )
    require(
        np.all(np.isclose(values, 0) | np.isclose(values, scaled)),
        f"the mask should hold only 0 and 1/keep = {scaled:.4g}, it holds "
        f"{np.round(values[:5], 4).tolist()}...",
    )
    require(
        np.allclose(out, H * mask, rtol=1e-6, atol=0),
        "out is not H * mask: return the mask you multiplied H by.",
    )
    kept = float(np.mean(mask != 0))
    sd = math.sqrt(keep * (1 - keep) / H.size)
    require(
        abs(kept - (1 - keep)) > 4 * sd or keep == 0.5,
        f"{kept:.1%} of the units were kept with keep = {keep}: keep is "
        "the probability of KEEPING a unit, not of dropping it.",
    )
    require(
        abs(kept - keep) <= 4 * sd + 1e-12,
        f"{kept:.1%} of the units were "
        f"kept; with keep = {keep} expect {keep:.1%} (give or take "
        f"{4 * sd:.2%}): keep each unit with probability keep.",
    )
    if keep < 1:
        require(
            mask.std(axis=0).max() > 0 and mask.std(axis=1).max() > 0,
            "the mask repeats along one axis: draw one number per unit "
            "AND image, rng.random(H.shape), not one per row or column.",
        )
    if keep < 1:
        _independent(answer, seed, keep, dtype)
    require(
        np.array_equal(again[1], mask),
        "two calls with generators of the "
        "same seed gave different masks: draw from rng, the generator "
        "you are given, not from np.random.",
    )
    require(
        keep == 1 or not np.array_equal(other[1], mask),
        "generators of different seeds gave the same mask: draw the mask from rng.",
    )
    rng = np.random.default_rng(seed)
    state = rng.bit_generator.state
    result = answer(H, keep, rng, train=False)
    out, mask = answer_pair(result, "(out, None) in evaluation mode too")
    require(
        np.array_equal(np.asarray(out), H),
        "with train=False dropout is "
        "the identity: return H unchanged (no mask, no scaling; the "
        "scaling was done in training).",
    )
    require(mask is None, "with train=False return None as the mask.")
    require(
        rng.bit_generator.state == state,
        "with train=False nothing is drawn from rng: evaluation is deterministic.",
    )
    return (
        f"kept {kept:.1%} of the units with keep = {keep}, scaled by "
        "1/keep; identity at evaluation; seeded by rng."
    )


def _thinned(rng, n, d, h, k, keep, dtype):
    """A network, a batch and a fixed dropout mask."""
    params = {
        "W1": rng.normal(0, 0.5, (h, d)),
        "b1": rng.normal(0, 0.5, h),
        "W2": rng.normal(0, 0.5, (k, h)),
        "b2": rng.normal(0, 0.5, k),
    }
    params = {name: value.astype(dtype) for name, value in params.items()}
    X = rng.normal(0, 1, (n, d)).astype(dtype)
    Y = np.eye(k, dtype=dtype)[rng.integers(0, k, n)]
    M = ((rng.random((n, h)) < keep) / keep).astype(dtype)
    M[0, 0], M[0, 1] = 0, 1 / keep  # one unit of each kind, whatever keep
    return params, X, Y, M


def check_dropout_gradients(answer, seed=50, batch=6, keep=0.6, dtype="float64") -> str:
    """dropout_gradients(params, X, Y_onehot, drop) -> grads of the thinned
    network's mean cross-entropy."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    params, X, Y, M = _thinned(rng, batch, 7, 5, 4, keep, dtype)
    start = {name: value.copy() for name, value in params.items()}
    seen = []

    def drop(H):
        """Stands in for dropout: always the same mask M."""
        seen.append(np.array(H, copy=True))
        return H * M, M

    grads = answer(params, X, Y, drop)
    require(
        all(np.array_equal(start[k], params[k]) for k in params),
        "params changed: only compute the gradients, sgd_step moves the weights.",
    )
    require(
        len(seen) > 0,
        "drop was never called: pass the hidden "
        "activations through drop(F1), which returns (thinned, mask).",
    )
    require(
        len(seen) == 1,
        f"drop was called {len(seen)} times: call it "
        "once per batch and reuse its mask in the backward pass (a new "
        "call draws a new mask).",
    )
    x64 = X.astype(np.float64)
    p64 = {name: value.astype(np.float64) for name, value in params.items()}
    A1 = x64 @ p64["W1"].T + p64["b1"]
    F1 = 1 / (1 + np.exp(-A1))
    tol = 1e-10 if dtype == np.float64 else 1e-4
    require(
        not np.allclose(seen[0], A1, atol=tol),
        "drop received the pre-activations A1: dropout acts on the hidden "
        "activations, sigmoid(A1).",
    )
    require(
        np.allclose(seen[0], F1, rtol=tol, atol=tol),
        "drop did not receive the hidden activations sigmoid(X W1^T + b1) of the batch.",
    )
    require(
        isinstance(grads, dict) and set(grads) == set(params),
        f"return a dict with the keys {sorted(params)}, got "
        f"{sorted(grads) if isinstance(grads, dict) else type(grads)}.",
    )
    M64 = M.astype(np.float64)
    D = F1 * M64
    A2 = D @ p64["W2"].T + p64["b2"]
    P = np.exp(A2 - A2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dA2 = (P - Y) / batch
    dD = dA2 @ p64["W2"]

    def full(dA1, dA2, D):
        return {"W1": dA1.T @ x64, "b1": dA1.sum(axis=0), "W2": dA2.T @ D, "b2": dA2.sum(axis=0)}

    expected = full(dD * M64 * F1 * (1 - F1), dA2, D)
    slips = [
        (
            full(dD * F1 * (1 - F1), dA2, D),
            "the gradient flows back through "
            "the units dropout removed: multiply it by the mask on the way back "
            "too (a dropped unit had no effect on the loss)",
        ),
        (
            full(dD * M64 * D * (1 - D), dA2, D),
            "sigmoid' is F1 (1 - F1) of the activations BEFORE dropout, not of the thinned ones",
        ),
        (
            full(dD * M64 * F1 * (1 - F1), dA2, F1),
            "the output layer saw the thinned activations: its weight gradient uses them, not F1",
        ),
        (
            full(dD * M64 * M64 * F1 * (1 - F1), dA2, D),
            "the mask is applied twice on the way back: once is the derivative of H * mask",
        ),
        (
            full(dD * M64 * F1 * (1 - F1) * batch, dA2 * batch, D),
            "the "
            "gradients are batch-size times too large: the loss is the MEAN "
            "over the batch, divide by N",
        ),
    ]
    for name in ("W2", "b2", "b1", "W1"):
        value = grads[name]
        require(
            np.shape(value) == expected[name].shape,
            f"grads['{name}'] should have shape {expected[name].shape}, got {np.shape(value)}.",
        )
        require(
            np.asarray(value).dtype == dtype,
            f"grads['{name}'] is "
            f"{np.asarray(value).dtype}; keep the dtype of the inputs, "
            f"{dtype} (training runs in float32).",
        )
        error = rel_error(value, expected[name])
        if error <= tol:
            continue
        hints = [hint for candidate, hint in slips if rel_error(value, candidate[name]) <= tol]
        require(
            False,
            f"grads['{name}'] is wrong (rel. error {error:.1e}). "
            + (
                hints[0][0].upper() + hints[0][1:] + "."
                if hints
                else "Derive it with the chain rule through the thinned activations F1 * mask."
            ),
        )
    loud = dict(params, b2=params["b2"] + dtype.type(1000))  # large logits
    with np.errstate(all="ignore"):
        big = answer(loud, X, Y, lambda H: (H * M, M))
    require(
        all(np.all(np.isfinite(big[k])) for k in big),
        "with logits near a thousand the gradients are not finite: the "
        "softmax overflows. Subtract each row's largest logit before "
        "exp (the probabilities do not change).",
    )
    steep = dict(params, W2=params["W2"] * dtype.type(3000))  # row maxima
    with np.errstate(all="ignore"):  # far apart
        big_rows = answer(steep, X, Y, lambda H: (H * M, M))
    require(
        all(np.all(np.isfinite(big_rows[k])) for k in big_rows),
        "with logits in the thousands, far apart from row to row, the "
        "gradients are not finite: subtract each ROW's largest logit "
        "(axis=1), not the largest of the whole batch.",
    )
    require(
        rel_error(big["W1"], expected["W1"]) <= tol,
        "with every logit raised by the same constant the gradients "
        "must not change (the softmax is invariant to it); yours do.",
    )
    return "gradients of the thinned network right, one mask per batch."
