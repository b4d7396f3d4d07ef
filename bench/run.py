"""`python -m bench.run [--quick] [--out DIR]`: the benchmark of issue 8 (`make bench`).

Generates the workloads deterministically into a temporary folder, runs each as a whole
process (measured by bench.measure), and writes the table to DIR/latest.md (and the raw
figures to DIR/latest.json); DIR is bench/results unless given.

  W1 clerk check     `validate` on one weekly workbook, against the bare interpreter
                     importing the libraries that `validate` imports
  W2 district night  `run` on 260 weekly workbooks of ~1,000 rows
  W3 scaling         1x/4x/16x rows per workbook, and 1x/4x/16x workbooks
  W4 rebuild         a year of weekly files (corrections and a resent file included)
                     into an empty master
  readers            python-calamine and fastexcel reading the W2 files to DataFrames

`run` is driven through bench.probe (the same command, with a stopwatch per stage), so
the ingest rate (guard, read, validate, merge) comes from the same run as the wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing as mp
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.measure import Measurement, measure
from bench.workloads import (
    Community,
    District,
    WeekSpec,
    iso_monday,
    make_district,
    revised,
    write_weekly,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable

YEAR = 2026
W2_WEEK, W2_AS_OF = 48, dt.date(2026, 11, 30)     # the week just ended, run on Monday
W4_AS_OF = dt.date(2026, 12, 31)
W4_SNAPSHOT_WEEKS = (1, 14, 27, 40)               # 户册 resent each quarter
W4_CORRECTION_EVERY = 8                           # a corrected resubmission now and then
SPEC_W2_COMMUNITIES, SPEC_W4 = 260, (20, 52)      # what issue 8 asks for
TARGETS = {"w2_seconds": 30.0, "w1_over_import": 1.0, "ingest_ratio": 1 / 3}


@dataclass(frozen=True)
class Sizes:
    label: str
    scale: float            # rows per workbook: 1.0 ≈ 1,000
    w1_repeats: int
    w2_communities: int
    w3_base: int            # workbooks at the 1x point
    w4_communities: int
    w4_weeks: int
    w3_factors: tuple[int, ...] = (1, 4, 16)


# Full: sized to finish within ~15 minutes on a 2-core machine at today's speed; W3's
# base and W4's communities are scaled down from the issue's sizes (the table says so).
FULL = Sizes("full", scale=1.0, w1_repeats=5, w2_communities=260, w3_base=5, w4_communities=8,
             w4_weeks=52)
QUICK = Sizes("quick", scale=0.05, w1_repeats=1, w2_communities=3, w3_base=1, w4_communities=2,
              w4_weeks=4)


@dataclass
class Row:
    """One line of the table."""

    key: str
    workload: str
    size: str
    files: int
    rows: int               # data rows generated (for readers: rows read)
    m: Measurement | None
    rows_counted: int = 0   # rows the pipeline merged / the reader read
    seconds: float = 0.0    # the time the rate is computed on (wall unless said)
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.rows_counted / self.seconds if self.seconds > 0 else 0.0

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "workload": self.workload, "size": self.size,
                "files": self.files, "rows": self.rows, "rows_counted": self.rows_counted,
                "seconds": self.seconds, "rate": self.rate, "note": self.note,
                "measurement": self.m.as_json() if self.m else None, **self.extra}


# -- generating ---------------------------------------------------------------------------

def _write(task: tuple[Path, WeekSpec]) -> int:
    return write_weekly(*task)


def generate(tasks: list[tuple[Path, WeekSpec]]) -> dict[Path, int]:
    """Write every workbook (in parallel, one per core); rows written per path."""
    todo = [t for t in tasks if not t[0].exists()]
    with mp.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        counts = pool.map(_write, todo, chunksize=4)
    return {path: rows for (path, _), rows in zip(todo, counts, strict=True)}


def weekly_name(c: Community, week: int, suffix: str = "") -> str:
    return f"{c.name}_{YEAR}年第{week:02d}周{suffix}.xlsx"


# -- running ------------------------------------------------------------------------------

def workspace(root: Path, district: District | tuple[Community, ...], files: list[Path]) -> Path:
    """A fresh workspace whose config names the communities, with `files` in its inbox
    (hard links, oldest first as their mtimes say)."""
    communities = district.communities if isinstance(district, District) else district
    shutil.rmtree(root, ignore_errors=True)
    (root / "inbox").mkdir(parents=True)
    (root / "config.toml").write_text(District(tuple(communities)).config_toml(),
                                      encoding="utf-8")
    for path in files:
        target = root / "inbox" / path.name
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
    return root


def run_pipeline(ws: Path, as_of: dt.date) -> tuple[Measurement, dict[str, Any], dict[str, Any]]:
    """`run` through the probe: the measurement, the stage timings, the run summary."""
    stages = ws / "stages.json"
    m = measure([PY, "-m", "bench.probe", str(stages), "run", "--root", str(ws),
                 "--as-of", as_of.isoformat()], cwd=ROOT)
    if m.returncode != 0:
        raise SystemExit(f"run failed on {ws} (exit {m.returncode}):\n{m.stderr[-3000:]}")
    summary = json.loads((ws / "outbox" / "internal" / "runs" / "latest.json").read_text("utf-8"))
    return m, json.loads(stages.read_text("utf-8")), summary


def statuses(summary: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in summary["files"]:
        out[f["status"]] = out.get(f["status"], 0) + 1
    return out


def run_row(key: str, workload: str, size: str, ws: Path, as_of: dt.date, files: list[Path],
            rows: int, expect_rejected: int = 0) -> Row:
    m, stages, summary = run_pipeline(ws, as_of)
    counted = sum(summary["merged_rows"].values())
    if counted != rows:
        raise SystemExit(f"{key}: {counted:,} rows merged, {rows:,} generated; see {ws}")
    seen = statuses(summary)
    if seen.get("rejected", 0) != expect_rejected:
        raise SystemExit(f"{key}: {seen.get('rejected', 0)} files rejected, see {ws}/outbox/feedback")
    st = stages["stages"]
    ingest = st.get("start", 0.0) + st.get("finish", 0.0) + st.get("merge", 0.0)
    # Σ PSS before publishing began (reading, checking, merging: the parse workers) and after
    publishing = stages.get("began", {}).get("publish", math.inf)
    phases = {"ingest": m.peak_pss_between(0.0, publishing),
              "publish": m.peak_pss_between(publishing, math.inf)}
    row = Row(key, workload, size, len(files), rows, m, rows_counted=counted, seconds=m.wall,
              extra={"stages": stages, "statuses": seen, "ingest_seconds": ingest,
                     "replaced_rows": sum(summary["replaced_rows"].values()),
                     "sum_pss_by_phase": phases})
    return row


def python_imports(args: list[str]) -> list[str]:
    """Every third-party module a pipeline command imports (it runs in-process here), in
    import order: top-level packages and their submodules, pipeline/schemas excluded."""
    code = (
        "import io, json, sys, contextlib\n"
        "from pipeline.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main({args!r})\n"
        "std = set(sys.stdlib_module_names) | {'pipeline', 'schemas', 'bench', '__main__'}\n"
        "tops = {n.split('.')[0] for n in sys.modules}\n"
        "real = {t for t in tops if t not in std and getattr(sys.modules[t], '__file__', None)}\n"
        "print(json.dumps([n for n in sys.modules if n.split('.')[0] in real]))\n")
    out = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


IMPORT_ALL = ("import importlib, sys\n"
              "for name in open(sys.argv[1], encoding='utf-8').read().split():\n"
              "    try:\n"
              "        importlib.import_module(name)\n"
              "    except Exception:\n"
              "        pass\n")


def median_of(runs: list[Measurement]) -> Measurement:
    """The run with the median wall time (its own CPU and memory figures with it)."""
    return sorted(runs, key=lambda m: m.wall)[len(runs) // 2]


# -- the workloads --------------------------------------------------------------------------

def w1(tmp: Path, sizes: Sizes, district: District, path: Path, rows: int) -> list[Row]:
    ws = tmp / "w1"
    workspace(ws, district.communities[:1], [])
    args = ["validate", str(path), "--json", "--root", str(ws), "--as-of", W2_AS_OF.isoformat()]
    modules = python_imports(args)
    listing = tmp / "w1_modules.txt"
    listing.write_text("\n".join(modules), encoding="utf-8")
    packages = sorted({m.split(".")[0] for m in modules if not m.startswith("_")})
    runs, bare = [], []
    for _ in range(sizes.w1_repeats):
        m = measure([PY, "-m", "pipeline", *args], cwd=ROOT)
        if m.returncode != 0:
            raise SystemExit(f"W1 validate failed (exit {m.returncode}):\n{m.stdout[-2000:]}"
                             f"{m.stderr[-2000:]}")
        runs.append(m)
        b = measure([PY, "-c", IMPORT_ALL, str(listing)], cwd=ROOT)
        if b.returncode != 0:
            raise SystemExit(f"W1 baseline import failed:\n{b.stderr[-2000:]}")
        bare.append(b)
    verdict = json.loads(runs[0].stdout)
    counted = sum(s["rows"] for s in verdict["sheets"])
    best, base = median_of(runs), median_of(bare)
    over = best.wall - base.wall
    repeats = f"median of {sizes.w1_repeats}" if sizes.w1_repeats > 1 else "one run"
    return [
        Row("W1", "W1 clerk check (`validate`)", f"1 workbook, 8 sheets ({repeats})", 1, rows,
            best, rows_counted=counted, seconds=best.wall,
            note=f"{over:+.2f} s over importing the libraries", extra={"over_import": over,
                                                                      "status": verdict["status"]}),
        Row("W1-import", "W1 baseline: bare interpreter importing the same modules",
            f"{len(modules)} modules of {len(packages)} packages", 0, 0, base,
            note=", ".join(packages), extra={"modules": len(modules), "packages": packages}),
    ]


def w4_files(tmp: Path, sizes: Sizes, district: District) -> tuple[list[tuple[Path, WeekSpec]],
                                                                  list[Path], list[Path]]:
    """A year of weekly files in submission order: (to generate, inbox order, duplicates)."""
    folder = tmp / "gen" / "w4"
    tasks: list[tuple[Path, WeekSpec]] = []
    order: list[Path] = []
    duplicates: list[Path] = []
    communities = district.communities[:sizes.w4_communities]
    for week in range(1, sizes.w4_weeks + 1):
        for k, c in enumerate(communities):
            spec = WeekSpec(c, iso_monday(YEAR, week), sizes.scale,
                            snapshots=week in W4_SNAPSHOT_WEEKS or week == 1)
            path = folder / weekly_name(c, week)
            tasks.append((path, spec))
            order.append(path)
            if (k + week) % W4_CORRECTION_EVERY == 1:
                fixed = folder / weekly_name(c, week, "_更正")
                tasks.append((fixed, revised(spec)))
                order.append(fixed)
            if week == 3:  # the clerk resends week 2's file under another name
                resent = folder / weekly_name(c, 2, "_重发")
                order.append(resent)
                duplicates.append(resent)
    return tasks, order, duplicates


def run(sizes: Sizes, out: Path, tmp: Path, echo: bool = True) -> dict[str, Any]:
    started = time.perf_counter()
    load_before = os.getloadavg()

    def say(text: str) -> None:
        if echo:
            print(f"[{time.perf_counter() - started:6.1f}s] {text}", flush=True)

    n_district = max(sizes.w2_communities, sizes.w3_base * 16, sizes.w4_communities)
    district = make_district(n_district)
    monday = iso_monday(YEAR, W2_WEEK)

    # -- generate everything first, both cores ------------------------------------------
    w2_tasks = [(tmp / "gen" / "w2" / weekly_name(c, W2_WEEK), WeekSpec(c, monday, sizes.scale))
                for c in district.communities[:n_district]]
    w3_tasks = [(tmp / "gen" / f"w3x{f}" / weekly_name(c, W2_WEEK),
                 WeekSpec(c, monday, sizes.scale * f))
                for f in sizes.w3_factors[1:] for c in district.communities[:sizes.w3_base]]
    w4_tasks, w4_order, w4_dups = w4_files(tmp, sizes, district)
    say(f"generating {len(w2_tasks) + len(w3_tasks) + len(w4_tasks)} workbooks in {tmp}")
    t0 = time.perf_counter()
    rows_of = generate(w2_tasks + w3_tasks + w4_tasks)
    for dup in w4_dups:  # same bytes as the original, a later mtime
        shutil.copyfile(dup.with_name(dup.name.replace("_重发", "")), dup)
    base_mtime = 1_700_000_000
    for k, path in enumerate(w4_order):
        os.utime(path, (base_mtime + k, base_mtime + k))
    generation = time.perf_counter() - t0
    say(f"generated in {generation:.1f}s")

    rows: list[Row] = []
    w2_paths = [p for p, _ in w2_tasks[:sizes.w2_communities]]

    # -- W1 -----------------------------------------------------------------------------
    say("W1 clerk check")
    rows += w1(tmp, sizes, district, w2_paths[0], rows_of[w2_paths[0]])

    # -- readers on the W2 files ----------------------------------------------------------
    listing = tmp / "w2_files.txt"
    listing.write_text("\n".join(map(str, w2_paths)), encoding="utf-8")
    w2_rows = sum(rows_of[p] for p in w2_paths)
    for reader in ("calamine", "fastexcel"):
        say(f"reader {reader}")
        answer = tmp / f"reader_{reader}.json"
        m = measure([PY, "-m", "bench.readers", reader, str(listing), str(answer)], cwd=ROOT)
        if m.returncode != 0:
            raise SystemExit(f"reader {reader} failed:\n{m.stderr[-2000:]}")
        got = json.loads(answer.read_text("utf-8"))
        rows.append(Row(f"reader-{reader}", f"raw reader: {reader}",
                        "the W2 files, every sheet → DataFrame", got["files"], w2_rows, m,
                        rows_counted=got["rows"], seconds=got["seconds"],
                        note="rate over the reading loop (imports excluded)"))

    # -- W2 -------------------------------------------------------------------------------
    say(f"W2 district night: {len(w2_paths)} workbooks")
    scaled = "" if sizes.w2_communities == SPEC_W2_COMMUNITIES else \
        f" (scaled down from {SPEC_W2_COMMUNITIES})"
    w2_row = run_row("W2", "W2 district night (`run`)",
                     f"{len(w2_paths)} workbooks × ~{w2_rows // len(w2_paths):,} rows{scaled}",
                     workspace(tmp / "ws-w2", district.communities[:len(w2_paths)], w2_paths),
                     W2_AS_OF, w2_paths, w2_rows)
    rows.append(w2_row)

    # -- W3: one 1x point, then each axis ----------------------------------------------
    base = district.communities[:sizes.w3_base]

    def w3(key: str, label: str, communities: tuple[Community, ...], paths: list[Path]) -> Row:
        n_rows = sum(rows_of[p] for p in paths)
        say(f"{label}: {len(paths)} workbooks, {n_rows:,} rows")
        return run_row(key, label, f"{len(paths)} workbooks × ~{n_rows // len(paths):,} rows",
                       workspace(tmp / f"ws-{key}", communities, paths), W2_AS_OF, paths, n_rows)

    first = _growth(w3("W3-rows-x1", "W3 ×1 (both axes)", base,
                       [p for p, _ in w2_tasks[:sizes.w3_base]]), None)
    rows.append(first)
    for f in sizes.w3_factors[1:]:
        rows.append(_growth(w3(f"W3-rows-x{f}", f"W3 rows ×{f}", base,
                               [tmp / "gen" / f"w3x{f}" / weekly_name(c, W2_WEEK) for c in base]),
                            first))
    for f in sizes.w3_factors[1:]:
        count = sizes.w3_base * f
        rows.append(_growth(w3(f"W3-books-x{f}", f"W3 workbooks ×{f}",
                               district.communities[:count], [p for p, _ in w2_tasks[:count]]),
                            first))

    # -- W4 -------------------------------------------------------------------------------
    w4_rows = sum(rows_of[p] for p in w4_order if p not in w4_dups)
    spec_c, spec_w = SPEC_W4
    scaled = "" if (sizes.w4_communities, sizes.w4_weeks) == SPEC_W4 else \
        f" (scaled down from {spec_c} × {spec_w})"
    say(f"W4 rebuild: {len(w4_order)} files, {w4_rows:,} rows")
    w4_row = run_row("W4", "W4 rebuild into an empty master (`run`)",
                     f"{sizes.w4_communities} communities × {sizes.w4_weeks} weeks{scaled}",
                     workspace(tmp / "ws-w4", district.communities[:sizes.w4_communities],
                               w4_order), W4_AS_OF, w4_order, w4_rows)
    w4_row.note = (f"{len(w4_order) - len(w4_dups) - sizes.w4_communities * sizes.w4_weeks} "
                   f"corrections ({w4_row.extra['replaced_rows']:,} rows replaced), "
                   f"{len(w4_dups)} resent duplicates")
    if w4_row.extra["statuses"].get("duplicate", 0) != len(w4_dups):
        raise SystemExit(f"W4: expected {len(w4_dups)} duplicates, got {w4_row.extra['statuses']}")
    rows.append(w4_row)

    result = {
        "mode": sizes.label, "sizes": sizes.__dict__, "machine": machine(),
        "load_before": load_before, "load_after": os.getloadavg(),
        "generation_seconds": generation, "total_seconds": time.perf_counter() - started,
        "rows": [r.as_json() for r in rows],
    }
    result["targets"] = targets(rows)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    text = render(result, rows)
    (out / "latest.md").write_text(text, encoding="utf-8")
    if echo:
        print(text)
    return result


def _growth(row: Row, first: Row | None) -> Row:
    """Time and memory of a W3 point relative to the 1x point (None: it is the 1x point)."""
    base = first or row
    assert row.m is not None and base.m is not None
    phases, base_phases = row.extra["sum_pss_by_phase"], base.extra["sum_pss_by_phase"]
    row.extra["growth"] = {"rows": row.rows / base.rows, "wall": row.m.wall / base.m.wall,
                           "max_rss": row.m.max_rss_mb / base.m.max_rss_mb,
                           "sum_pss": row.m.sum_pss_mb / base.m.sum_pss_mb,
                           **{f"sum_pss_{phase}": phases[phase] / base_phases[phase]
                              for phase in phases if base_phases.get(phase)}}
    if first is not None:
        g = row.extra["growth"]
        row.note = (f"vs ×1: rows ×{g['rows']:.1f}, time ×{g['wall']:.1f}, "
                    f"largest process ×{g['max_rss']:.2f}, Σ PSS ×{g['sum_pss']:.2f} "
                    f"(ingest {_times(g, 'sum_pss_ingest')}, "
                    f"publish {_times(g, 'sum_pss_publish')})")
    return row


def _times(growth: dict[str, float], key: str) -> str:
    """'×1.03', or 'n/a' where a phase was not seen (no sample in it, or no publishing)."""
    return f"×{growth[key]:.2f}" if key in growth else "n/a"


# -- the report ------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as fh:
        mem_kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
    versions = {}
    from importlib.metadata import PackageNotFoundError, version
    for name in ("pandas", "pandera", "python-calamine", "fastexcel", "pyarrow", "openpyxl",
                 "numpy"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "absent"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "pipeline", "schemas"],
                                cwd=ROOT, capture_output=True, text=True).stdout.strip())
    return {"nproc": os.cpu_count(), "cpu": model, "memory_gib": round(mem_kb / 1024**2, 1),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "system": f"{platform.system()} {platform.release()}", "versions": versions,
            "commit": commit + (" + uncommitted changes in pipeline/ or schemas/" if dirty else ""),
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds")}


def targets(rows: list[Row]) -> list[dict[str, Any]]:
    by = {r.key: r for r in rows}
    w1, w2 = by["W1"], by["W2"]
    fastest = max((r for r in rows if r.key.startswith("reader-")), key=lambda r: r.rate)
    ingest_rate = w2.rows_counted / w2.extra["ingest_seconds"]
    ratio = ingest_rate / fastest.rate
    books = [by[k] for k in by if k.startswith("W3-books")]
    rows_x = [by[k] for k in by if k.startswith("W3-rows")]
    assert w2.m is not None
    out = [
        {"target": "W2 district night ≤ 30 s", "measured": f"{w2.m.wall:.1f} s",
         "met": w2.m.wall <= TARGETS["w2_seconds"], "value": w2.m.wall},
        {"target": "W1 ≤ importing the libraries + 1 s",
         "measured": f"{w1.extra['over_import']:+.2f} s", "value": w1.extra["over_import"],
         "met": w1.extra["over_import"] <= TARGETS["w1_over_import"]},
        {"target": "ingest rate ≥ 1/3 of the fastest raw reader",
         "measured": f"{ingest_rate:,.0f} rows/s = {ratio:.3f} × {fastest.key[7:]} "
                     f"({fastest.rate:,.0f} rows/s)",
         "met": ratio >= TARGETS["ingest_ratio"], "value": ratio},
    ]
    if books:
        g = books[-1].extra["growth"]
        out.append({"target": "peak memory flat as workbooks grow (×16 workbooks)",
                    "measured": f"largest process ×{g['max_rss']:.2f}, Σ PSS ×{g['sum_pss']:.2f}"
                                f" (while ingesting {_times(g, 'sum_pss_ingest')}, while "
                                f"publishing {_times(g, 'sum_pss_publish')})",
                    "met": g["max_rss"] <= 1.25 and g["sum_pss"] <= 1.25, "value": g["sum_pss"]})
    if rows_x:
        g = rows_x[-1].extra["growth"]
        out.append({"target": "peak memory at most linear in workbook size (×16 rows)",
                    "measured": f"largest process ×{g['max_rss']:.2f} for rows ×{g['rows']:.1f}",
                    "met": g["max_rss"] <= g["rows"], "value": g["max_rss"]})
    return out


def _mb(value: float) -> str:
    return f"{value:,.0f}"


def render(result: dict[str, Any], rows: list[Row]) -> str:
    mc = result["machine"]
    v = mc["versions"]
    lines = [
        f"# 驻点台账 benchmark ({result['mode']})",
        "",
        f"{mc['date']} · {mc['cpu']}, nproc {mc['nproc']}, {mc['memory_gib']} GiB RAM · "
        f"{mc['python']} · {mc['system']} · commit {mc['commit']}",
        f"pandas {v['pandas']}, pandera {v['pandera']}, python-calamine {v['python-calamine']}, "
        f"fastexcel {v['fastexcel']}, pyarrow {v['pyarrow']}, openpyxl {v['openpyxl']} · "
        f"load average {result['load_before'][0]:.2f} before, {result['load_after'][0]:.2f} after "
        f"(other work on the machine slows every figure) · generation "
        f"{result['generation_seconds']:.0f} s, whole benchmark {result['total_seconds']:.0f} s",
        "",
        "| workload | size | files | rows | wall s | CPU s | CPU/wall | largest process MB "
        "| Σ PSS peak MB | Σ PSS ingest / publish MB | rows/s | note |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in rows:
        m = r.m
        if m is None:
            continue
        rate = f"{r.rate:,.0f}" if r.rows_counted else ""
        counted = f"{r.rows_counted:,}" if r.rows_counted else (f"{r.rows:,}" if r.rows else "")
        phases = r.extra.get("sum_pss_by_phase")
        split = f"{_mb(phases['ingest'])} / {_mb(phases['publish'])}" if phases else ""
        lines.append(
            f"| {r.workload} | {r.size} | {r.files or ''} | {counted} | {m.wall:.2f} | "
            f"{m.cpu:.2f} | {m.cpu / m.wall:.2f} | {_mb(m.max_rss_mb)} | {_mb(m.sum_pss_mb)} | "
            f"{split} | {rate} | {r.note} |")
    lines += ["", "Rows: data rows merged by the pipeline (equal to the rows generated) or read "
              "by the reader. Largest process: peak RSS of the biggest process of the tree "
              "(ru_maxrss; a forked worker counts the pages it shares with its parent). "
              "Σ PSS: peak of the tree's summed proportional set size, sampled every 20 ms; "
              "for `run`, split at the moment it began to publish (ingest: reading, checking "
              "and merging, with the parse workers; publish: rendering every output, with the "
              "child writing 督办清单).", ""]
    for key in ("W2", "W4"):
        row = next((r for r in rows if r.key == key), None)
        if row is not None:
            lines += stage_table(row)
    lines += ["## Targets (issue 8)", "", "| target | measured | met |", "|---|---|---|"]
    for t in result["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'no'} |")
    return "\n".join(lines) + "\n"


STAGE_TEXT = (
    ("archive", "archive copy"),
    ("start", "start each file: sha256, guard, hand it to a parse worker"),
    ("guard", "  ↳ guard (zip and XML inspection)"),
    ("finish", "finish each file: wait for its worker, then the master's rules"),
    ("wait", "  ↳ waiting for a parse worker (nothing else to do)"),
    ("references", "  ↳ rules needing the master (REF-*, escalation, monotone)"),
    ("merge", "merge into the master"),
    ("feedback", "feedback: JSON, HTML, annotated workbook copy"),
    ("publish", "render every output"),
)
WORKER_TEXT = (("parse", "a worker's whole job"), ("read", "read (calamine + merged ranges)"),
               ("locate", "locate the table"), ("convert", "convert cells to types"),
               ("validate", "validate (pandera + rules)"))


def stage_table(row: Row) -> list[str]:
    st = row.extra["stages"]
    s, w = st["stages"], st["worker"]
    total = s.get("total", 0.0)
    files = max(row.files, 1)
    lines = [f"## {row.key}: where the time of `run` goes ({total:.1f} s in-process, "
             f"{row.files} files)", "", "| stage | s | share | ms per file |", "|---|--:|--:|--:|"]

    def line(label: str, seconds: float) -> None:
        share = seconds / total if total else 0.0
        lines.append(f"| {label} | {seconds:.2f} | {share:.0%} | {1000 * seconds / files:.0f} |")

    for key, label in STAGE_TEXT:
        if key in s:
            line(label, s[key])
    known = sum(s.get(k, 0.0) for k in ("archive", "start", "finish", "merge", "feedback",
                                        "publish"))
    line("other (startup excluded: imports, SQLite, summary)", total - known)
    ingest = row.extra["ingest_seconds"]
    lines += ["", f"Ingest in the run's process (start + finish + merge): {ingest:.1f} s "
              f"for {row.rows_counted:,} rows = {row.rows_counted / ingest:,.0f} rows/s."
              + (f" Not seen by the probe: {', '.join(st['missing'])}." if st.get("missing")
                 else ""), ""]
    if w:
        lines += ["Inside the parse workers (CPU seconds summed over the workers, which run "
                  "side by side with each other and with the stages above):", "",
                  "| worker stage | s | ms per file |", "|---|--:|--:|"]
        lines += [f"| {label} | {w[key]:.2f} | {1000 * w[key] / files:.0f} |"
                  for key, label in WORKER_TEXT if key in w]
        lines.append("")
    return lines


# -- command line ---------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (for the test suite)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where latest.md/json go")
    parser.add_argument("--keep", action="store_true", help="keep the generated workspaces")
    parser.add_argument("--w2-communities", type=int, help="override W2's workbook count")
    parser.add_argument("--w3-base", type=int, help="override W3's 1x workbook count")
    parser.add_argument("--w4-communities", type=int, help="override W4's community count")
    parser.add_argument("--w4-weeks", type=int, help="override W4's weeks (1-52)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    overrides = {k: getattr(args, k) for k in ("w2_communities", "w3_base", "w4_communities",
                                                "w4_weeks") if getattr(args, k) is not None}
    if overrides:
        sizes = Sizes(**{**sizes.__dict__, **overrides})
    tmp = Path(tempfile.mkdtemp(prefix="zhudian-bench-"))
    try:
        run(sizes, args.out, tmp)
    finally:
        if args.keep:
            print(f"workspaces kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
