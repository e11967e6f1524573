"""The cases of issue 18, each as its grade cell grades it: wrong answers
that used to keep their points now lose them with a hint, right answers in
another style keep every point, and an answer that calls what it should
write scores 0 and is told so."""

import contextlib
import io
import re
from pathlib import Path

import nbformat
import numpy as np
import torch
from exercise_contract import graded, own
from torch.nn import functional as F

from utils.exercises import grade, reference, spec
from utils.saved import lab01_softmax as saved_softmax
from utils.saved import lab06_nets as nets
from utils.saved import lab08_embedding as embedding

LABS = Path(__file__).resolve().parents[1] / "labs"
_DIGIT_NET = own(nets.DigitNet)


def _full(exercise, answer):
    check, out = graded(exercise, answer)
    assert check.score == spec(exercise).points, out
    return out


def _loses(exercise, answer, hint):
    check, out = graded(exercise, answer)
    assert check.score < spec(exercise).points, out
    assert " ".join(hint.split()) in out, out
    return check, out


def test_1_1_a_vector_without_the_max_shift_loses_points():
    def softmax(o):
        if o.ndim == 1:
            return np.exp(o) / np.exp(o).sum()
        shifted = o - o.max(axis=-1, keepdims=True)
        return np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)

    _loses("1.1", softmax, "near 1000")


def test_1_2_a_loop_over_the_samples_loses_points():
    def batch_softmax_jacobian(P):
        return np.stack([np.diag(p) - np.outer(p, p) for p in P])

    check, _ = _loses("1.2", batch_softmax_jacobian, "loops over the samples")
    assert ("no loop over samples", False) in check.checks


def _centred_check(pick_entries):
    """A gradient check whose entries come from ``pick_entries(rng, params,
    n_checks)``; otherwise right."""

    def gradient_check(loss, params, grad, n_checks, h=1e-5, seed=0):
        rng = np.random.default_rng(seed)
        worst = 0.0
        for index in pick_entries(rng, params, n_checks):
            step = np.zeros_like(params)
            step[index] = h
            numeric = (loss(params + step) - loss(params - step)) / (2 * h)
            worst = max(worst, abs(numeric - grad[index]))
        return worst / np.abs(grad).max()

    return gradient_check


def test_1_5_fixed_entries_lose_points():
    fixed = _centred_check(
        lambda rng, params, n: [np.unravel_index(i % params.size, params.shape) for i in range(n)]
    )
    _loses("1.5", fixed, "checked the same entries")


def test_1_5_sampling_without_replacement_keeps_every_point():
    _full(
        "1.5",
        _centred_check(
            lambda rng, params, n: [
                np.unravel_index(i, params.shape) for i in rng.choice(params.size, n, replace=False)
            ]
        ),
    )


def test_1_5_a_difference_of_a_scalar_copy_loses_points():
    """Nudging only the entry, as a separate scalar argument: right for a
    loss that is a sum of one function per entry, wrong once they couple."""

    def gradient_check(loss, params, grad, n_checks, h=1e-5, seed=0):
        rng = np.random.default_rng(seed)
        worst = 0.0
        for _ in range(n_checks):
            index = tuple(int(rng.integers(m)) for m in params.shape)
            x = np.zeros_like(params)
            x[index] = params[index] + h
            plus = loss(x)
            x[index] = params[index] - h
            numeric = (plus - loss(x)) / (2 * h)
            worst = max(worst, abs(numeric - grad[index]))
        return worst / np.abs(grad).max()

    _loses("1.5", gradient_check, "centred difference")


def _lab_cell(lab, pattern):
    (notebook,) = LABS.glob(f"{lab}_*.ipynb")
    return next(
        c.source for c in nbformat.read(notebook, 4).cells if re.search(pattern, c.source, re.M)
    )


def test_2_3_calling_gradient_by_paths_scores_zero_and_says_why():
    namespace = {"grade": grade}
    cell = _lab_cell("02", r"^def gradient_by_paths\(")
    exec(cell[cell.index("def gradient_by_paths(") :], namespace)
    exec(
        "def gradient_by_backprop(weights, out, inputs, derivatives, i, j):\n"
        "    return gradient_by_paths(weights, out, inputs, derivatives, "
        "i, j)[0]\n",
        namespace,
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec('check = grade("2.3", "gradient_by_backprop")\nkept = check.keep()', namespace)
    said = " ".join(out.getvalue().split())
    assert namespace["check"].score == 0, said
    assert (
        "calls gradient_by_paths (the lab's), which this exercise asks you to write yourself"
    ) in said, said
    assert namespace["kept"] is reference("2.3")


def test_3_2_delegating_to_the_reference_scores_zero_and_says_why():
    def mlp_backward(params, cache, Y_onehot):
        from utils.saved.lab03_mlp import mlp_backward as ref

        return ref(params, cache, Y_onehot)

    check, out = graded("3.2", mlp_backward)
    assert check.score == 0 and check.delegated == "utils.saved.lab03_mlp.mlp_backward"
    assert "calls utils.saved.lab03_mlp.mlp_backward, which this exercise asks you" in out
    assert "0 points" in check.score._repr_markdown_()


def test_3_2_the_rest_of_the_lab_does_not_get_a_delegating_answer():
    def mlp_forward(params, X):
        return saved_softmax.softmax(X), {}  # calls another lab's function: fine

    check, _ = graded("3.1", mlp_forward)
    assert not check.delegated


def _without(layer):
    """The spec's DigitNet with one of its two dropouts left out."""

    class DigitNet(_DIGIT_NET):
        def embed(self, x):
            x = F.relu(F.max_pool2d(self.conv1(x), 2))
            conv2 = self.conv2(x) if layer == "maps" else self.conv2_drop(self.conv2(x))
            x = F.relu(F.max_pool2d(conv2, 2))
            return F.relu(self.fc1(x.flatten(1)))

        def forward(self, x):
            h = self.embed(x)
            if layer != "hidden":
                h = F.dropout(h, self.dropout, training=self.training)
            return F.log_softmax(self.fc2(h), dim=1)

    return DigitNet


def test_6_3_a_digit_net_without_either_dropout_loses_points():
    _loses("6.3", _without("maps"), "conv2_drop is never applied")
    _loses("6.3", _without("hidden"), "the hidden layer gets no dropout")
    _full("6.3", _without("neither"))


def test_6_4_zero_grad_after_the_step_keeps_every_point():
    def train_step(model, optimizer, xb, yb):
        log_probs = model(xb)
        loss = F.nll_loss(log_probs, yb)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return loss.item(), int((log_probs.argmax(1) == yb).sum())

    _full("6.4", train_step)


def test_7_4_a_seeded_dataloader_loop_keeps_every_point():
    def train_head(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
        optimizer = torch.optim.Adam(head.parameters(), lr=lr)
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(features, labels),
            shuffle=True,
            batch_size=batch_size,
            generator=torch.Generator().manual_seed(seed),
        )
        head.train()
        losses = []
        for _ in range(epochs):
            total = 0.0
            for xb, yb in loader:
                optimizer.zero_grad()
                loss = F.cross_entropy(head(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(xb)
            losses.append(total / len(features))
        head.eval()
        return losses

    _full("7.6", train_head)


def test_8_1_without_to_device_loses_points():
    def embed(model, batch):
        model.eval()
        x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[:, None]
        with torch.no_grad():
            return model.embed(x).cpu().numpy()

    check, _ = _loses("8.1", embed, "move them with .to(")
    assert check.checks[0] == ("cases shown here", True)


def test_8_2_a_root_of_a_negative_round_off_loses_every_case():
    def ssd_matrix(a, b):
        squared = (a**2).sum(1)[:, None] + (b**2).sum(1)[None] - 2 * a @ b.T
        return np.sqrt(squared) ** 2  # nan where round-off made it negative

    check, out = graded("8.2", ssd_matrix)
    cases = [ok for name, ok in check.checks if "case" in name]
    assert not any(cases), out


def _knn_first_two_only(distances, train_labels, k):
    """Right when at most two labels tie: compares only the two most voted."""
    order = np.argsort(distances, axis=1)[:, :k]
    predictions = []
    for row in train_labels[order]:
        votes = np.bincount(row, minlength=train_labels.max() + 1)
        first, second = np.argsort(votes)[::-1][:2]
        if votes[first] == votes[second]:
            first = next(label for label in row if label in (first, second))
        predictions.append(first)
    return np.array(predictions)


def test_8_3_a_tie_rule_for_two_labels_only_loses_points():
    _loses("8.3", _knn_first_two_only, "a query whose neighbours' labels are")


def test_8_3_float_labels_lose_points_and_are_not_kept():
    knn = own(embedding.knn_predict)

    def knn_predict(distances, train_labels, k):
        return knn(distances, train_labels, k) * 1.0

    check, _ = _loses("8.3", knn_predict, "return integers")
    assert check.keep() is reference("8.3")
