"""The thread policy: usable CPUs from affinity and quota, busy CPUs, thread counts."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from utils import threads

ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cgroup_v2_quota_is_read_from_the_process_folder_and_its_parents(tmp_path):
    proc = tmp_path / "proc_cgroup"
    write(proc, "0::/kubepods/pod1/container\n")
    root = tmp_path / "cg"
    write(root / "kubepods/pod1/container/cpu.max", "max 100000\n")
    write(root / "kubepods/pod1/cpu.max", "250000 100000\n")
    write(root / "kubepods/cpu.max", "800000 100000\n")
    quota, folder = threads.cpu_quota(root, proc)
    assert quota == pytest.approx(2.5)
    assert folder == root / "kubepods/pod1"


def test_cgroup_v1_quota_and_no_quota(tmp_path):
    proc = tmp_path / "proc_cgroup"
    write(proc, "4:memory:/x\n3:cpu,cpuacct:/docker/abc\n")
    root = tmp_path / "cg"
    write(root / "cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "150000\n")
    write(root / "cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n")
    assert threads.cpu_quota(root, proc)[0] == pytest.approx(1.5)
    write(root / "cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "-1\n")
    assert threads.cpu_quota(root, proc) == (None, None)
    assert threads.cpu_quota(root, tmp_path / "missing") == (None, None)


def test_usable_cpus_takes_the_smaller_of_affinity_and_quota(monkeypatch):
    monkeypatch.setattr(threads, "affinity", lambda: list(range(64)))
    monkeypatch.setattr(threads, "cpu_quota", lambda: (2.0, Path("/x")))
    assert threads.usable_cpus() == 2
    monkeypatch.setattr(threads, "cpu_quota", lambda: (0.5, Path("/x")))
    assert threads.usable_cpus() == 1
    monkeypatch.setattr(threads, "cpu_quota", lambda: (None, None))
    assert threads.usable_cpus() == 64


def test_busy_seconds_counts_only_the_allowed_cpus_and_not_idle_or_iowait():
    tick = threads.os.sysconf("SC_CLK_TCK")
    stat = (
        "cpu  900 0 900 900 900 0 0 0 0 0\n"
        "cpu0 100 10 50 1000 500 1 2 3 0 0\n"
        "cpu1 400 0 400 0 0 0 0 0 0 0\n"
        "intr 12345\n"
    )
    assert threads.busy_seconds([0], stat) == pytest.approx(166 / tick)
    assert threads.busy_seconds([0, 1], stat) == pytest.approx(966 / tick)


def test_cgroup_seconds_v1_and_v2(tmp_path):
    write(tmp_path / "a/cpu.stat", "usage_usec 2500000\nuser_usec 1\n")
    write(tmp_path / "b/cpuacct.usage", "3000000000\n")
    assert threads.cgroup_seconds(tmp_path / "a") == pytest.approx(2.5)
    assert threads.cgroup_seconds(tmp_path / "b") == pytest.approx(3.0)
    assert threads.cgroup_seconds(tmp_path / "c") is None


@pytest.mark.parametrize(
    "others, usable, expected",
    [
        (0.0, 2, 2),
        (0.25, 2, 2),
        (0.5, 2, 1),
        (1.0, 2, 1),
        (2.0, 2, 1),
        (0.0, 1, 1),
        (1.0, 8, 7),
        (3.2, 8, 5),
        (0.0, 64, 64),
    ],
)
def test_free_cpus(others, usable, expected):
    assert threads.free_cpus(others, usable) == expected


def test_monitor_estimate_from_two_samples():
    monitor = threads.CpuMonitor()
    monitor.samples.extend([(0.0, 10.0, None), (1.0, 11.5, None)])
    assert monitor.others() == pytest.approx(1.5)
    monitor.samples.clear()
    monitor.samples.extend([(0.0, 1.0, 5.0), (2.0, 1.2, 7.0)])
    assert monitor.others() == pytest.approx(1.0)  # the container's measure is larger
    monitor.samples.clear()
    assert monitor.others() == 0.0  # nothing measured yet: assume a quiet machine


SCRIPT = """
import json, subprocess, sys, time
import numpy
import torch
from threadpoolctl import threadpool_info
from utils import threads

def counts():
    return sorted({i["num_threads"] for i in threadpool_info()}), torch.get_num_threads()

line = threads.use_thread_policy()
time.sleep(1.5)
alone = threads.adapt(), *counts()
spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(threads._monitor.usable)]
try:
    time.sleep(1.8)
    busy = threads.adapt(), *counts()
finally:
    for spinner in spinners:
        spinner.kill()
print(json.dumps({"line": line, "alone": alone, "busy": busy,
                  "usable": threads._monitor.usable}))
"""


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="needs Linux's /proc/stat")
def test_policy_in_a_fresh_process_gives_one_thread_beside_busy_cores():
    """BLAS, OpenMP and PyTorch all follow: one thread once every other CPU is busy."""
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["line"].startswith("threads: ")
    assert result["line"].endswith(
        f"of {result['usable']} usable CPUs (fewer while other processes are busy)"
    )
    assert result["busy"] == [1, [1], 1]
    count, libraries, torch_threads = result["alone"]
    assert 1 <= count <= result["usable"] and libraries == [count] and torch_threads == count


def test_progress_adapts_the_threads_at_every_item(monkeypatch):
    from utils import config

    calls = []
    monkeypatch.setattr(threads, "adapt", lambda: calls.append(time.monotonic()))
    assert list(config.progress(range(4))) == [0, 1, 2, 3]
    assert len(calls) == 4


def test_every_lab_applies_the_policy_in_its_set_up_cell():
    for path in sorted((ROOT / "labs").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        set_up = next(
            "".join(c["source"])
            for c in cells
            if c["cell_type"] == "code" and "seed_everything(0)" in "".join(c["source"])
        )
        assert "use_thread_policy()" in set_up, path.name
        assert "threadpool_limits" not in set_up, path.name


def test_in_ipython_the_policy_looks_again_before_every_cell(monkeypatch):
    import IPython

    registered = []

    class Events:
        def register(self, name, function):
            registered.append((name, function))

    class Shell:
        events = Events()

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    monkeypatch.setattr(threads, "_monitor", None)
    monkeypatch.setattr(threads, "_threads", None)
    threads.use_thread_policy()
    assert [name for name, _ in registered] == ["pre_run_cell"]
    registered[0][1](None)  # what IPython calls before a cell
    assert 1 <= threads._threads <= threads._monitor.usable
