"""Speed benchmark (``make bench``, not a test).

The lab-03 NumPy MLP, its floor, PyTorch, contention.

In one process it times one training epoch of the 784 -> 64 sigmoid -> 10
softmax network over 50,000 samples with minibatch SGD (batch 256, float32):
once with ``utils.saved.lab03_mlp.train_epoch`` (the code lab 03 teaches), once as the
epoch's five matrix products alone at the same shapes (the GEMM floor: what
the epoch would cost with no elementwise work, copies or Python), and once
with the same network, loss and optimiser in PyTorch. NumPy runs with one
BLAS thread and with one per usable CPU (what the labs' thread policy,
``utils.threads``, gives beside a busy core and on a quiet machine), PyTorch
with one per usable CPU. All are set
against the machine's float32 matrix-multiply peak. Then
``tools/contention.py`` times each lab's main training step alone and beside
one and two busy cores, for each thread setting considered. The samples are
synthetic random data of MNIST's shape (speed does not depend on the pixel
values), so the benchmark needs no download. Medians over several repeats are
reported; on a shared machine the spread matters, so it is printed as well.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from utils.saved.lab03_mlp import init_mlp, train_epoch

N_IN, N_OUT = 784, 10
GOAL_RATIO_TO_TORCH = 0.6  # NumPy epoch time / PyTorch epoch time should be at most this
GOAL_RATIO_TO_FLOOR = 1.3  # NumPy epoch time / its own matrix products should be at most this


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo (Linux) or platform."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_description() -> str:
    """Return the BLAS libraries and thread counts NumPy/torch loaded, via threadpoolctl if
    installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    parts = [
        f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads, "
        f"{Path(i.get('filepath', '')).name})"
        for i in threadpool_info()
    ]
    return "; ".join(parts) or "none found"


def epoch_flops(n_samples: int, hidden: int) -> float:
    """Return the floating-point operations of the matmuls of one epoch (forward + backward)."""
    forward = 2 * (N_IN * hidden + hidden * N_OUT)
    backward = 2 * (N_IN * hidden + hidden * N_OUT) + 2 * N_OUT * hidden  # dW1, dW2, and dL/dF1
    return float(n_samples) * (forward + backward)


def timed(function, repeats: int, warmup: int = 1) -> list[float]:
    """Return the wall-clock seconds of ``repeats`` calls of ``function`` after ``warmup`` calls."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def numpy_epoch(X, y, hidden, batch, learning_rate, seed):
    """Return a function that trains the lab-03 NumPy MLP for one epoch."""
    rng = np.random.default_rng(seed)
    params = init_mlp(hidden, rng)
    return lambda: train_epoch(params, X, y, batch, learning_rate, rng), params


def torch_epoch(X, y, params, batch, learning_rate, seed):
    """Return a function that trains the same network in PyTorch (CPU, float32) for one epoch."""
    import torch

    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(N_IN, params["W1"].shape[0]),
        torch.nn.Sigmoid(),
        torch.nn.Linear(params["W1"].shape[0], N_OUT),
    )
    with torch.no_grad():
        for layer, (w, b) in zip((model[0], model[2]), (("W1", "b1"), ("W2", "b2"))):
            layer.weight.copy_(torch.from_numpy(params[w]))
            layer.bias.copy_(torch.from_numpy(params[b]))
    optimiser = torch.optim.SGD(model.parameters(), lr=learning_rate)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()  # mean over the batch, like the lab

    def epoch():
        order = torch.randperm(len(X_t))
        for start in range(0, len(X_t), batch):
            index = order[start : start + batch]
            optimiser.zero_grad(set_to_none=True)
            loss = loss_fn(model(X_t[index]), y_t[index])
            loss.backward()
            optimiser.step()

    return epoch


def gemm_floor(X, hidden, batch):
    """Return a function running one epoch's five matrix products at their shapes.

    Per batch: X_b W1^T and F1 W2^T forward; dA2 W2, dA1^T X_b and dA2^T F1
    backward. The rows are contiguous slices, so no gather or copy is timed.
    """
    rng = np.random.default_rng(1)
    W1 = rng.random((hidden, N_IN), dtype=np.float32)
    W2 = rng.random((N_OUT, hidden), dtype=np.float32)
    F1 = rng.random((batch, hidden), dtype=np.float32)
    dA1 = rng.random((batch, hidden), dtype=np.float32)
    dA2 = rng.random((batch, N_OUT), dtype=np.float32)

    def epoch():
        for start in range(0, len(X), batch):
            rows = X[start : start + batch]
            n = len(rows)
            rows @ W1.T
            F1[:n] @ W2.T
            dA2[:n] @ W2
            dA1[:n].T @ rows
            dA2[:n].T @ F1[:n]

    return epoch


def matmul_peak(size: int, repeats: int) -> dict[str, float]:
    """Return the median float32 matmul GFLOP/s of NumPy and torch on square matrices of
    ``size``."""
    import torch

    rng = np.random.default_rng(0)
    a = rng.random((size, size), dtype=np.float32)
    b = rng.random((size, size), dtype=np.float32)
    flops = 2.0 * size**3
    result = {"numpy": flops / statistics.median(timed(lambda: a @ b, repeats)) / 1e9}
    at, bt = torch.from_numpy(a), torch.from_numpy(b)
    result["torch"] = flops / statistics.median(timed(lambda: at @ bt, repeats)) / 1e9
    return result


def row(name: str, values: list[float], flops: float, peak: float, torch_median: float) -> str:
    """Return one Markdown row of the epoch table."""
    median = statistics.median(values)
    rate = flops / median / 1e9
    return (
        f"| {name:<34} | {median:16.3f} | {min(values):.3f}-{max(values):.3f} | {rate:7.1f} "
        f"| {100 * rate / peak:15.1f}% | {median / torch_median:14.2f} |"
    )


def main(argv=None) -> None:
    """Run the benchmark and print the machine and the result tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--samples", type=int, default=50_000, help="samples per epoch (default 50,000)"
    )
    parser.add_argument(
        "--repeats", type=int, default=7, help="timed epochs per implementation (default 7)"
    )
    parser.add_argument("--hidden", type=int, default=64, help="hidden width (default 64)")
    parser.add_argument("--batch", type=int, default=256, help="batch size (default 256)")
    parser.add_argument("--no-contention", action="store_true", help="skip the contention table")
    args = parser.parse_args(argv)

    import torch
    from threadpoolctl import threadpool_limits

    from utils.threads import usable_cpus

    cores = usable_cpus()
    torch.set_num_threads(cores)
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print("Machine")
    print(f"  CPU      : {cpu_model()} ({cores} usable CPUs)")
    print(
        f"  Python   : {platform.python_version()}, numpy {np.__version__}, "
        f"torch {torch.__version__} "
        f"({torch.get_num_threads()} threads)"
    )
    print(f"  BLAS     : {blas_description()}")
    print(f"  load avg : {load_before[0]:.2f} (1 min) before the run")
    print(
        f"Workload: {args.samples:,} synthetic random samples of MNIST shape "
        f"(784 float32 values, 10 classes), network 784-{args.hidden}-10 "
        f"sigmoid/softmax, batch {args.batch}, SGD, float32; "
        f"median of {args.repeats} epochs after 1 warm-up epoch; NumPy with one BLAS thread "
        f"(the labs' policy beside a busy core) and with {cores} (on a quiet machine), PyTorch "
        f"with {cores}.\n"
    )

    rng = np.random.default_rng(0)
    X = rng.random((args.samples, N_IN), dtype=np.float32)
    y = rng.integers(0, N_OUT, args.samples)
    flops = epoch_flops(args.samples, args.hidden)

    run_numpy, params = numpy_epoch(X, y, args.hidden, args.batch, 0.1, seed=0)
    run_torch = torch_epoch(X, y, params, args.batch, 0.1, seed=0)
    floor = gemm_floor(X, args.hidden, args.batch)
    numpy_times, floor_times = {}, {}
    for threads in sorted({1, cores}):
        with threadpool_limits(threads):
            numpy_times[threads] = timed(run_numpy, args.repeats)
            floor_times[threads] = timed(floor, args.repeats)
    torch_times = timed(run_torch, args.repeats)
    peaks = matmul_peak(2048, max(args.repeats, 5))
    peak = max(peaks.values())
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3

    torch_median = statistics.median(torch_times)
    print(f"FLOPs per epoch (forward + backward matmuls): {flops / 1e9:.2f} GFLOP")
    print(
        f"float32 matmul peak (2048x2048, {cores} threads): numpy {peaks['numpy']:.0f} GFLOP/s, "
        f"torch {peaks['torch']:.0f} GFLOP/s -> peak {peak:.0f} GFLOP/s\n"
    )
    header = (
        f"| {'implementation':<34} | median epoch (s) | min-max (s) | GFLOP/s | % of matmul peak "
        f"| time / PyTorch |"
    )
    print(header)
    print("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:-1]) + "|")
    for threads in numpy_times:
        print(
            row(
                f"NumPy (lab 03), {threads} BLAS thread(s)",
                numpy_times[threads],
                flops,
                peak,
                torch_median,
            )
        )
        print(
            row(
                f"GEMM floor, {threads} BLAS thread(s)",
                floor_times[threads],
                flops,
                peak,
                torch_median,
            )
        )
    print(row(f"PyTorch (same network, {cores} threads)", torch_times, flops, peak, torch_median))
    print()
    for threads in numpy_times:
        numpy_median = statistics.median(numpy_times[threads])
        to_floor = numpy_median / statistics.median(floor_times[threads])
        print(
            f"{threads} thread(s): goal NumPy epoch <= {GOAL_RATIO_TO_FLOOR}x its own matrix "
            f"products: {to_floor:.2f}x -> "
            f"{'met' if to_floor <= GOAL_RATIO_TO_FLOOR else 'NOT met'}"
        )
    to_torch = statistics.median(numpy_times[cores]) / torch_median
    print(
        f"{cores} threads each: goal NumPy time <= {GOAL_RATIO_TO_TORCH}x PyTorch: "
        f"{to_torch:.2f}x -> "
        f"{'met' if to_torch <= GOAL_RATIO_TO_TORCH else 'NOT met'}"
    )
    print(
        f"Noise: load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        "the min-max columns "
        "show the spread between repeats.\n"
    )
    if not args.no_contention:
        from contention import main as contention

        contention([])


if __name__ == "__main__":
    main()
