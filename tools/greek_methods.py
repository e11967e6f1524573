"""Which features let k-NN read real Greek letters? (issue 11, research)

For every method (a preprocessing, a network, a layer, a distance) it
measures k-NN accuracy on

- ``LOO course``: the course's 27 real letters, each classified among the
  other 26 (leave-one-out, 1-NN and 3-NN);
- ``gen->real``: the project's generated alpha/beta/gamma as references,
  the 27 real letters as queries, and ``real->gen`` the other way round
  (the course's letters as references, as in lab 08's "your own letters");
- ``LOO gen``: the 36 generated letters, leave-one-out, and ``LOO gen6``
  all 72 (six letters);
- ``rewritten``: each real letter redrawn by ``REWRITES`` made-up writers
  (``rewrite``: slant, rotation, proportions, size, stroke width, pen
  pressure, paper) and classified among the other 26 originals, and
  ``rewritten gen6`` the same for the 72 generated letters;

and counts the betas read as gamma (the report's confusion) over all of
these. Few-shot adaptation (a new head and the hidden layer fine-tuned on
the labelled letters) is judged the same way, retrained for every
left-out letter.

Networks: lab 06's DigitNet from the workbook cache (quick and full
profile checkpoints, read only) and DigitNets trained here on augmented
MNIST (``utils.letters.augment``) with the quick and the full
profile's sizes, cached in ``<workbook cache>/greek_methods/``. Torch runs
on one thread (``--threads``): the machine is shared. Run

    python tools/greek_methods.py [--course DIR] [--train quick,full]
        [--prep course,stretch,mnist] [--adapt lab06-full,aug-full]
    python tools/greek_methods.py --analyse [--figure betas.png]

The course's letters are read from ``--course``, else
``$WORKBOOK_GREEK_COURSE``, else ``../shared/data/greek-course`` next to
the checkout; they are never copied into the project.
"""
from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils.config import cache_dir  # noqa: E402
from utils.data import load_mnist  # noqa: E402
from utils.saved.lab08_embedding import knn_predict, loo_knn_predictions  # noqa: E402
from utils.saved.lab08_embedding import ssd_matrix  # noqa: E402
from utils.greek import GREEK_DIR, course_preprocess  # noqa: E402
from utils.greek import load_letter_folder  # noqa: E402
from utils.handwriting import to_mnist  # noqa: E402
from utils.letters import augment, layer_features  # noqa: E402
from utils.letters import l2_normalise, rewrite  # noqa: E402
from utils.letters import train_augmented  # noqa: E402
from utils.saved.lab06_nets import DigitNet, save_digit_net, train_step  # noqa: E402

# MNIST images and epochs of the augmented networks: the profiles' sizes
SIZES = {"quick": (6_000, 3), "full": (50_000, 4), "long": (50_000, 8)}
PREPARE = {
    "course": course_preprocess,
    "stretch": lambda image: course_preprocess(image, stretch=True),
    "mnist": to_mnist,
}
REWRITES = 10  # made-up writers per real letter
SIX_REWRITES = 3  # and per generated letter (six letters)
ADAPT = {"degrees": 8.0, "shear": 0.2, "scale": (0.9, 1.1), "shift": 1.5,
         "elastic": 1.0, "smooth": 3.0, "stroke": 0.5}


def course_folder(given):
    """The folder of the course's letters (see the module docstring)."""
    for folder in (given, os.environ.get("WORKBOOK_GREEK_COURSE"),
                   ROOT.parent / "shared" / "data" / "greek-course"):
        if folder and Path(folder).expanduser().is_dir():
            return Path(folder).expanduser()
    sys.exit("no course letters: pass --course DIR or set "
             "WORKBOOK_GREEK_COURSE.")


def load_net(path):
    """A DigitNet from a checkpoint and its note, or (None, reason)."""
    if not path.exists():
        return None, f"no checkpoint {path}"
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = DigitNet(saved["embed_dim"], saved["dropout"])
    model.load_state_dict(saved["state_dict"])
    return model.eval(), saved.get("note", "")


def augmented_net(profile_name, retrain=False):
    """The augmented DigitNet of a profile's size: cached, else trained."""
    path = cache_dir("greek_methods") / f"digitnet_50_aug_{profile_name}.pt"
    if path.exists() and not retrain:
        model, note = load_net(path)
        return model, f"loaded: {note}"
    n_train, epochs = SIZES[profile_name]
    started = time.perf_counter()
    model, note = train_augmented(load_mnist(n_train, verbose=False), epochs)
    note += f", {time.perf_counter() - started:.0f} s on " \
            f"{torch.get_num_threads()} thread(s)"
    save_digit_net(model, path, note)
    return model, f"trained: {note}"


def adapt(model, x, y, n_classes, steps=150, seed=0):
    """A copy of model, its hidden layer and a new head tuned on (x, y)."""
    tuned = copy.deepcopy(model)
    tuned.fc2 = nn.Linear(tuned.embed_dim, n_classes)
    trainable = [*tuned.fc1.parameters(), *tuned.fc2.parameters()]
    for parameter in tuned.parameters():
        parameter.requires_grad_(False)
    for parameter in trainable:
        parameter.requires_grad_(True)
    optimizer = torch.optim.Adam(trainable, lr=1e-3)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    xt = torch.as_tensor(x, dtype=torch.float32)[:, None].repeat(4, 1, 1, 1)
    yt = torch.as_tensor(y).repeat(4)
    tuned.train()
    for _ in range(steps):
        train_step(tuned, optimizer, augment(xt, generator, **ADAPT), yt)
    return tuned.eval()


def accuracy(predicted, truth):
    """Fraction of predictions equal to the truth."""
    return float(np.mean(np.asarray(predicted) == np.asarray(truth)))


def beta_as_gamma(predicted, truth, names):
    """How many betas were read as gamma."""
    beta, gamma = names.index("beta"), names.index("gamma")
    return int(np.sum((np.asarray(truth) == beta)
                      & (np.asarray(predicted) == gamma)))


def rewritten_predictions(distances, source, labels, k=1):
    """k-NN of the rewritten letters among the originals but their own."""
    distances = distances.copy()
    distances[np.arange(len(source)), source] = np.inf
    return knn_predict(distances, labels, k)


def knn_scores(feature, sets, names):
    """The table's numbers for one feature function on the letter sets."""
    (cx, cy), (gx, gy), (rx, ry, source) = sets[:3]
    (sx, sy), (wx, wy, six_source) = sets[3:]
    cf, gf, rf, sf, wf = map(feature, (cx, gx, rx, sx, wx))
    runs = {"LOO course": (loo_knn_predictions(cf, cy, 1), cy),
            "LOO course 3-NN": (loo_knn_predictions(cf, cy, 3), cy),
            "gen->real": (knn_predict(ssd_matrix(cf, gf), gy, 1), cy),
            "real->gen": (knn_predict(ssd_matrix(gf, cf), cy, 1), gy),
            "LOO gen": (loo_knn_predictions(gf, gy, 1), gy),
            "rewritten": (rewritten_predictions(ssd_matrix(rf, cf), source,
                                                cy), ry)}
    row = {key: accuracy(*run) for key, run in runs.items()}
    row["beta->gamma"] = sum(beta_as_gamma(*run, names)
                             for run in runs.values())
    row["LOO gen6"] = accuracy(loo_knn_predictions(sf, sy, 1), sy)
    row["rewritten gen6"] = accuracy(rewritten_predictions(
        ssd_matrix(wf, sf), six_source, sy), wy)
    return row


def adapted_scores(model, sets, names):
    """Like ``knn_scores`` after few-shot adaptation, refitted per fold.

    Returns rows for two readers of the tuned network: "head" (its new
    last layer) and "1-NN" (cosine 1-NN in its tuned hidden layer).
    """
    (cx, cy), (gx, gy), (rx, ry, source) = sets[:3]
    k = len(names)

    def predict(tuned, refs, ref_labels, queries):
        q = l2_normalise(layer_features(tuned, queries))
        r = l2_normalise(layer_features(tuned, refs))
        return {"head": layer_features(tuned, queries, "digits").argmax(1),
                "1-NN": knn_predict(ssd_matrix(q, r), ref_labels, 1)}

    loo = {"head": [], "1-NN": []}
    rewritten = {how: np.zeros(len(ry), dtype=int) for how in loo}
    for i in range(len(cy)):
        keep, mine = np.arange(len(cy)) != i, source == i
        tuned = adapt(model, cx[keep], cy[keep], k, seed=i)
        one = predict(tuned, cx[keep], cy[keep], cx[i:i + 1])
        redrawn = predict(tuned, cx[keep], cy[keep], rx[mine])
        for how in loo:
            loo[how].append(one[how][0])
            rewritten[how][mine] = redrawn[how]
    to_real = predict(adapt(model, gx, gy, k), gx, gy, cx)
    to_gen = predict(adapt(model, cx, cy, k), cx, cy, gx)
    rows = {}
    for how in loo:
        runs = {"LOO course": (loo[how], cy), "gen->real": (to_real[how], cy),
                "real->gen": (to_gen[how], gy),
                "rewritten": (rewritten[how], ry)}
        rows[how] = {key: accuracy(*run) for key, run in runs.items()}
        rows[how]["beta->gamma"] = sum(beta_as_gamma(*run, names)
                                       for run in runs.values())
    return rows


def methods(nets):
    """(name, network or None, layer, cosine) of every k-NN method."""
    yield "pixels", None, "pixels", False
    yield "pixels", None, "pixels", True
    for net in nets:
        for layer in ("conv1", "conv2", "embed"):
            for cosine in (False, True):
                yield net, net, layer, cosine


def print_table(rows):
    """The methods table in Markdown."""
    keys = ["LOO course", "LOO course 3-NN", "gen->real", "real->gen",
            "LOO gen", "rewritten", "beta->gamma", "LOO gen6",
            "rewritten gen6"]
    print("| prep | features | layer | distance | "
          + " | ".join(keys) + " |")
    print("| --- " * (4 + len(keys)) + "|")
    for (prep, net, layer, distance), row in rows:
        cells = [f"{row[k]:.3f}" if isinstance(row.get(k), float)
                 else str(row.get(k, "-")) for k in keys]
        print(f"| {prep} | {net} | {layer} | {distance} | "
              + " | ".join(cells) + " |")


def fainter(image, pressure):
    """A photo with its ink ``pressure`` times as dark against the paper."""
    photo = np.asarray(image, dtype=np.float64)
    paper = np.median(photo)
    return np.clip(paper - pressure * (paper - photo), 0, 255).astype(np.uint8)


def analyse(images, cy, names, gen_images, gy, nets, figure=None):
    """Why betas are read as gamma: print the SSD 'sink' of each layer,
    a pen-pressure sweep, the SSD of misread betas split into its terms,
    and draw their nearest neighbours (``figure``: a PNG path)."""
    beta, gamma = names.index("beta"), names.index("gamma")
    cx = np.stack([course_preprocess(i) for i in images])
    print("\n## SSD sinks: mean feature length per letter (course's 27, "
          "course preprocessing); a weak query's SSD-nearest is the "
          "shortest\n")
    for net_name, model in nets.items():
        for layer in ("conv2", "embed"):
            norms = np.linalg.norm(layer_features(model, cx, layer), axis=1)
            means = [norms[cy == c].mean() for c in range(len(names))]
            print(f"{net_name} {layer}: " + ", ".join(
                f"{n} {m:.1f}" for n, m in zip(names, means))
                + f" -> sink {names[int(np.argmin(means))]}")
    print("\n## Pen-pressure sweep: the course's betas with fainter ink, "
          "each among the other 26 (1-NN): betas read as gamma / as "
          "alpha, of 9\n")
    pressures = (1.0, 0.7, 0.5, 0.35)
    faint = {p: np.stack([course_preprocess(fainter(images[i], p))
                          for i in np.flatnonzero(cy == beta)])
             for p in pressures}
    others = {i: np.flatnonzero(cy == beta)[i] for i in range(9)}
    for net_name, model in nets.items():
        for layer in ("conv2", "embed"):
            for cosine in (False, True):
                norm = l2_normalise if cosine else np.asarray
                refs = norm(layer_features(model, cx, layer))
                cells = []
                for p in pressures:
                    d = ssd_matrix(norm(layer_features(model, faint[p], layer)),
                                   refs)
                    d[list(others), list(others.values())] = np.inf
                    read = knn_predict(d, cy, 1)
                    cells.append(f"{p}: {np.sum(read == gamma)}/"
                                 f"{np.sum(read == names.index('alpha'))}")
                print(f"{net_name} {layer} {'cosine' if cosine else 'SSD'}"
                      ": " + "  ".join(cells))
    model = nets.get("lab06-full") or next(iter(nets.values()))
    gx = np.stack([course_preprocess(i) for i in gen_images])
    q_all, refs = layer_features(model, gx, "conv2"), layer_features(model, cx, "conv2")
    d = ssd_matrix(q_all, refs)
    misread = [i for i in np.flatnonzero(gy == beta)
               if cy[d[i].argmin()] == gamma]
    print(f"\n## Generated betas read as gamma by conv2 SSD among the "
          f"course's 27: {len(misread)} of {np.sum(gy == beta)}\n")
    print("| beta | length | nearest gamma: length, SSD | nearest beta: "
          "length, SSD | cosine reads |")
    print("| --- | --- | --- | --- | --- |")
    lengths = np.linalg.norm(refs, axis=1)
    cos_read = knn_predict(ssd_matrix(l2_normalise(q_all),
                                      l2_normalise(refs)), cy, 1)
    for i in misread:
        g = np.flatnonzero(cy == gamma)[d[i, cy == gamma].argmin()]
        b = np.flatnonzero(cy == beta)[d[i, cy == beta].argmin()]
        print(f"| {i - np.argmax(gy == beta) + 1} | "
              f"{np.linalg.norm(q_all[i]):.1f} | {lengths[g]:.1f}, "
              f"{d[i, g]:.0f} | {lengths[b]:.1f}, {d[i, b]:.0f} | "
              f"{names[cos_read[i]]} |")
    if figure and misread:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(len(misread), 4,
                                 figsize=(6, 1.6 * len(misread)))
        for row, i in zip(np.atleast_2d(axes), misread):
            row[0].imshow(gx[i], cmap="gray", vmin=0, vmax=1)
            row[0].set_title("generated beta", fontsize=8)
            for ax, j in zip(row[1:], np.argsort(d[i])[:3]):
                ax.imshow(cx[j], cmap="gray", vmin=0, vmax=1)
                ax.set_title(f"{names[cy[j]]}, SSD {d[i, j]:.0f}",
                             fontsize=8)
        for ax in np.ravel(axes):
            ax.axis("off")
        fig.tight_layout()
        fig.savefig(figure, dpi=80)
        print(f"\nnearest neighbours drawn in {figure}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", help="folder of <letter>/*.png")
    parser.add_argument("--train", default="quick,full",
                        help="augmented networks: quick,full,long")
    parser.add_argument("--retrain", action="store_true")
    parser.add_argument("--prep", default="course,stretch,mnist")
    parser.add_argument("--adapt", default="lab06-full,aug-full",
                        help="networks to adapt to the letters ('' none)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--analyse", action="store_true",
                        help="only the beta -> gamma analysis")
    parser.add_argument("--figure", help="PNG of the misread betas")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    images, cy, names = load_letter_folder(course_folder(args.course))
    gen_images, gy, _ = load_letter_folder(GREEK_DIR, letters=names)
    six_images, sy, _ = load_letter_folder(GREEK_DIR)
    nets = {}
    for name in ("quick", "full"):
        path = cache_dir("checkpoints", name) / "digitnet_50.pt"
        model, note = load_net(path)
        print(f"lab06-{name}: {note}")
        if model is not None:
            nets[f"lab06-{name}"] = model
    for name in filter(None, args.train.split(",")):
        started = time.perf_counter()
        model, note = augmented_net(name, args.retrain)
        print(f"aug-{name}: {note} ({time.perf_counter() - started:.0f} s)")
        nets[f"aug-{name}"] = model
    if args.analyse:
        analyse(images, cy, names, gen_images, gy, nets, args.figure)
        return
    rng = np.random.default_rng(0)
    source = np.repeat(np.arange(len(cy)), REWRITES)
    redrawn = [rewrite(images[i], rng) for i in source]
    six_source = np.repeat(np.arange(len(sy)), SIX_REWRITES)
    six_redrawn = [rewrite(six_images[i], rng) for i in six_source]
    rows = []
    for prep in args.prep.split(","):
        def prepared(photos, prep=prep):
            return np.stack([PREPARE[prep](photo) for photo in photos])

        sets = [(prepared(images), cy), (prepared(gen_images), gy),
                (prepared(redrawn), cy[source], source),
                (prepared(six_images), sy),
                (prepared(six_redrawn), sy[six_source], six_source)]
        for net_name, model_name, layer, cosine in methods(nets):
            model = nets.get(model_name)

            def feature(x, model=model, layer=layer, cosine=cosine):
                f = (x.reshape(len(x), -1) if model is None
                     else layer_features(model, x, layer))
                return l2_normalise(f) if cosine else f

            row = knn_scores(feature, sets, names)
            rows.append(((prep, net_name, layer,
                          "cosine" if cosine else "SSD"), row))
        for net_name in filter(None, args.adapt.split(",")):
            started = time.perf_counter()
            adapted = adapted_scores(nets[net_name], sets, names)
            for how, row in adapted.items():
                rows.append(((prep, net_name + " adapted", "fc1 + head",
                              how), row))
            print(f"adapted {prep} {net_name}: "
                  f"{time.perf_counter() - started:.0f} s")
    print_table(rows)


if __name__ == "__main__":
    main()
