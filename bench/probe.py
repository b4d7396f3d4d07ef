"""`python -m bench.probe STAGES.json <pipeline command ...>`: the pipeline's own command,
with a stopwatch around each stage of a run, written to STAGES.json at the end.

Nothing in pipeline/ changes: the probe wraps module attributes before `pipeline.cli.main`
runs, then calls it exactly as `python -m pipeline` would. A wrapper costs two clock
reads per call, a few per file. Stages in the run's own process:

  archive; start (sha256 + guard + fork a parse worker), guard; finish (wait for the
  worker's answer + references), wait, references; merge, feedback, publish

Parse workers run ahead of the run's own process (one per core), so `wait` is only the
time it had nothing else to do.

and, inside each forked parse worker (appended to STAGES.json.worker, one line per file;
summed over workers that ran side by side, so CPU seconds rather than wall):

  parse (the worker's whole job), read, locate, convert, validate
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

Totals = defaultdict[str, float]


def _timed(totals: Totals, counts: defaultdict[str, int], stage: str,
           fn: Callable[..., Any], began: dict[str, float] | None = None) -> Callable[..., Any]:
    """`fn` adding its time to totals[stage]; `began[stage]`: when it was first called
    (`time.monotonic()`, the clock the benchmark's memory samples carry)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if began is not None:
            began.setdefault(stage, time.monotonic())
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[stage] += time.perf_counter() - start
            counts[stage] += 1
    return wrapper


def install(stages_path: Path) -> tuple[Totals, defaultdict[str, int], dict[str, int], list[str],
                                        dict[str, float]]:
    """Wrap the stages; returns the live totals, call counts, merged rows, unfound stages,
    and when each stage of the run's process was first entered."""
    import pipeline.check as check
    import pipeline.isolation as isolation
    import pipeline.nightly as nightly
    import pipeline.store as store

    totals: Totals = defaultdict(float)
    counts: defaultdict[str, int] = defaultdict(int)
    rows = {"merged": 0}
    missing: list[str] = []
    began: dict[str, float] = {}

    for module, names, stage in ((nightly, ("archive_file",), "archive"),
                                 (check, ("start_check",), "start"),
                                 (check, ("inspect_package",), "guard"),
                                 (check, ("check_references",), "references"),
                                 (nightly, ("write_feedback",), "feedback"),
                                 (nightly, ("_publish", "publish"), "publish")):
        # the pipeline moves on: wrap what exists, and say which stage went unseen
        name = next((n for n in names if callable(getattr(module, n, None))), None)
        if name is None:
            missing.append(stage)
            continue
        setattr(module, name, _timed(totals, counts, stage, getattr(module, name), began))
    for cls, name, stage in ((check.StartedCheck, "finish", "finish"),
                             (isolation.Pending, "result", "wait")):
        if not callable(getattr(cls, name, None)):
            missing.append(stage)
            continue
        setattr(cls, name, _timed(totals, counts, stage, getattr(cls, name), began))

    merge = store.Master.merge

    def timed_merge(self: Any, submission_id: int, ledger: str, sheet: str, frame: Any) -> Any:
        start = time.perf_counter()
        try:
            return merge(self, submission_id, ledger, sheet, frame)
        finally:
            totals["merge"] += time.perf_counter() - start
            counts["merge"] += 1
            rows["merged"] += len(frame)

    store.Master.merge = timed_merge  # type: ignore[method-assign]

    # Inside the forked worker: its own totals, appended to a side file when it is done.
    worker_totals: Totals = defaultdict(float)
    worker_counts: defaultdict[str, int] = defaultdict(int)
    for name, stage in (("read_grids", "read"), ("locate_table", "locate"),
                        ("convert_table", "convert"), ("validate_table", "validate")):
        if not callable(getattr(check, name, None)):
            missing.append(stage)
            continue
        setattr(check, name, _timed(worker_totals, worker_counts, stage, getattr(check, name)))
    parse = check.parse_workbook
    side = Path(f"{stages_path}.worker")

    @functools.wraps(parse)  # the worker pool pickles the function by its name
    def timed_parse(*args: Any, **kwargs: Any) -> Any:
        worker_totals.clear()
        start = time.perf_counter()
        try:
            return parse(*args, **kwargs)
        finally:
            line = dict(worker_totals, parse=time.perf_counter() - start)
            with side.open("a", encoding="utf-8") as fh:  # O_APPEND: one short line per file
                fh.write(json.dumps(line) + "\n")

    check.parse_workbook = timed_parse  # type: ignore[assignment]
    return totals, counts, rows, missing, began


def worker_totals(stages_path: Path) -> dict[str, float]:
    side = Path(f"{stages_path}.worker")
    out: dict[str, float] = defaultdict(float)
    if side.exists():
        for line in side.read_text(encoding="utf-8").splitlines():
            for stage, seconds in json.loads(line).items():
                out[stage] += seconds
    return dict(out)


def main(argv: list[str]) -> int:
    stages_path, command = Path(argv[0]), argv[1:]
    Path(f"{stages_path}.worker").unlink(missing_ok=True)
    totals, counts, rows, missing, began = install(stages_path)
    from pipeline.cli import main as pipeline_main

    start = time.perf_counter()
    code = pipeline_main(command)
    totals["total"] = time.perf_counter() - start
    stages_path.write_text(json.dumps({
        "stages": dict(totals), "calls": dict(counts), "merged_rows": rows["merged"],
        "worker": worker_totals(stages_path), "missing": missing, "exit": code,
        "began": began}),
        encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
