"""What the clerk gets back for one submitted file: the verdict as JSON, an HTML report and
an annotated copy of the workbook, in `outbox/feedback/<社区 or 未识别>/` (INTERFACE.md)."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import config as limits
from pipeline.atomic import AtomicBatch, atomic_batch
from pipeline.excel_safety import cell_text
from pipeline.findings import Finding, Verdict
from pipeline.html import render
from pipeline.isolation import run_isolated
from pipeline.workspace import Workspace

log = logging.getLogger(__name__)

UNKNOWN_COMMUNITY = "未识别"
RESULT_SHEET = "校验结果"
RESULT_HEADERS = ("严重程度", "规则", "工作表", "单元格", "列", "值", "说明")
RESULT_WIDTHS = (9, 16, 12, 16, 14, 24, 70)
ERROR_FILL = "FFC7CE"    # Excel's own "light red fill"
WARNING_FILL = "FFEB9C"  # Excel's own "yellow/amber fill"
COMMENT_AUTHOR = "驻点台账校验"
HTML_VALUE_MAX_CHARS = 300
ANNOTATED_SUFFIX = "_批注"

# Characters no file system of a clerk's PC may hold, and Windows' reserved device names.
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
             *(f"LPT{i}" for i in range(10))}
_NAME_MAX_BYTES = 150  # leaves room for "_批注.xlsx" and a temp-file prefix within 255 bytes


@dataclass(frozen=True)
class FeedbackFiles:
    """The files written for one submission; `annotated` is None when no copy was made."""

    folder: Path
    json: Path
    html: Path
    annotated: Path | None


@dataclass(frozen=True)
class FindingView:
    """One finding as the report shows it."""

    severity: str
    is_error: bool
    rule: str
    where: str          # 走访登记!C7, 走访登记 第7行, 走访登记（整张表）, 整个文件
    column: str | None
    value: str | None   # None: no value (an empty cell when `empty_cell`)
    empty_cell: bool
    shortened: bool     # `value` is the first HTML_VALUE_MAX_CHARS of `value_chars`
    value_chars: int
    message: str


@dataclass(frozen=True)
class SheetGroup:
    """The findings of one sheet (or of the whole file), errors first."""

    title: str
    errors: list[FindingView]
    warnings: list[FindingView]


@dataclass(frozen=True)
class FeedbackPage:
    """The context of templates/feedback.html."""

    file: str
    sha256: str
    status: str                # valid | invalid | unreadable
    error_count: int
    warning_count: int
    groups: list[SheetGroup]
    sheets: list[dict[str, object]]  # verdict.sheets: sheet, kind, rows
    annotated_name: str | None       # file name of the annotated copy, when there is one
    annotated_failed: bool = False   # a copy was due but could not be made (our fault)
    duplicate: bool = False          # the same bytes came before: not merged again


def write_feedback(workspace: Workspace, verdict: Verdict, source: Path | None,
                   community: str | None, batch: AtomicBatch | None = None,
                   duplicate: bool = False) -> FeedbackFiles:
    """Write the JSON verdict, the HTML report and (for a readable workbook) the annotated
    copy of one submission; every write is atomic. Into `batch` when given: the files are
    in place when it commits (a run commits its feedback with its master)."""
    if batch is None:
        with atomic_batch() as own:  # the copy, the page and the JSON reach the disk together
            return write_feedback(workspace, verdict, source, community, own, duplicate)
    folder = workspace.feedback / safe_name(community or "", UNKNOWN_COMMUNITY)
    stem = named = safe_name(_submitted_stem(verdict.file), "未命名")
    copies = 1  # two files of one name in one run (台账.xlsx, 补交/台账.xlsx): a report each
    while batch.holds(folder / f"{stem}.json"):
        copies += 1
        stem = f"{named}（{copies}）"
    json_path = folder / f"{stem}.json"
    html_path = folder / f"{stem}.html"

    target = folder / f"{stem}{ANNOTATED_SUFFIX}.xlsx"
    annotated: Path | None = None
    failed = False
    if source is not None and verdict.status != "unreadable":
        try:
            if verdict.errors or verdict.warnings:
                # openpyxl on an untrusted file: in the guarded worker, like the reading;
                # it writes a temporary file of the batch, which puts it in place
                tmp = batch.path(target)
                try:
                    run_isolated(annotate_workbook, source, verdict, tmp,
                                 timeout=limits.WORKER_TIMEOUT_SECONDS,
                                 memory_bytes=limits.WORKER_MEMORY_BYTES)
                except BaseException:
                    batch.drop(tmp)
                    raise
                annotated = target
            else:  # nothing to mark: the copy is the file itself (an openpyxl round
                # trip costs ~0.3 s per file), with its macros: Excel opens an .xlsm only
                # under its own extension
                if PureWindowsPath(verdict.file).suffix.lower() == ".xlsm":
                    target = target.with_suffix(".xlsm")
                annotated = batch.write_bytes(target, source.read_bytes())
        except Exception:  # the report must still reach the clerk; the page says so
            log.exception("annotated copy of %s failed", verdict.file)
            failed = True
    # an earlier file's copy under this name, in either form, would mislead
    for stale in {target.with_suffix(".xlsx"), target.with_suffix(".xlsm")} - {annotated}:
        batch.remove(stale)

    page = feedback_page(verdict, annotated.name if annotated else None,
                         annotated_failed=failed, duplicate=duplicate)
    batch.write_text(html_path, render("feedback.html", page=page))
    batch.write_text(json_path,
                     json.dumps(verdict.as_json(), ensure_ascii=False, indent=2) + "\n")
    return FeedbackFiles(folder=folder, json=json_path, html=html_path, annotated=annotated)


def safe_name(text: str, fallback: str) -> str:
    """`text` as a file or folder name on any clerk's PC: Chinese kept; path separators,
    control and reserved characters become _, and the name is cut to a safe length."""
    name = unicodedata.normalize("NFC", text)
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    while len(name.encode("utf-8")) > _NAME_MAX_BYTES:
        name = name[:-1]
    name = name.rstrip(" .")
    if not name:
        return fallback
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name


def render_report(verdict: Verdict, annotated_name: str | None = None) -> str:
    """The HTML report of one verdict (templates/feedback.html)."""
    return render("feedback.html", page=feedback_page(verdict, annotated_name))


def feedback_page(verdict: Verdict, annotated_name: str | None = None,
                  annotated_failed: bool = False, duplicate: bool = False) -> FeedbackPage:
    groups = [SheetGroup(title=title,
                         errors=[_view(f) for f in group if f.is_error],
                         warnings=[_view(f) for f in group if not f.is_error])
              for title, group in _grouped(verdict)]
    return FeedbackPage(
        file=verdict.file, sha256=verdict.sha256, status=verdict.status,
        error_count=len(verdict.errors), warning_count=len(verdict.warnings),
        groups=groups,
        sheets=[{"sheet": s.sheet, "kind": s.kind, "rows": s.rows} for s in verdict.sheets],
        annotated_name=annotated_name, annotated_failed=annotated_failed, duplicate=duplicate,
    )


def annotate_workbook(source: Path, verdict: Verdict, target: Path) -> Path:
    """Copy `source` to `target` with each bad cell filled (red: error, amber: warning) and
    commented, and a first sheet 校验结果 listing every finding with a link to its cell.

    Loaded with formulas (not data_only) and rich text, so values and formulas stay as the
    clerk wrote them; Excel recalculates on opening, as openpyxl keeps no cached results.
    """
    wb = load_workbook(source, rich_text=True)
    ordered = [f for _, group in _grouped(verdict) for f in _errors_first(group)]
    targets = {f: _locate(wb, f) for f in ordered}

    marks: dict[tuple[str, str], list[tuple[Finding, str]]] = {}
    for finding in ordered:
        place = targets[finding]
        if place is not None:
            ws, coord = place
            anchor = _merge_anchor(ws, coord)
            marks.setdefault((ws.title, anchor), []).append((finding, coord))
    for (title, anchor), found in marks.items():
        _mark_cell(wb[title], anchor, found)

    _add_result_sheet(wb, ordered, targets)
    wb.calculation.fullCalcOnLoad = True
    wb.save(target)  # `target` is a temporary file: the caller puts it in place
    return target


# --- grouping and display ---------------------------------------------------------------

FILE_GROUP = "整个文件"


def _grouped(verdict: Verdict) -> list[tuple[str, list[Finding]]]:
    """Findings by sheet: file-level first, then sheets in the order they were read, each
    group sorted by position. Only 错误 and 警告 (what the JSON carries) are shown."""
    shown = verdict.errors + verdict.warnings
    order = [FILE_GROUP, *(s.sheet for s in verdict.sheets)]
    groups: dict[str, list[Finding]] = {}
    for f in shown:
        groups.setdefault(f.sheet or FILE_GROUP, []).append(f)
    titles = sorted(groups, key=lambda t: order.index(t) if t in order else len(order))
    return [(t, sorted(groups[t], key=_position)) for t in titles]


def _errors_first(findings: Iterable[Finding]) -> list[Finding]:
    items = list(findings)
    return [f for f in items if f.is_error] + [f for f in items if not f.is_error]


def _position(f: Finding) -> tuple[int, int]:
    row = f.row or 0
    col = 0
    if f.cell:
        try:
            letters, row_from_cell = coordinate_from_string(f.cell)
            col, row = column_index_from_string(letters), f.row or row_from_cell
        except ValueError:
            pass
    return row, col


def _where(f: Finding) -> str:
    if f.sheet is None:
        return FILE_GROUP if f.cell is None else f.cell
    if f.cell:
        return f"{f.sheet}!{f.cell}"
    if f.row:
        return f"{f.sheet} 第{f.row}行"
    return f"{f.sheet}（整张表）"


def _view(f: Finding) -> FindingView:
    value = f.value
    full = len(value) if value is not None else 0
    shortened = full > HTML_VALUE_MAX_CHARS
    if value is not None and shortened:
        value = value[:HTML_VALUE_MAX_CHARS] + "…"
    return FindingView(severity=f.severity, is_error=f.is_error, rule=f.rule, where=_where(f),
                       column=f.column, value=value, empty_cell=f.value is None and bool(f.cell),
                       shortened=shortened, value_chars=full, message=f.message)


def _submitted_stem(file: str) -> str:
    """龙导_第48周.xlsx -> 龙导_第48周; any other kind keeps its extension (报表.csv ->
    报表.csv), so that 报表.xlsx and 报表.csv sent together have a report each."""
    name = PureWindowsPath(file).name  # a clerk's name may carry \ or / from any system
    path = Path(name)
    return path.stem if path.suffix.lower() == ".xlsx" and path.stem.strip(".") else name


# --- the annotated copy -----------------------------------------------------------------

def _locate(wb: Workbook, f: Finding) -> tuple[Worksheet, str] | None:
    """The worksheet and cell of a finding, when it names one that exists."""
    if not f.sheet or not f.cell:
        return None
    ws = next((s for s in wb.worksheets if s.title == f.sheet), None)
    if ws is None:
        ws = next((s for s in wb.worksheets if s.title.strip() == f.sheet.strip()), None)
    if ws is None:
        return None
    try:
        letters, row = coordinate_from_string(f.cell.replace("$", "").upper())
        column = column_index_from_string(letters)
    except ValueError:
        return None
    if not (1 <= row <= 1_048_576 and 1 <= column <= 16_384):
        return None
    return ws, f"{letters}{row}"


def _merge_anchor(ws: Worksheet, coord: str) -> str:
    """The top-left cell of the merged range holding `coord` (only it can carry a comment)."""
    if not isinstance(ws[coord], MergedCell):
        return coord
    for rng in ws.merged_cells.ranges:
        if coord in rng:
            return str(rng.start_cell.coordinate)
    return coord


def _mark_cell(ws: Worksheet, anchor: str, found: list[tuple[Finding, str]]) -> None:
    cell = ws[anchor]
    colour = ERROR_FILL if any(f.is_error for f, _ in found) else WARNING_FILL
    cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
    lines = []
    for f, coord in found:
        at = f"（{coord}）" if coord != anchor else ""
        lines.append(f"【{f.severity}·{f.rule}】{at}{f.message}")
    text = "\n".join(lines)
    if cell.comment is not None and cell.comment.author != COMMENT_AUTHOR:
        text += f"\n\n原批注：{cell.comment.text}"
    text = str(cell_text(text))
    comment = Comment(text, COMMENT_AUTHOR)
    comment.width = 320
    comment.height = min(600, 40 + 18 * (text.count("\n") + len(text) // 24))
    cell.comment = comment


def _result_title(wb: Workbook) -> str:
    taken = {name.casefold() for name in wb.sheetnames}
    title, n = RESULT_SHEET, 1
    while title.casefold() in taken:
        n += 1
        title = f"{RESULT_SHEET}({n})"
    return title


def _quote_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _add_result_sheet(wb: Workbook, findings: list[Finding],
                      targets: dict[Finding, tuple[Worksheet, str] | None]) -> Worksheet:
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    ws = wb.create_sheet(_result_title(wb), 0)
    wb.active = 0
    ws.sheet_view.tabSelected = True
    ws.append(list(RESULT_HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(RESULT_WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    link_font = Font(color="0563C1", underline="single")
    for f in findings:
        ws.append([cell_text(v) for v in
                   (f.severity, f.rule, f.sheet or "", _where(f),
                    f.column or "", f.value if f.value is not None else "", f.message)])
        r = ws.max_row
        colour = ERROR_FILL if f.is_error else WARNING_FILL
        ws.cell(r, 1).fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
        place = targets.get(f)
        if place is not None:
            target_ws, coord = place
            ref = ws.cell(r, 4)
            ref.hyperlink = Hyperlink(ref=ref.coordinate,
                                      location=f"{_quote_sheet(target_ws.title)}!{coord}",
                                      tooltip=f"跳到 {target_ws.title}!{coord}")
            ref.font = link_font
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:G{max(ws.max_row, 1)}"
    return ws
