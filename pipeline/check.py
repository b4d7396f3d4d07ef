"""Checking whole files: guard, read (in an isolated worker), validate every ledger sheet.

`check_file` is what both `validate` and `run` use; it never raises for a bad file:
every problem becomes a finding in the Verdict, and a file that cannot be read at all
is `unreadable`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from pipeline import config as limits
from pipeline.cells import display
from pipeline.config import Config
from pipeline.convert import LedgerRows, convert_table
from pipeline.findings import Finding, SheetInfo, Verdict
from pipeline.guard import PackageFacts, Unreadable, inspect_package
from pipeline.isolation import (
    Pending,
    WorkerCrashed,
    WorkerError,
    WorkerPool,
    WorkerTimeout,
    start_isolated,
)
from pipeline.messages import say
from pipeline.reader import Table, locate_table, normalise_sheet_name, read_grids
from pipeline.references import check_references
from pipeline.store import Master
from pipeline.validate import prepare, validate_table
from schemas import LEDGERS, README_SHEET, Roster, ledger_meta
from schemas.rules import WARNING

IGNORED_SHEETS = frozenset({normalise_sheet_name(README_SHEET), normalise_sheet_name("校验结果")})
# A ledger's sheet is found by its name; "接待登记表" (the register's paper name) counts too.
SHEET_BY_NAME = {normalise_sheet_name(alias): name for name in LEDGERS
                 for alias in (name, f"{name}表")}


# a prefix that marks a sheet as a copy kept for reference, not this submission's rows
REFERENCE_COPY = re.compile(r"旧|上[周月期次年]|历史|备份|副本|往[年期]|去年|样[表例]|示例|模板|参考|作废|废弃|"
                            r"copy|old|backup", re.IGNORECASE)


def ledger_of_sheet(key: str) -> tuple[str | None, bool]:
    """The ledger a (normalised) sheet name names: 走访登记 or 走访登记表, or ending in one
    of them after a prefix clerks add (龙导社区走访登记, 第48周工作台账); and whether the
    prefix marks a copy kept for reference (上周问题台账, 旧户册, 户册备份)."""
    if key in SHEET_BY_NAME:
        return SHEET_BY_NAME[key], False
    named = {(alias, ledger) for alias, ledger in SHEET_BY_NAME.items() if key.endswith(alias)}
    if len({ledger for _, ledger in named}) != 1:
        return None, False
    alias, ledger = max(named, key=lambda n: len(n[0]))  # 走访登记表 over 登记表-like tails
    return ledger, REFERENCE_COPY.search(key[:-len(alias)]) is not None


@dataclass
class Checked:
    verdict: Verdict
    tables: list[LedgerRows] = field(default_factory=list)
    community: str | None = None


def clerk_name(path: Path) -> str:
    """A file's name as text: one unzipped from an archive made on a Chinese Windows PC
    arrives as GBK bytes, which are no UTF-8 (Python keeps them as lone surrogates that
    no file, JSON or page can hold): read as GB18030, else with its stray bytes as �."""
    return as_text(path.name)


def as_text(name: str) -> str:
    """A name from the file system as text (see clerk_name)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_file(path: Path, config: Config, as_of: dt.date | None = None,
               master: Master | None = None) -> Checked:
    """The verdict on one file and, where it could be read, its typed ledger rows.

    Rules that need the master (REF-*, ISSUE-ESCALATION, SUM-MONOTONE) look at `master`
    together with the file itself; with no master, at the file alone.
    """
    return start_check(path, config, as_of).finish(master)


@dataclass
class StartedCheck:
    """A file whose reading has started in its isolated worker (`start_check`); `finish`
    waits for it and adds the rules that need the master, in the caller's process."""

    verdict: Verdict
    pending: Pending[Checked] | None = None
    failed: str | None = None  # the file could not even be started: why, for the clerk

    def finish(self, master: Master | None = None,
               earlier: Sequence[Sequence[LedgerRows]] = ()) -> Checked:
        if self.failed is not None or self.pending is None:
            return _unreadable(self.verdict, self.failed or "")
        try:
            checked = self.pending.result()
        except WorkerTimeout:
            return _unreadable(self.verdict,
                               say("FILE.timeout", seconds=limits.WORKER_TIMEOUT_SECONDS))
        except (WorkerCrashed, WorkerError) as exc:
            return _unreadable(self.verdict, say("FILE.crashed", detail=str(exc)))
        checked.verdict.file, checked.verdict.sha256 = self.verdict.file, self.verdict.sha256
        if checked.verdict.status != "unreadable":
            # a row whose 社区 is none of the street's (already a CHOICE error) is checked
            # against no community's 户册 or 名册
            off_street = {(f.sheet, f.row) for f in checked.verdict.findings
                          if f.rule == "CHOICE" and f.column == Roster.community}
            # the schema already refused this cell's public text for its own resident
            said = {(f.sheet, f.cell, f.rule) for f in checked.verdict.findings
                    if f.cell and f.rule == "FORMAT"}
            try:
                checked.verdict.findings += [
                    f for f in check_references(checked.tables, master, earlier)
                    if (f.sheet, f.row) not in off_street and (f.sheet, f.cell, f.rule) not in said]
            except Exception as exc:  # our fault: this file is not taken, the night goes on
                checked.verdict.findings.append(Finding("FILE", say(
                    "FILE.check_crashed", check="与总台账核对", detail=repr(exc)[:200])))
            checked.verdict.settle()
        return checked

    def cancel(self) -> None:
        if self.pending is not None:
            self.pending.cancel()


def start_check(path: Path, config: Config, as_of: dt.date | None = None,
                pool: WorkerPool | None = None) -> StartedCheck:
    """Hash and guard `path`, then start reading and validating it in an isolated worker
    (one of `pool`'s, else a fork of its own); several files can be in flight at once."""
    as_of = as_of or dt.date.today()
    verdict = Verdict(file=clerk_name(path), sha256=sha256_of(path) if path.is_file() else "")
    if not path.exists():
        return StartedCheck(verdict, failed=say("FILE.missing", path=as_text(str(path))))
    try:
        facts = inspect_package(path)
        prepare()  # once per process, so that no worker repeats it
        pending: Pending[Checked] = (
            pool.submit(parse_workbook, path, config, as_of, facts,
                        timeout=limits.WORKER_TIMEOUT_SECONDS) if pool is not None else
            start_isolated(parse_workbook, path, config, as_of, facts,
                           timeout=limits.WORKER_TIMEOUT_SECONDS,
                           memory_bytes=limits.WORKER_MEMORY_BYTES))
    except Unreadable as exc:
        return StartedCheck(verdict, failed=exc.message)
    except OSError as exc:
        return StartedCheck(verdict, failed=say("FILE.unreadable",
                                                 detail=exc.strerror or str(exc)))
    return StartedCheck(verdict, pending)


def check_files(paths: Iterable[Path], config: Config, as_of: dt.date | None = None,
                master: Master | None = None) -> list[Verdict]:
    """`validate`: each file checked as `run` would take it after the ones before it
    (a register sees the 户册 of an earlier valid file), touching nothing."""
    return [checked.verdict for _, checked in check_ahead(paths, config, as_of, master,
                                                          carry=True)
            if checked is not None]


def check_ahead(paths: Iterable[Path], config: Config, as_of: dt.date | None = None,
                master: Master | None = None, *, skip: Callable[[Path], bool] | None = None,
                ahead: int | None = None, carry: bool = False,
                ) -> Generator[tuple[Path, Checked | None], None, None]:
    """`check_file` on each path, in order, with the next `ahead` files (one per core by
    default) already being read in their workers while the caller handles this one.

    A path for which `skip(path)` is true (asked just before it would start) is not
    read: it comes back as (path, None). Each result is finished against `master` only
    when the caller asks for it, so it sees whatever the caller merged before; with
    `carry` (nothing is merged), it sees the rows of the valid files before it instead.
    """
    ahead = max(1, ahead if ahead is not None else limits.PARSE_WORKERS)
    todo = list(paths)
    started: deque[tuple[Path, StartedCheck | None]] = deque()
    pool = WorkerPool(memory_bytes=limits.WORKER_MEMORY_BYTES)
    earlier: list[list[LedgerRows]] = []  # with `carry`: the valid files' tables, newest first

    def start(path: Path) -> tuple[Path, StartedCheck | None]:
        return path, None if skip and skip(path) else start_check(path, config, as_of, pool)

    try:
        for index in range(len(todo)):
            path, check = started.popleft() if started else start(todo[index])
            result = None if check is None else check.finish(master, earlier)
            if carry and result is not None and result.verdict.status == "valid":
                earlier.insert(0, result.tables)
            # While the caller handles this file, the next `ahead` are being read.
            while len(started) < ahead and index + 1 + len(started) < len(todo):
                started.append(start(todo[index + 1 + len(started)]))
            yield path, result
    finally:
        for _, check in started:  # the caller stopped early: no worker is left behind
            if check is not None:
                check.cancel()
        pool.close()


def _unreadable(verdict: Verdict, message: str) -> Checked:
    verdict.status = "unreadable"
    verdict.findings.append(Finding("FILE", message))
    return Checked(verdict)


def parse_workbook(path: Path, config: Config, as_of: dt.date, facts: PackageFacts) -> Checked:
    """Read and validate every sheet (runs in the isolated worker)."""
    verdict = Verdict(file=clerk_name(path), sha256="")
    checked = Checked(verdict)
    expected = "、".join(LEDGERS)
    try:
        grids = read_grids(path, {
            sheet.name: {**dict.fromkeys(sheet.error_cells, "error"),
                         **dict.fromkeys(sheet.uncached_formulas, "formula")}
            for sheet in facts.sheets})
    except MemoryError:  # the worker's cap: its pool reports 内存超限 and retires it
        raise
    except Exception as exc:  # calamine's own errors: corrupt parts, bad XML
        return _unreadable(verdict, say("FILE.damaged", detail=str(exc)[:200]))
    read_as: dict[str, str] = {}  # ledger -> the first sheet read as it
    kinds = {grid.name: ledger_of_sheet(normalise_sheet_name(grid.name)) for grid in grids}
    # 上周问题台账 beside 问题台账 is a copy kept for reference; 上周工作台账 alone is the ledger
    plain = {ledger for ledger, marked in kinds.values() if ledger and not marked}
    for grid in grids:
        if normalise_sheet_name(grid.name) in IGNORED_SHEETS:
            continue
        ledger, marked = kinds[grid.name]
        if marked and ledger in plain:
            verdict.findings.append(Finding("SHEET", say(
                "SHEET.reference_copy", sheet=grid.name, kind=ledger), severity=WARNING,
                sheet=grid.name))
            continue
        if ledger is None:
            verdict.findings.append(Finding(
                "SHEET", say("SHEET.unknown", sheet=grid.name, expected=expected), sheet=grid.name))
            continue
        if ledger in read_as:  # 走访登记 and 走访登记表 side by side: both are taken
            verdict.findings.append(Finding("SHEET", say(
                "SHEET.same_kind", sheet=grid.name, other=read_as[ledger], kind=ledger),
                severity=WARNING, sheet=grid.name))
        read_as.setdefault(ledger, grid.name)
        sheet_facts = facts.sheet(grid.name)
        verdict.findings += _check_sheet(grid, ledger, config, as_of, checked, sheet_facts)
    if not verdict.sheets and not verdict.errors:
        verdict.findings.append(Finding("FILE", say("FILE.no_sheets", expected=expected)))
    if verdict.sheets and not any(sheet.rows for sheet in verdict.sheets):
        # a template's unused sheets are left empty (its 填写说明 says so): only a file
        # with no rows anywhere is worth a word, one per sheet found
        verdict.findings += [Finding("SHEET", say("SHEET.empty", sheet=sheet.sheet),
                                     severity=WARNING, sheet=sheet.sheet)
                             for sheet in verdict.sheets]
    verdict.findings += _repeated_across_sheets(checked.tables)
    checked.community = _main_community(checked.tables)
    verdict.settle()
    return checked


def _repeated_across_sheets(tables: list[LedgerRows]) -> list[Finding]:
    """Rows of one ledger read from two sheets of a workbook (户册 and a copy named 户册表,
    第1网格户册 and 第2网格户册) are one ledger: a key given twice is a UNIQUE 错误, as it is
    within a sheet; for a ledger without a key (registers), a row the same in every column
    as one of another sheet is a 警告 (a sheet pasted twice would count twice)."""
    findings: list[Finding] = []
    for ledger, model in LEDGERS.items():
        sheets = [t for t in tables if t.ledger == ledger]
        if len(sheets) < 2 or ledger_meta(model).get("rows_in_order"):
            continue
        keys = list(getattr(model.Config, "unique", None) or [])
        seen: dict[tuple[Any, ...], tuple[LedgerRows, int]] = {}
        for table in sheets:
            columns = keys or list(table.frame.columns)
            mine: dict[tuple[Any, ...], tuple[LedgerRows, int]] = {}
            for row, values in zip(table.frame.index, table.frame[columns].itertuples(
                    index=False, name=None), strict=True):
                if keys and any(pd.isna(v) for v in values):
                    continue
                key = tuple(None if pd.isna(v) else v for v in values)
                if key in seen:
                    findings.append(_repeated(table, int(row), keys, key, *seen[key]))
                mine.setdefault(key, (table, int(row)))
            for key, place in mine.items():
                seen.setdefault(key, place)
    return findings


def _repeated(table: LedgerRows, row: int, keys: list[str], key: tuple[Any, ...],
              first: LedgerRows, first_row: int) -> Finding:
    target = keys[-1] if keys else table.frame.columns[0]
    other = f"{first.sheet}!{first.cell(target, first_row) or first_row}"
    shown = display(table.frame.at[row, target])
    if keys:
        return Finding("UNIQUE", say("UNIQUE.other_sheet", columns="+".join(keys), other=other,
                                     value="/".join(display(v) for v in key)),
                       sheet=table.sheet, cell=table.cell(target, row), row=row, column=target,
                       value=shown)
    return Finding("UNIQUE", say("UNIQUE.same_row", other=other), severity=WARNING,
                   sheet=table.sheet, cell=table.cell(target, row), row=row, column=target,
                   value=shown)


def _check_sheet(grid, ledger, config, as_of, checked, sheet_facts) -> list[Finding]:  # type: ignore[no-untyped-def]
    model = LEDGERS[ledger]
    located = locate_table(grid, ledger, model)
    if isinstance(located, Finding):
        return [located]
    table: Table = located
    findings = list(table.findings)
    if sheet_facts is not None:
        findings += _hidden_rows(table, sheet_facts.hidden_rows)
        if sheet_facts.state != "visible":  # read like hidden rows are, and said
            findings.append(Finding("SHEET", say("SHEET.hidden", sheet=grid.name, kind=ledger),
                                    severity=WARNING, sheet=grid.name))
    checked.verdict.sheets.append(SheetInfo(sheet=grid.name, kind=ledger, rows=len(table.rows)))
    if not table.rows:  # said once for the whole file, if every sheet is empty
        return findings
    converted = None
    try:
        converted = convert_table(table, model)
        frame, more = validate_table(table, model, converted, config, as_of)
    except MemoryError:
        raise
    except Exception as exc:  # our fault, never the clerk's: say so, never swallow it
        return findings + (converted.findings if converted else []) + [Finding(
            "FILE", say("FILE.check_crashed", check=ledger, detail=repr(exc)[:200]), sheet=grid.name)]
    letters = {h: get_column_letter(c.index + 1) for h, c in table.columns.items()}
    checked.tables.append(LedgerRows(ledger=ledger, sheet=grid.name, frame=frame, letters=letters))
    return findings + converted.findings + more


def _hidden_rows(table: Table, hidden: Iterable[int]) -> list[Finding]:
    rows = sorted(set(hidden) & set(table.rows))
    if not rows:
        return []
    return [Finding("SHEET", say("SHEET.hidden_rows", rows="、".join(map(str, rows))),
                    severity="警告", sheet=table.sheet, row=rows[0], cell=f"A{rows[0]}")]


def _main_community(tables: list[LedgerRows]) -> str | None:
    """The community a file belongs to: the one holding most of its rows, if more than half;
    a street-wide file (a summary of every community) belongs to none."""
    counts: Counter[str] = Counter()
    for table in tables:
        counts.update(table.frame[Roster.community].dropna().tolist())
    if not counts:
        return None
    community, n = counts.most_common(1)[0]
    return community if n * 2 > counts.total() else None


def exit_code(verdicts: list[Verdict]) -> int:
    """0 every file valid (warnings allowed); 1 some file invalid; 2 a file unreadable."""
    if any(v.status == "unreadable" for v in verdicts):
        return 2
    return 1 if any(v.status == "invalid" for v in verdicts) else 0


def render_text(verdict: Verdict) -> str:
    """The verdict for a terminal: one line per file, then one line per finding."""
    head = {"valid": "通过", "invalid": "未通过", "unreadable": "无法读取"}[verdict.status]
    lines = [f"{verdict.file}：{head}（错误{len(verdict.errors)}个，提醒{len(verdict.warnings)}个）"]
    for finding in verdict.errors + verdict.warnings:
        where = f"{finding.sheet}!{finding.cell}" if finding.sheet and finding.cell else (
            finding.sheet or "文件")
        lines.append(f"  [{finding.severity}] {where} {finding.rule}：{finding.message}")
    return "\n".join(lines)
