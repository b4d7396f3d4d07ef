"""The street office's internal outputs of the supervision list (督办), from `supervise`.

`write_supervision(workspace, master, config, as_of)` writes, each file atomically (or
`write_supervision_workbook` and `write_dashboard` one at a time):

    outbox/internal/督办清单.xlsx   a summary sheet (counts per community), one filterable
                                  sheet per kind of finding, and per community the
                                  households not yet visited this year by 网格 (no address)
    outbox/internal/index.html     the dashboard: the latest files and their verdicts, the
                                  supervision counts, the issues to chase, the compliance
                                  calendar, the coverage pace chart and the statistics

and returns the findings per 督办 rule for the run summary. No JavaScript and no outside
resource: the chart is an inline SVG whose text is drawn as paths.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any
from urllib.parse import quote

import pandas as pd
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pipeline.atomic import AtomicBatch, atomic_path, joined
from pipeline.charts import inline_svg, text_style
from pipeline.config import Config
from pipeline.excel_safety import cell_text
from pipeline.feedback import UNKNOWN_COMMUNITY, safe_name
from pipeline.html import render
from pipeline.statistics import StatisticsTable, compute_statistics
from pipeline.store import Master, SupervisionFigures
from pipeline.supervision import (
    GRADE_OVERDUE,
    GRADE_SERIOUS,
    GRADE_SOON,
    GRADES,
    KIND,
    KINDS,
    SHARE_PER_WEEK,
    WEEKDAYS,
    CellState,
    Coverage,
    Supervision,
    SupervisionItem,
    day_text,
    household_order,
    percent_text,
    supervise,
)
from pipeline.workspace import Workspace
from schemas import Household, Issue, Summary

XLSX_NAME = "督办清单.xlsx"
STATISTICS_XLSX = "统计表.xlsx"  # written by pipeline.statistics_outputs beside this one
HTML_NAME = "index.html"
TITLE = "驻点工作督办清单"
DASHBOARD_TITLE = "驻点工作督办看板"
SUMMARY_SHEET = "汇总"
UNVISITED_SHEET = "未走访-{community}"
RULE = "规则"
EVIDENCE = "情况说明"
TOTAL = "合计"
LEADER = Summary.leader  # 驻点领导
UNVISITED_TOTAL = "未走访户数"
SHOWN_ISSUES = 20      # most urgent issues on the dashboard; the workbook has them all
SHOWN_ITEMS = 12       # entries per list on the dashboard
SHOWN_REASONS = 3      # errors quoted per rejected file
STATUS_TEXT = {"accepted": ("已接收", "ok"), "rejected": ("退回", "error"),
               "duplicate": ("重复提交", "warning")}
CELL_TEXT: dict[CellState, tuple[str, str]] = {  # state -> (symbol, meaning)
    "filled": ("✓", "已填报"), "missing": ("✗", "缺报"), "offday": ("!", "固定驻点日不在规定星期"),
    "before": ("", "尚未开始计算"), "open": ("…", "本周尚未结束"),
}
GRADE_BADGE = {GRADE_SERIOUS: "error", GRADE_OVERDUE: "warning", GRADE_SOON: "info"}
PERCENT_COLUMNS = frozenset({Summary.rate, SHARE_PER_WEEK})
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.00%"
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
CHART_COLOURS = {"kept": "#8c959f", "needed": "#0550ae", "behind": "#b3261e", "ink": "#1f2328"}


def write_supervision(workspace: Workspace, master: Master, config: Config,
                      as_of: dt.date) -> dict[str, int]:
    """Write 督办清单.xlsx and the dashboard; return the findings per 督办 rule."""
    supervision = supervise(master, config, as_of)
    write_supervision_workbook(workspace, supervision, master.path)
    write_dashboard(workspace, master, supervision, compute_statistics(master, config, as_of))
    return supervision.counts()


def write_supervision_workbook(workspace: Workspace, supervision: Supervision,
                               master_path: Path, tmp: Path | None = None) -> Path:
    """督办清单.xlsx alone. It reads the unvisited households from the committed master
    at `master_path` through a connection of its own, one community at a time, so a
    forked process can write it (a connection must not cross a fork). Saved to `tmp`,
    a temporary file of the caller's batch, when given; else atomically in place."""
    path = workspace.internal / XLSX_NAME
    master = Master.read_only(master_path)
    if master is None:
        raise FileNotFoundError(master_path)
    with master, (contextlib.nullcontext(tmp) if tmp is not None else atomic_path(path)) as out:
        figures = SupervisionFigures(master, dt.date(supervision.as_of.year, 1, 1),
                                     supervision.as_of)
        supervision_workbook(supervision, figures.unvisited_households).save(out)
    return path


def write_dashboard(workspace: Workspace, master: Master, supervision: Supervision,
                    table: StatisticsTable, into: AtomicBatch | None = None) -> Path:
    files = latest_files(master.submissions(), supervision.as_of, workspace)
    with joined(into) as batch:
        return batch.write_text(workspace.internal / HTML_NAME, render(
            "dashboard.html", page=dashboard_page(supervision, table, files)))


# -- the workbook -----------------------------------------------------------------------------

def supervision_workbook(supervision: Supervision,
                         unvisited: Callable[[str], list[tuple[Any, ...]]]) -> Workbook:
    """The workbook, streamed (openpyxl's write-only mode): a district's lists of
    unvisited households run to a hundred thousand rows, asked of `unvisited` one
    community at a time. Save it once."""
    book = Workbook(write_only=True)
    _summary_sheet(book.create_sheet(SUMMARY_SHEET), supervision)
    for kind in KINDS:
        sheet = book.create_sheet(kind.title)
        header = [RULE, Issue.community, Issue.owner, *kind.columns, EVIDENCE]
        rows = [[kind.rule or "", item.community, item.responsible,
                 *(item.details.get(c) for c in kind.columns), item.evidence]
                for item in supervision.of(kind.key)]
        _table(sheet, _sheet_title(supervision, kind.title, kind.rule), header, rows)
    for community in supervision.communities:
        households = sorted(unvisited(community), key=household_order)
        sheet = book.create_sheet(UNVISITED_SHEET.format(community=community)[:31])
        title = (f"{community}社区本年未走访的户：{len(households)}户（截至"
                 f"{day_text(supervision.as_of)}，按网格；地址见户册）")
        _table(sheet, title, [Household.household_id, Household.grid, Household.type],
               households, widths=[14, 14, 12])
    return book


def _sheet_title(supervision: Supervision, title: str, rule: str | None) -> str:
    return (f"{supervision.street}{TITLE}：{title}" + (f"（{rule}）" if rule else "")
            + f"　截至{day_text(supervision.as_of)}")


def summary_columns() -> list[tuple[str, str | None, str | None]]:
    """(header, rule, grade) of the summary's count columns, grades of ISSUE-OVERDUE apart."""
    columns: list[tuple[str, str | None, str | None]] = []
    for kind in KINDS:
        if kind.rule is None:
            continue
        if kind.key == "overdue":
            columns += [(f"{kind.title}·{grade}", kind.rule, grade) for grade in GRADES]
        else:
            columns.append((kind.title, kind.rule, None))
    return columns


def summary_counts(supervision: Supervision) -> list[tuple[str, str, list[int], int, int]]:
    """(community, leader, counts per summary column, unvisited households, total findings)
    per community of the config, then the street (LEADER-SPAN)."""
    counted: dict[str, Counter[tuple[str | None, str | None]]] = {}
    for item in supervision.items:
        if item.rule is None:
            continue
        grade = item.grade if item.kind == "overdue" else None
        counted.setdefault(item.community, Counter())[(item.rule, grade)] += 1
    unvisited = {c.community: c.unvisited for c in supervision.community_coverage()}
    columns = summary_columns()
    out = []
    for community in (*supervision.communities, supervision.street):
        counts = counted.get(community, Counter())
        values = [counts[(rule, grade)] for _, rule, grade in columns]
        out.append((community, supervision.leaders.get(community, ""), values,
                    unvisited.get(community, 0), sum(values)))
    return out


def _summary_sheet(sheet: Any, supervision: Supervision) -> None:
    columns = summary_columns()
    header = [Issue.community, LEADER, *(h for h, _, _ in columns), UNVISITED_TOTAL, TOTAL]
    rows: list[list[Any]] = []
    totals = [0] * (len(columns) + 2)
    for community, leader, values, unvisited, total in summary_counts(supervision):
        rows.append([community, leader, *values, unvisited, total])
        totals = [a + b for a, b in zip(totals, [*values, unvisited, total], strict=True)]
    _table(sheet, _sheet_title(supervision, SUMMARY_SHEET, None), header, rows,
           widths=[12, 10] + [10] * (len(header) - 2),
           footer=[_styled(sheet, v, font=Font(bold=True)) for v in [TOTAL, "", *totals]])


def _table(sheet: Any, title: str, header: list[str], rows: Sequence[Sequence[Any]],
           widths: list[int] | None = None, footer: list[Any] | None = None) -> None:
    """A title in row 1, the header in row 2 (frozen, with an autofilter), rows below,
    then `footer` (a totals row) outside the filter. `sheet` is a write-only worksheet:
    widths and panes go first, then the rows in order."""
    for col, name in enumerate(header, start=1):
        width = widths[col - 1] if widths else (48 if name == EVIDENCE else
                                                max(10, min(24, 2 * len(name) + 2)))
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "A3"
    sheet.append([_styled(sheet, cell_text(title), font=Font(bold=True, size=12))])
    sheet.append([_styled(sheet, name, font=Font(bold=True), fill=HEADER_FILL, alignment=WRAP)
                  for name in header])
    percent = [name in PERCENT_COLUMNS for name in header]
    for values in rows:
        sheet.append([_data_cell(sheet, value, is_percent)
                      for value, is_percent in zip(values, percent, strict=True)])
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(header))}{max(2, len(rows) + 2)}"
    if footer is not None:
        sheet.append(footer)


def _data_cell(sheet: Any, value: Any, is_percent: bool) -> Any:
    if isinstance(value, dt.date):
        return _styled(sheet, _cell_value(value), number_format=DATE_FORMAT)
    if is_percent and isinstance(value, float):
        return _styled(sheet, value, number_format=PERCENT_FORMAT)
    return _cell_value(value)


def _styled(sheet: Any, value: Any, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _cell_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return cell_text(value)


# -- the files of the latest run ------------------------------------------------------------------

@dataclass(frozen=True)
class FileLine:
    name: str
    community: str
    status: str               # 已接收 / 退回 / 重复提交
    badge: str
    errors: int
    warnings: int
    reasons: tuple[str, ...]  # the first errors of a rejected file (sheet!cell: message)
    more_reasons: int
    href: str | None          # the clerk's feedback page, relative to outbox/internal/


@dataclass(frozen=True)
class LatestFiles:
    run_as_of: str            # 2026年12月1日, or '' when nothing was ever received
    lines: tuple[FileLine, ...]
    accepted: int
    rejected: int
    duplicate: int


def latest_files(submissions: pd.DataFrame, as_of: dt.date, workspace: Workspace) -> LatestFiles:
    """The files received by the latest run up to `as_of` (by its --as-of date)."""
    if submissions.empty:
        return LatestFiles("", (), 0, 0, 0)
    dates = submissions["run_as_of"].astype(str)
    shown = dates[dates <= as_of.isoformat()]
    if shown.empty:
        return LatestFiles("", (), 0, 0, 0)
    last = shown.max()
    rows = submissions[dates == last]
    first_name = {sha: name for sha, name, status in zip(
        submissions["sha256"], submissions["file_name"], submissions["status"], strict=True)
        if status != "duplicate"}
    lines = []
    for record in rows.to_dict("records"):
        status, badge = STATUS_TEXT.get(str(record["status"]), (str(record["status"]), "info"))
        verdict = _verdict(record["verdict_json"])
        reasons = [_reason(e) for e in verdict.get("errors", [])]
        name = first_name.get(record["sha256"], record["file_name"])
        lines.append(FileLine(
            name=str(record["file_name"]), community=str(record["community"] or UNKNOWN_COMMUNITY),
            status=status, badge=badge, errors=int(record["errors"]),
            warnings=int(record["warnings"]), reasons=tuple(reasons[:SHOWN_REASONS]),
            more_reasons=max(0, len(reasons) - SHOWN_REASONS),
            href=feedback_href(workspace, record["feedback_path"], str(name))))
    counts = Counter(str(s) for s in rows["status"])
    return LatestFiles(day_text(dt.date.fromisoformat(last[:10])), tuple(lines),
                       counts["accepted"], counts["rejected"], counts["duplicate"])


def _verdict(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(str(text or "{}"))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _reason(error: dict[str, Any]) -> str:
    where = (f"{error['sheet']}!{error['cell']}" if error.get("sheet") and error.get("cell")
             else error.get("sheet") or "")
    message = str(error.get("message") or error.get("rule") or "")
    return f"{where}：{message}" if where else message


def feedback_href(workspace: Workspace, recorded: Any, file_name: str) -> str | None:
    """The clerk's feedback page of a file, relative to outbox/internal/; None when it is not
    there. The master records the verdict's JSON (older runs: its folder); the page is the
    .html beside it, named as pipeline.feedback names it."""
    if not recorded or pd.isna(recorded):
        return None
    path = workspace.root / str(recorded)
    if path.suffix == ".json":
        page = path.with_suffix(".html")
    else:
        base = PureWindowsPath(file_name).name
        stem = Path(base).stem if "." in base.lstrip(".") else base
        page = path / f"{safe_name(stem, '未命名')}.html"
    if not page.is_file():
        return None
    return quote(os.path.relpath(page, workspace.internal).replace(os.sep, "/"))


# -- the dashboard ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Tile:
    title: str
    rule: str
    count: int
    note: str


@dataclass(frozen=True)
class SummaryLine:
    community: str
    leader: str
    counts: tuple[int, ...]
    unvisited: int
    total: int


@dataclass(frozen=True)
class ItemLine:
    community: str
    responsible: str
    evidence: str
    grade: str
    badge: str


@dataclass(frozen=True)
class ItemSection:
    key: str
    title: str
    rule: str
    lines: tuple[ItemLine, ...]
    more: int                 # entries left out of the page (all are in the workbook)


@dataclass(frozen=True)
class LevelLine:
    level: str
    count: int
    holders: str              # 张三 3件、李四 1件


@dataclass(frozen=True)
class CalendarCell:
    state: str
    symbol: str
    title: str


@dataclass(frozen=True)
class CalendarLine:
    community: str
    cells: tuple[CalendarCell, ...]
    missing: int


@dataclass(frozen=True)
class CoverageLine:
    community: str
    grid: str
    total: int
    visited: int
    unvisited: int
    rate: str
    per_week: int
    share_per_week: str
    pace_so_far: str
    behind: bool


@dataclass(frozen=True)
class CoverageGroup:
    community: CoverageLine
    grids: tuple[CoverageLine, ...]


@dataclass(frozen=True)
class StatLine:
    leader: str
    community: str
    total: int
    visited: int
    rate: str
    received: int
    outgoing: int
    collected: int
    closed: int
    overdue: int
    basis: str
    kind: str                 # row / total


@dataclass(frozen=True)
class DashboardPage:
    """The context of templates/dashboard.html."""

    title: str
    street: str
    as_of: str
    xlsx_href: str
    tiles: tuple[Tile, ...]
    files: LatestFiles
    summary_headers: tuple[str, ...]
    summary_lines: tuple[SummaryLine, ...]
    summary_total: SummaryLine
    issues: ItemSection
    grade_counts: tuple[tuple[str, int, str], ...]   # grade, count, badge
    levels: tuple[LevelLine, ...]
    open_total: int
    weeks: tuple[str, ...]                           # week numbers, for the header
    week_titles: tuple[str, ...]                     # 2026-W49 2026-11-30至2026-12-06
    calendar: tuple[CalendarLine, ...]
    weekday: str
    legend: tuple[tuple[str, str, str], ...]         # state, symbol, meaning
    coverage: tuple[CoverageGroup, ...]
    weeks_left: int
    chart_svg: Markup
    sections: tuple[ItemSection, ...]
    stats: tuple[StatLine, ...]
    stats_period: str
    statistics_href: str
    statistics_xlsx_href: str


def dashboard_page(supervision: Supervision, table: StatisticsTable,
                   files: LatestFiles) -> DashboardPage:
    counts = supervision.counts()
    overdue = supervision.of("overdue")
    grades = Counter(item.grade for item in overdue)
    tiles = tuple(Tile(kind.title, kind.rule, counts[kind.rule],
                       "、".join(f"{g}{grades[g]}" for g in GRADES if grades[g])
                       if kind.key == "overdue" else "")
                  for kind in KINDS if kind.rule)
    lines = [SummaryLine(c, leader, tuple(values), unvisited, total)
             for c, leader, values, unvisited, total in summary_counts(supervision)]
    summary_total = SummaryLine(
        TOTAL, "", tuple(sum(col) for col in zip(*(ln.counts for ln in lines), strict=True)),
        sum(ln.unvisited for ln in lines), sum(ln.total for ln in lines))
    urgent = sorted(overdue, key=lambda i: (GRADES.index(i.grade),
                                            i.details[Issue.due]))
    coverage = supervision.community_coverage()
    # the calendar starts at the first week any community is counted
    shown_from = min((next((i for i, s in enumerate(row.cells) if s != "before"), len(row.cells))
                      for row in supervision.calendar), default=0)
    return DashboardPage(
        title=f"{supervision.street}{DASHBOARD_TITLE}",
        street=supervision.street,
        as_of=day_text(supervision.as_of),
        xlsx_href=quote(XLSX_NAME),
        tiles=tiles,
        files=files,
        summary_headers=tuple(h for h, _, _ in summary_columns()),
        summary_lines=tuple(lines),
        summary_total=summary_total,
        issues=_section("overdue", urgent, SHOWN_ISSUES),
        grade_counts=tuple((g, grades[g], GRADE_BADGE[g]) for g in GRADES),
        levels=_levels(supervision.of("open")),
        open_total=len(supervision.of("open")),
        weeks=tuple(f"{w.week}" for w in supervision.weeks[shown_from:]),
        week_titles=tuple(f"{w.label}（{w.span}）" for w in supervision.weeks[shown_from:]),
        calendar=tuple(_calendar_line(supervision, row.community, row.cells, shown_from)
                       for row in supervision.calendar),
        weekday=WEEKDAYS[supervision.stationing_weekday - 1],
        legend=tuple((state, symbol, meaning) for state, (symbol, meaning) in CELL_TEXT.items()),
        coverage=_coverage_groups(supervision),
        weeks_left=coverage[0].weeks_left if coverage else 0,
        chart_svg=Markup(pace_chart_svg(coverage)),
        sections=tuple(_section(kind.key, supervision.of(kind.key), SHOWN_ITEMS)
                       for kind in KINDS if kind.key not in ("overdue", "open", "cover")),
        stats=_stat_lines(table),
        stats_period=f"{day_text(table.start)}至{day_text(table.as_of)}",
        statistics_href="../public/statistics.html",
        statistics_xlsx_href=quote(STATISTICS_XLSX),
    )


def _section(key: str, items: list[SupervisionItem], shown: int) -> ItemSection:
    kind = KIND[key]
    return ItemSection(
        key, kind.title, kind.rule or "",
        tuple(ItemLine(i.community, i.responsible, i.evidence, i.grade,
                       GRADE_BADGE.get(i.grade, "info")) for i in items[:shown]),
        max(0, len(items) - shown))


def _levels(items: list[SupervisionItem]) -> tuple[LevelLine, ...]:
    by_level: dict[str, Counter[str]] = {}
    for item in items:
        by_level.setdefault(str(item.details[Issue.level]), Counter())[item.responsible] += 1
    return tuple(LevelLine(level, sum(holders.values()),
                           "、".join(f"{name}{n}件" for name, n in holders.most_common()))
                 for level, holders in by_level.items())


def _calendar_line(supervision: Supervision, community: str, cells: tuple[CellState, ...],
                   shown_from: int) -> CalendarLine:
    out = []
    for week, state in zip(supervision.weeks[shown_from:], cells[shown_from:], strict=True):
        symbol, meaning = CELL_TEXT[state]
        out.append(CalendarCell(state, symbol, f"{community} {week.label}（{week.span}）：{meaning}"))
    return CalendarLine(community, tuple(out), sum(1 for s in cells if s == "missing"))


def _coverage_line(row: Coverage) -> CoverageLine:
    return CoverageLine(row.community, row.grid or "", row.total, row.visited, row.unvisited,
                        percent_text(row.rate), row.per_week, percent_text(row.share_per_week),
                        percent_text(row.pace_so_far), row.behind)


def _coverage_groups(supervision: Supervision) -> tuple[CoverageGroup, ...]:
    groups = []
    for community in supervision.community_coverage():
        grids = [c for c in supervision.coverage
                 if c.community == community.community and c.grid is not None]
        groups.append(CoverageGroup(_coverage_line(community),
                                    tuple(_coverage_line(g) for g in grids)))
    return tuple(groups)


def _stat_lines(table: StatisticsTable) -> tuple[StatLine, ...]:
    out = [StatLine(row.leader, row.community, row.total, row.visited, row.percent("rate"),
                    row.received, row.outgoing, row.collected, row.closed, row.overdue,
                    row.basis, "row") for row in table.rows]
    total = table.total
    out.append(StatLine("", TOTAL, total.total, total.visited, total.percent("rate"),
                        total.received, total.outgoing, total.collected, total.closed,
                        total.overdue, "", "total"))
    return tuple(out)


# -- the chart ----------------------------------------------------------------------------------

def pace_chart_svg(coverage: list[Coverage]) -> str:
    """Per community: the share of households visited per stationing week so far, and the
    share needed per remaining week to reach 100% by 31 December (red when faster than
    so far). An inline <svg> (see charts.text_style for its text)."""
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no global state
    from matplotlib.patches import Patch

    rows = [c for c in coverage if c.total]
    with matplotlib.rc_context({**text_style(), "font.size": 10, "svg.hashsalt": "supervision",
                                "axes.unicode_minus": False}), \
            warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        figure = Figure(figsize=(5.2, 0.42 * max(1, len(rows)) + 1.0), layout="constrained")
        axes = figure.subplots()
        kept = [float(c.pace_so_far or 0) for c in rows]
        needed = [float(c.share_per_week or 0) for c in rows]
        positions = list(range(len(rows)))
        height = 0.38
        axes.barh([p - height / 2 for p in positions], kept, height=height,
                  color=CHART_COLOURS["kept"], label="今年以来每周平均走访")
        axes.barh([p + height / 2 for p in positions], needed, height=height,
                  color=[CHART_COLOURS["behind"] if c.behind else CHART_COLOURS["needed"]
                         for c in rows], label="今后每周需走访")
        top = max([*kept, *needed, 0.01])
        for p, k, n, c in zip(positions, kept, needed, rows, strict=True):
            axes.text(k + top * 0.01, p - height / 2, percent_text(c.pace_so_far), va="center",
                      fontsize=9, color=CHART_COLOURS["ink"])
            axes.text(n + top * 0.01, p + height / 2,
                      f"{percent_text(c.share_per_week)}（{c.per_week}户）", va="center",
                      fontsize=9, color=CHART_COLOURS["ink"])
        axes.set_yticks(positions, labels=[c.community for c in rows])
        axes.invert_yaxis()
        axes.set_xlim(0, top * 1.45)
        axes.xaxis.set_major_formatter(
            matplotlib.ticker.FuncFormatter(lambda v, _: f"{v * 100:g}%"))
        legend = [Patch(color=CHART_COLOURS["kept"], label="今年以来每周平均"),
                  Patch(color=CHART_COLOURS["needed"], label="今后每周需走访"),
                  Patch(color=CHART_COLOURS["behind"], label="需走访（快于以往）")]
        axes.legend(handles=legend, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3,
                    fontsize=8, frameon=False, borderaxespad=0.2, handlelength=1.2,
                    columnspacing=1.0)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="y", length=0)
        axes.grid(axis="x", color="#d0d7de", linewidth=0.6)
        axes.set_axisbelow(True)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return inline_svg(buffer.getvalue(), "各社区走访进度：今年以来每周平均与今后每周所需")


