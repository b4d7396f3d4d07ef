"""The benchmark runs end to end on tiny sizes and reports sane figures; no time is asserted."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.workloads import WeekSpec, build_week, iso_monday, make_district

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ("W1", "W1-import", "reader-calamine", "reader-fastexcel", "W2", "W3-rows-x1",
             "W3-rows-x4", "W3-rows-x16", "W3-books-x4", "W3-books-x16", "W4")
PIPELINE_ROWS = ("W2", "W3-rows-x1", "W3-rows-x4", "W3-rows-x16", "W3-books-x4", "W3-books-x16",
                 "W4")


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run([sys.executable, "-m", "bench.run", "--quick", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    table = (out / "latest.md").read_text(encoding="utf-8")
    assert table in done.stdout  # the table is printed too
    return result, table


def rows_by_key(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in result["rows"]}


def test_every_workload_has_a_row(quick: tuple[dict[str, Any], str]) -> None:
    result, table = quick
    rows = rows_by_key(result)
    assert set(WORKLOADS) <= set(rows)
    for key in WORKLOADS:
        assert f"| {rows[key]['workload']} |" in table, key


def test_rows_counted_equal_rows_generated(quick: tuple[dict[str, Any], str]) -> None:
    rows = rows_by_key(quick[0])
    for key in (*PIPELINE_ROWS, "W1", "reader-calamine", "reader-fastexcel"):
        assert rows[key]["rows"] > 0, key
        assert rows[key]["rows_counted"] == rows[key]["rows"], key
    assert rows["reader-calamine"]["rows"] == rows["W2"]["rows"]  # the same files
    assert rows["W3-rows-x16"]["rows"] > rows["W3-rows-x4"]["rows"] > rows["W3-rows-x1"]["rows"]
    assert rows["W3-books-x16"]["files"] == 16 * rows["W3-rows-x1"]["files"]


def test_figures_are_sane(quick: tuple[dict[str, Any], str]) -> None:
    result, _ = quick
    for row in result["rows"]:
        m = row["measurement"]
        assert m["returncode"] == 0, row["key"]
        assert m["wall"] > 0 and m["cpu"] > 0, row["key"]
        assert m["max_rss_mb"] > 0, row["key"]
        if row["rows_counted"]:
            assert row["rate"] > 0, row["key"]
    rows = rows_by_key(result)
    for key in PIPELINE_ROWS:
        assert rows[key]["statuses"].get("rejected", 0) == 0, key
        assert rows[key]["ingest_seconds"] > 0, key
        assert rows[key]["measurement"]["processes"] >= 1, key
        # the peak is the larger of the two phases' peaks: every sample is in one of them
        phases = rows[key]["sum_pss_by_phase"]
        assert min(phases.values()) > 0, key
        assert max(phases.values()) == pytest.approx(rows[key]["measurement"]["sum_pss_mb"]), key
    w4 = rows["W4"]
    assert w4["statuses"]["duplicate"] >= 1 and w4["replaced_rows"] > 0
    ratios = {t["target"]: t["value"] for t in result["targets"]}
    assert all(value > 0 for value in ratios.values())


def test_machine_is_noted(quick: tuple[dict[str, Any], str]) -> None:
    result, table = quick
    machine = result["machine"]
    assert machine["nproc"] >= 1 and machine["memory_gib"] > 0
    assert f"nproc {machine['nproc']}" in table and machine["python"] in table


def test_workbooks_are_deterministic_and_about_a_thousand_rows() -> None:
    community = make_district(3).communities[2]
    spec = WeekSpec(community, iso_monday(2026, 48))
    first, again = build_week(spec), build_week(spec)
    assert first == again
    assert 900 <= sum(len(rows) for rows in first.values()) <= 1100
    assert len(first) == 8
    dates = [r["日期"] for r in first["走访登记"]]
    assert min(dates) >= dt.date(2026, 11, 23) and max(dates) <= dt.date(2026, 11, 27)
