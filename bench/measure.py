"""Measuring one command as a whole process tree: wall, CPU, the largest process's peak RSS,
and the peak of the tree's summed memory, with the standard library only.

- wall: monotonic clock around the child, from spawn to reaped;
- CPU: `os.wait4`'s rusage, which on Linux adds every descendant the child waited for
  (the forked parse workers included) to the child's own user + system time;
- largest process: the same rusage's ru_maxrss, the maximum over the whole tree;
- Σ memory: /proc sampled every `interval` s while the child runs, summing the PSS
  (proportional set size: a page shared by a parent and its fork counts once) and the
  RSS of every live process of the tree. A fork that lives less than one interval can
  be missed by the sum; it cannot be missed by ru_maxrss. Each sample's Σ PSS is kept with
  its `time.monotonic()` (one clock for every process of the machine), so that the peak
  can be split at a moment the command itself reports (`peak_pss_between`).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

INTERVAL = 0.02


@dataclass
class Measurement:
    wall: float
    cpu: float                 # user + system, the child and every descendant it reaped
    max_rss_mb: float          # the largest single process of the tree (ru_maxrss)
    sum_pss_mb: float          # peak over time of Σ PSS of the live processes of the tree
    sum_rss_mb: float          # the same for Σ RSS (counts pages shared with a fork twice)
    main_rss_mb: float         # the first process's own peak RSS (sampled)
    processes: int             # distinct processes of the tree seen alive
    returncode: int
    stdout: str = field(default="", repr=False)
    stderr: str = field(default="", repr=False)
    pss_samples: list[tuple[float, int]] = field(default_factory=list, repr=False)
    # (time.monotonic(), Σ PSS in kB) of every sample

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for bulky in ("stdout", "stderr", "pss_samples"):
            out.pop(bulky)
        return out

    def peak_pss_between(self, start: float, end: float) -> float:
        """The peak Σ PSS (MB) of the samples taken in [start, end) (monotonic clock). A
        phase shorter than the sampling interval on a busy machine may hold no sample:
        then the last one before it, what the processes held as it began."""
        inside = [kb for t, kb in self.pss_samples if start <= t < end]
        before = [kb for t, kb in self.pss_samples if t < start][-1:]
        return max(inside or before or [0]) / 1024


class _Sampler(threading.Thread):
    """Polls /proc for the descendants of `root` and keeps the peak sums."""

    def __init__(self, root: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.stop = threading.Event()
        self.peak_pss = self.peak_rss = self.main_rss = 0
        self.seen: set[int] = set()
        self.samples: list[tuple[float, int]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)

    def sample(self) -> None:
        tree = _tree(self.root)
        pss = rss = 0
        for pid in tree:
            mem = _memory(pid)
            if mem is None:
                continue
            self.seen.add(pid)
            rss += mem[0]
            pss += mem[1]
            if pid == self.root:
                self.main_rss = max(self.main_rss, mem[0])
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_rss = max(self.peak_rss, rss)
        self.samples.append((time.monotonic(), pss))  # when the walk of /proc was done


def _tree(root: int) -> list[int]:
    """root and its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _memory(pid: int) -> tuple[int, int] | None:
    """(RSS, PSS) in kB from smaps_rollup, None when the process is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            text = fh.read()
    except OSError:
        return None
    rss = pss = 0
    for line in text.splitlines():
        if line.startswith(b"Rss:"):
            rss = int(line.split()[1])
        elif line.startswith(b"Pss:"):
            pss = int(line.split()[1])
    return (rss, pss) if rss else None


def measure(argv: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
            interval: float = INTERVAL) -> Measurement:
    """Run `argv` to the end and measure it (stdout/stderr captured to temporary files)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(list(argv), cwd=cwd, env=dict(env) if env else None,
                                 stdout=out, stderr=err)
        sampler = _Sampler(child.pid, interval)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measurement(
            wall=wall, cpu=usage.ru_utime + usage.ru_stime, max_rss_mb=usage.ru_maxrss / 1024,
            sum_pss_mb=sampler.peak_pss / 1024, sum_rss_mb=sampler.peak_rss / 1024,
            main_rss_mb=sampler.main_rss / 1024, processes=len(sampler.seen),
            returncode=child.returncode, pss_samples=sampler.samples,
            stdout=out.read().decode("utf-8", "replace"), stderr=err.read().decode("utf-8", "replace"))
