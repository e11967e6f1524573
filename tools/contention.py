"""Each lab's main training step alone and beside busy cores, per thread setting.

Part of ``make bench`` (tools/benchmark.py). Every measurement runs in a fresh
process, so that a thread setting applies from the start as it does in a
lab's kernel; "busy cores" are processes that spin in a Python loop, as a
browser, the JupyterLab server or a neighbour on a shared node would keep a
core busy. Run alone: ``python tools/contention.py --help``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETTINGS = {
    "library defaults": {},
    "1 thread each": {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
    "OMP_WAIT_POLICY=PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_NUM_THREADS": "1"},
    "workbook policy": {"WORKBOOK_BENCH_POLICY": "1"},
}
CONDITIONS = (0, 1, 2)  # busy cores beside the measurement


def softmax_regression(steps=300, batch=256):
    """Lab 01/05: steps of softmax regression on 50,000 images (NumPy)."""
    from utils.saved.lab01_softmax import loss_and_grads

    rng = np.random.default_rng(0)
    X = rng.random((50_000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 50_000)
    W, b = np.zeros((784, 10), np.float32), np.zeros(10, np.float32)

    def run():
        nonlocal W, b
        order = rng.permutation(len(X))
        for step in range(steps):
            index = order[step * batch : (step + 1) * batch]
            _, dW, db = loss_and_grads(W, b, X[index], y[index])
            W, b = W - 1e-3 * dW, b - 1e-3 * db

    return run


def mlp_epoch():
    """Lab 03/04: one epoch of the 784-64-10 MLP on 50,000 images (NumPy)."""
    from utils.saved.lab03_mlp import init_mlp, train_epoch

    rng = np.random.default_rng(0)
    X = rng.random((50_000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 50_000)
    params = init_mlp(64, rng)
    return lambda: train_epoch(params, X, y, 256, 0.1, rng)


def _torch_epoch(model, n=10_000, batch=128):
    import torch

    from utils.saved.lab06_nets import train_net_epoch

    torch.manual_seed(0)
    model = model.to(memory_format=torch.channels_last)
    x, y = torch.rand(n, 1, 28, 28), torch.randint(0, 10, (n,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(0)
    return lambda: train_net_epoch(model, x, y, optimizer, batch, generator, "cpu")


def lenet_epoch():
    """Lab 06: one epoch of LeNet on 10,000 images, batch 128, Adam (PyTorch)."""
    from torch import nn

    return _torch_epoch(
        nn.Sequential(
            nn.Conv2d(1, 6, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(256, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, 10),
            nn.LogSoftmax(dim=1),
        )
    )


def digitnet_epoch():
    """Lab 06/08: one epoch of DigitNet on 10,000 images, batch 128 (PyTorch)."""
    from utils.saved.lab06_nets import DigitNet

    return _torch_epoch(DigitNet())


def lite0_features(n=256, size=96):
    """Lab 07: EfficientNet-Lite0 features of 256 images at 96 px (PyTorch)."""
    import torch

    from utils.efficientnet import load_lite0

    model = load_lite0().to(memory_format=torch.channels_last)
    images = torch.rand(n, 3, size, size).contiguous(memory_format=torch.channels_last)

    def run():
        with torch.no_grad():
            for start in range(0, n, 64):
                model(images[start : start + 64])

    return run


WORKLOADS = {
    "01/05 softmax regression, 300 steps (NumPy)": softmax_regression,
    "03/04 MLP epoch, 50,000 images (NumPy)": mlp_epoch,
    "06 LeNet epoch, 10,000 images (PyTorch)": lenet_epoch,
    "06/08 DigitNet epoch, 10,000 images (PyTorch)": digitnet_epoch,
    "07 Lite0 features, 256 images (PyTorch)": lite0_features,
}


def worker(workload: str, repeats: int) -> None:
    """Time ``repeats`` runs of a workload after one warm-up; print JSON."""
    import torch

    adapt = None
    if os.environ.get("WORKBOOK_BENCH_POLICY"):
        from utils import threads

        threads.use_thread_policy()
        adapt = threads.adapt
        time.sleep(threads.WINDOW_S + threads.SAMPLE_S)
    run = WORKLOADS[workload]()
    times, used = [], []
    for index in range(repeats + 1):
        if adapt:
            adapt()  # as utils.config.progress does before every epoch
        used.append(torch.get_num_threads())
        start = time.perf_counter()
        run()
        if index:
            times.append(time.perf_counter() - start)
    print(json.dumps({"times": times, "threads": used}))


@contextlib.contextmanager
def busy_cores(count: int):
    """Within the block, ``count`` processes keep a core busy each (ended by PID after)."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        time.sleep(0.3 if count else 0)  # running before the work starts
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def measure(workload: str, setting: str, busy: int, repeats: int) -> dict:
    """Run one worker with ``busy`` spinning processes beside it."""
    env = {**os.environ, **SETTINGS[setting]}
    with busy_cores(busy):
        out = subprocess.run(
            [sys.executable, __file__, "--worker", workload, "--repeats", str(repeats)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return json.loads(out.strip().splitlines()[-1])


def table(workloads, settings, repeats: int) -> list[str]:
    """Return the contention table as Markdown lines (median seconds per run)."""
    head = "| work | threads | alone (s) | 1 busy core | 2 busy cores | 1 busy / alone |"
    lines = [head, "| --- | --- | ---: | ---: | ---: | ---: |"]
    for workload in workloads:
        for setting in settings:
            medians = {}
            for busy in CONDITIONS:
                result = measure(workload, setting, busy, repeats)
                medians[busy] = statistics.median(result["times"])
            lines.append(
                f"| {workload} | {setting} | {medians[0]:.3f} | {medians[1]:.3f} "
                f"| {medians[2]:.3f} | {medians[1] / medians[0]:.2f}x |"
            )
            print(lines[-1], flush=True)
    return lines


def main(argv=None) -> None:
    """Print the contention table (or, with --worker, time one workload)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=list(WORKLOADS), help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (default 3)")
    parser.add_argument("--settings", nargs="*", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--workloads", nargs="*", default=list(WORKLOADS), choices=list(WORKLOADS))
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.repeats)
        return
    print(
        f"Contention: {len(os.sched_getaffinity(0))} CPUs; median of {args.repeats} runs "
        "after a warm-up, each setting in a fresh process; busy cores spin in Python."
    )
    table(args.workloads, args.settings, args.repeats)


if __name__ == "__main__":
    main()
