"""Instruments for one benchmark process: stage timers and a memory sampler.

The stage timers wrap dossier's own functions from outside (the pipeline carries no
benchmark code). Time is counted exclusively: a timed function called inside another
timed function is subtracted from its caller, so the stages add up to the time spent in
dossier's code. The outermost calls are also kept as intervals; the run's wall time minus
their union is the time spent outside dossier's code (Prefect's orchestration).
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# (module path, attribute, stage). The stages named in issue 7; "warehouse write" covers
# every function of a run that holds a warehouse connection, minus the work nested in it.
TARGETS: list[tuple[str, str, str]] = [
    ("dossier.ingest.feeds", "parse_feed", "feed parse"),
    ("dossier.ingest.fetch", "Fetcher.get", "fetch"),
    ("dossier.pipeline.fetch", "decode_page", "text extraction"),
    ("dossier.pipeline.fetch", "extract_article", "text extraction"),
    ("dossier.pipeline.analyse", "analyse_articles", "NLP: spaCy pipeline"),
    ("dossier.extract.analyse", "Analyser.analyse_doc", "NLP: evidence rules"),
    ("dossier.pipeline.write", "signature", "near-duplicate clustering"),
    ("dossier.pipeline.write", "assign_clusters", "near-duplicate clustering"),
    ("dossier.profiles.refresh", "assemble_profile", "assembly"),
    ("dossier.profiles.assemble", "score_profile", "scoring"),
    ("dossier.profiles.assemble", "rate_impact", "scoring"),
    ("dossier.profiles.assemble", "rate_criticality", "scoring"),
    ("dossier.profiles.assemble", "rate_time_horizon", "scoring"),
    ("dossier.pipeline.write", "score_claim", "scoring"),
    ("dossier.pipeline.fetch", "poll_one", "other pipeline code"),
    ("dossier.pipeline.fetch", "fetch_articles", "other pipeline code"),
    ("dossier.pipeline.record", "open_run", "warehouse write"),
    ("dossier.pipeline.plan", "load_feed_configs", "warehouse write"),
    ("dossier.pipeline.plan", "record_polls", "warehouse write"),
    ("dossier.pipeline.plan", "plan_fetches", "warehouse write"),
    ("dossier.pipeline.write", "write_batch", "warehouse write"),
    ("dossier.pipeline.refresh", "refresh_profiles", "warehouse write"),
    ("dossier.pipeline.record", "close_run", "warehouse write"),
    ("dossier.pipeline.write", "failure_rows", "warehouse write"),
]


class StageClock:
    """Exclusive seconds per stage, and the intervals of the outermost timed calls.

    Beside wall seconds, each stage's CPU seconds of the thread it ran on (`cpu`, nested
    timed work subtracted likewise). The two part where threads run at once: the fetch
    threads each count the wall time they waited for the interpreter lock as text
    extraction, and `fetch_articles` counts its wait for them as its own (it does no work
    meanwhile); their CPU seconds are the work done."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.intervals: list[tuple[float, float]] = []
        self._local = threading.local()
        self._lock = threading.Lock()
        self._undo: list[Callable[[], None]] = []

    def wrap(self, stage: str, func: Callable[..., Any]) -> Callable[..., Any]:
        clock = self

        @functools.wraps(func)
        def timed(*args: Any, **kwargs: Any) -> Any:
            stack = getattr(clock._local, "stack", None)
            if stack is None:
                stack = clock._local.stack = []
            stack.append([0.0, 0.0])  # wall and CPU time of nested timed calls
            start, cpu_start = time.perf_counter(), time.thread_time()
            try:
                return func(*args, **kwargs)
            finally:
                end, cpu_end = time.perf_counter(), time.thread_time()
                nested, nested_cpu = stack.pop()
                with clock._lock:
                    clock.seconds[stage] += (end - start) - nested
                    clock.cpu[stage] += (cpu_end - cpu_start) - nested_cpu
                    clock.calls[stage] += 1
                    if not stack:
                        clock.intervals.append((start, end))
                if stack:
                    stack[-1][0] += end - start
                    stack[-1][1] += cpu_end - cpu_start

        return timed

    def install(self, targets: list[tuple[str, str, str]] = TARGETS) -> None:
        """Wrap every target in place (undone by `uninstall`)."""
        import importlib

        for module_name, attr, stage in targets:
            owner: Any = importlib.import_module(module_name)
            *path, name = attr.split(".")
            for part in path:
                owner = getattr(owner, part)
            original = getattr(owner, name)
            setattr(owner, name, self.wrap(stage, original))
            self._undo.append(functools.partial(setattr, owner, name, original))

    def uninstall(self) -> None:
        while self._undo:
            self._undo.pop()()

    def reset(self) -> None:
        with self._lock:
            self.seconds.clear()
            self.cpu.clear()
            self.calls.clear()
            self.intervals.clear()

    def covered(self, start: float, end: float) -> float:
        """Seconds within [start, end] covered by at least one outermost timed call."""
        total, reach = 0.0, start
        for a, b in sorted(self.intervals):
            a, b = max(a, reach), min(b, end)
            if b > a:
                total += b - a
                reach = b
        return total


# --- CPU --------------------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process (its own threads, not its children)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
        return 0.0


def tree_cpu_s() -> float:
    """CPU seconds used so far by this process, its finished children, and its live descendants
    (Prefect's API server left out, as in the memory figure)."""
    times = os.times()
    me = os.getpid()
    live = sum(_proc_cpu_s(pid) for pid in _tree(me) if pid != me)
    return times.user + times.system + times.children_user + times.children_system + live


def host_cpu() -> dict[str, float]:
    """The machine's CPU counters (seconds, all cores): busy, idle and stolen by the hypervisor."""
    with open("/proc/stat", encoding="ascii") as fh:
        values = [int(v) / _TICKS for v in fh.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0.0] * 8)[:8]
    return {"busy": user + nice + system + irq + softirq, "idle": idle + iowait, "steal": steal}


class CpuMeter:
    """CPU seconds of this process tree and of the whole machine between `start` and `stop`."""

    def start(self) -> CpuMeter:
        self._tree_cpu, self._host, self._wall = tree_cpu_s(), host_cpu(), time.perf_counter()
        return self

    def stop(self) -> dict[str, float]:
        tree, host, wall = tree_cpu_s(), host_cpu(), time.perf_counter() - self._wall
        cores = os.cpu_count() or 1
        delta = {k: host[k] - self._host[k] for k in host}
        return {"tree_cpu_s": tree - self._tree_cpu, "wall_s": wall, "cores": cores,
                "host_busy_s": delta["busy"], "host_steal_s": delta["steal"],
                # busy time outside this tree: other work on the machine competing with the measurement
                "host_other_busy_s": max(0.0, delta["busy"] - (tree - self._tree_cpu))}


# --- memory -----------------------------------------------------------------------------

def _pss_kib(pid: int) -> int:
    """Proportional set size: pages shared with forked workers counted once across the tree."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _is_prefect_server(pid: int) -> bool:
    """Prefect's ephemeral API server: a child in local mode, but not part of the pipeline."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"prefect.server.api" in fh.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False


def _children(pid: int) -> list[int]:
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                found.extend(int(c) for c in fh.read().split())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return found


def _tree(pid: int) -> Iterator[int]:
    """A process and its live descendants, Prefect's API server (and anything under it) left out."""
    todo = [pid]
    while todo:
        current = todo.pop()
        if _is_prefect_server(current):
            continue
        yield current
        todo.extend(_children(current))


def tree_pss_mib(pid: int | None = None) -> dict[int, float]:
    """Resident memory (PSS, MiB) of a process and each of its descendants, Prefect's API server left out."""
    return {current: _pss_kib(current) / 1024 for current in _tree(pid or os.getpid())}


def peak_rss_mib() -> float:
    """This process's own high-water mark of resident memory (VmHWM), MiB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class MemorySampler:
    """Samples the resident memory of this process and its children; keeps the peak."""

    # Reading a process's PSS costs the kernel a walk of its page tables (≈ 1-4 ms for a
    # worker): at 0.25 s the sampler took a few per cent of a core from the run it measured.
    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self.peak_mib = 0.0
        self.at_peak: dict[str, float] = {}  # this process and its children at the peak, MiB
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-memory", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every)

    def _sample(self) -> None:
        me = os.getpid()
        tree = tree_pss_mib(me)
        total = sum(tree.values())
        if total > self.peak_mib:
            self.peak_mib = total
            others = sorted((mib for pid, mib in tree.items() if pid != me), reverse=True)
            self.at_peak = {"main": tree.get(me, 0.0), **{f"child {i + 1}": mib for i, mib in enumerate(others)}}

    @contextmanager
    def sampling(self) -> Iterator[MemorySampler]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()
            self._sample()
