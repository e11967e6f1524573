"""How many threads NumPy and PyTorch use, so a lab stays fast beside a busy core.

Measured on two cores (``make bench``, README): a second thread makes the
labs' BLAS and PyTorch work 1.2-1.9x faster on a quiet machine, and 3-4x
slower when another process (a browser, the JupyterLab server, a neighbour on
a shared JupyterHub node) keeps a core busy: every parallel region waits for
the thread that lost its core, and the waiting threads spin.

The policy, set by the set-up cell of every lab (``use_thread_policy``):
NumPy's BLAS, PyTorch and any other OpenMP library (scikit-learn's) run one
thread per usable CPU that other processes leave free. A background sampler
measures, every quarter second, the CPU time of the machine (or of the
container, when it has a CPU quota) minus this process's own; the thread
count follows it before every cell and at every step of a progress bar
(``utils.config.progress``) or of a training panel.

Usable CPUs are those of the process's affinity mask and its container's CPU
quota (cgroup v1 or v2), not the host's: a JupyterHub pod limited to two CPUs
on a 64-core node gets two threads.
"""

from __future__ import annotations

import collections
import math
import os
import sys
import threading
import time
from pathlib import Path

SAMPLE_S = 0.25  # seconds between two samples of the CPU counters
WINDOW_S = 1.0  # seconds of samples that the busy estimate averages over
BUSY_SHARE = 0.3  # a CPU counts as taken when others use more than this share
CGROUP = Path("/sys/fs/cgroup")
PROC_STAT = Path("/proc/stat")


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _cgroup_dirs(root: Path = CGROUP, proc_cgroup: Path = Path("/proc/self/cgroup")):
    """Yield the folders, innermost first, that may hold this process's CPU controller."""
    for line in (_read(proc_cgroup) or "").splitlines():
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # cgroup v2
            bases = [root]
        elif "cpu" in controllers.split(","):  # cgroup v1
            bases = [root / controllers, root / "cpu,cpuacct", root / "cpu"]
        else:
            continue
        parts = Path(path).parts[1:]
        for base in bases:
            for depth in range(len(parts), -1, -1):
                yield base.joinpath(*parts[:depth])


def cpu_quota(root: Path = CGROUP, proc_cgroup: Path = Path("/proc/self/cgroup")):
    """Return (CPUs allowed by the container's quota, its folder), or (None, None)."""
    best, where = None, None
    for folder in _cgroup_dirs(root, proc_cgroup):
        quota = None
        v2 = _read(folder / "cpu.max")
        if v2 and not v2.startswith("max"):
            limit, period = v2.split()[:2]
            quota = int(limit) / int(period)
        v1 = _read(folder / "cpu.cfs_quota_us")
        if v1 and int(v1) > 0:
            quota = int(v1) / int(_read(folder / "cpu.cfs_period_us") or 100_000)
        if quota is not None and (best is None or quota < best):
            best, where = quota, folder
    return best, where


def affinity() -> list[int]:
    """Return the CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def usable_cpus() -> int:
    """Return how many CPUs this process may really use: affinity and quota."""
    quota, _ = cpu_quota()
    cpus = len(affinity())
    return max(1, min(cpus, math.ceil(quota))) if quota else cpus


def busy_seconds(cpus, stat_text: str) -> float:
    """Return the CPU seconds spent on ``cpus`` (not idle, not waiting for I/O)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    wanted = {f"cpu{i}" for i in cpus}
    total = 0
    for line in stat_text.splitlines():
        fields = line.split()
        if fields and fields[0] in wanted:
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[1:9])
            total += user + nice + system + irq + softirq + steal
    return total / tick


def cgroup_seconds(folder: Path) -> float | None:
    """Return the CPU seconds used by the processes of a cgroup folder."""
    v2 = _read(folder / "cpu.stat")
    if v2:
        for line in v2.splitlines():
            if line.startswith("usage_usec"):
                return int(line.split()[1]) / 1e6
    v1 = _read(folder / "cpuacct.usage")
    return int(v1) / 1e9 if v1 else None


def free_cpus(others: float, usable: int) -> int:
    """Return the threads to run: usable CPUs minus those other processes take."""
    taken = math.ceil(max(0.0, others - BUSY_SHARE))
    return max(1, usable - taken)


class CpuMonitor:
    """Samples the CPU time of other processes in a daemon thread."""

    def __init__(self):
        self.cpus = affinity()
        self.usable = usable_cpus()
        _, self.quota_dir = cpu_quota()
        self.samples = collections.deque()
        self.lock = threading.Lock()
        self.thread = None

    def sample(self):
        """Return (time, busy seconds of others on our CPUs, of others in our cgroup)."""
        own = time.process_time()
        stat = _read(PROC_STAT)
        host = busy_seconds(self.cpus, stat) - own if stat else None
        group = cgroup_seconds(self.quota_dir) if self.quota_dir else None
        return time.monotonic(), host, None if group is None else group - own

    def _loop(self):
        while True:
            now = self.sample()
            with self.lock:
                self.samples.append(now)
                while now[0] - self.samples[0][0] > WINDOW_S + SAMPLE_S:
                    self.samples.popleft()
            time.sleep(SAMPLE_S)

    def start(self):
        """Start sampling (once)."""
        if self.thread is None:
            self.thread = threading.Thread(
                target=self._loop, daemon=True, name="workbook-cpu-monitor"
            )
            self.thread.start()

    def others(self) -> float:
        """Return the CPUs that other processes used over the last second (0 if unknown)."""
        with self.lock:
            if len(self.samples) < 2:
                return 0.0
            (t0, host0, group0), (t1, host1, group1) = self.samples[0], self.samples[-1]
        elapsed = t1 - t0
        busy = [
            max(0.0, (b - a) / elapsed)
            for a, b in ((host0, host1), (group0, group1))
            if a is not None and b is not None
        ]
        return max(busy, default=0.0)

    def threads(self) -> int:
        """Return the thread count to use now."""
        return free_cpus(self.others(), self.usable)


_monitor: CpuMonitor | None = None
_threads: int | None = None


def set_threads(count: int) -> None:
    """Give BLAS, PyTorch and every loaded OpenMP library ``count`` threads."""
    global _threads
    if count == _threads:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(count)  # every BLAS and OpenMP library loaded so far
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(count)
    _threads = count


def adapt() -> int | None:
    """Set the thread count to the CPUs free now; return it (None: no policy)."""
    if _monitor is None:
        return None
    count = _monitor.threads()
    set_threads(count)
    return count


def use_thread_policy() -> str:
    """Apply the policy (set-up cell of every lab); return a line that describes it."""
    global _monitor
    if _monitor is None:
        _monitor = CpuMonitor()
        _monitor.start()
        from IPython import get_ipython

        shell = get_ipython()  # None outside IPython (scripts, unit tests)
        if shell is not None:
            shell.events.register("pre_run_cell", lambda *_: adapt())
        time.sleep(SAMPLE_S + 0.05)  # two samples: the next cell already knows
    adapt()
    return describe()


def describe() -> str:
    """Return the thread settings in force, for the lab's banner."""
    if _monitor is None:
        return "threads: library defaults"
    return (
        f"threads: {_threads} of {_monitor.usable} usable CPUs "
        "(fewer while other processes are busy)"
    )
