"""Reading a workbook: cell values (python-calamine), then finding each ledger's table in them.

`read_grids` is the only place that opens a file; everything after it works on `Grid`
(a list of rows, merged ranges filled in) so it is tested without the disk.
`locate_table` finds the header row (title rows above, two-row merged headers, stray
spaces and full-width brackets are normal), maps headers to schema columns by name,
and keeps the Excel row number of every data row.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandera.pandas as pa
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from python_calamine import CalamineWorkbook

from pipeline.cells import INVISIBLE, CellProblem, clean_text, display, has_invisible, is_blank
from pipeline.findings import Finding
from pipeline.messages import say
from schemas import Roster, field_specs

HEADER_SCAN_ROWS = 30
IGNORED_HEADERS = frozenset({"序号"})  # a row-number column clerks add; not data
# A unit clerks add after a count's name: 参加人数（人）, 接待人次（人次）
UNIT_SUFFIX = re.compile(r"\((人|户|人次|次|个|件|名|家|天)\)$")
# 合计, 合　计, 全街道合计, 小计（李福坚）: matched with the spaces taken out
TOTAL_ROW = re.compile(r"^(全街道|本街道|街道|全区|全社区|本社区)?(合计|小计|总计|累计)")
# lines under a table: notes, sources, units, who filled it in, a seal or a signature
FOOTNOTE = re.compile(r"^(注\d*|备注|说明|数据来源|资料来源|来源|单位|计量单位|联系人|负责人|联系电话|日期)"
                      r"\s*[:：]|^(填表|制表|审核|审批|填报|报送)|盖章|签字|签名")
COMMUNITY_HEADER = Roster.community  # every ledger's; a row with only it filled is no record


@dataclass
class Grid:
    """A sheet's values as rows (row 0 is Excel row 1), merged ranges filled."""

    name: str
    rows: list[list[Any]]
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def value(self, r: int, c: int) -> Any:
        row = self.rows[r] if r < len(self.rows) else []
        return row[c] if c < len(row) else None


def read_grids(path: Path, problems: dict[str, dict[str, str]] | None = None) -> list[Grid]:
    """Every sheet of the workbook as a Grid, in workbook order.

    `problems` names, per sheet, the cells the guard saw holding an Excel error value
    ('error') or a formula saved without its value ('formula'): calamine reads both as
    empty, so those cells get a CellProblem with the text openpyxl shows for them.
    """
    try:
        str(path).encode("utf-8")
        workbook = CalamineWorkbook.from_path(str(path))
    except UnicodeEncodeError:  # a GBK file name from an unzipped archive: calamine takes
        with path.open("rb") as fh:  # only UTF-8 paths, so it reads the opened file
            workbook = CalamineWorkbook.from_filelike(fh)
    try:
        grids = []
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            grids.append(Grid(name, rows, list(sheet.merged_cell_ranges or [])))
    finally:
        workbook.close()
    problems = {name: cells for name, cells in (problems or {}).items() if cells}
    if problems:  # openpyxl parses the whole sheet: only when the guard saw such a cell
        _mark_problems(path, grids, problems)
    return [fill_merges(grid) for grid in grids]


def _mark_problems(path: Path, grids: list[Grid], problems: dict[str, dict[str, str]]) -> None:
    """Overlay CellProblems (openpyxl, read-only, only for the sheets that need it). An
    error cell shows what Excel shows (#N/A, even where a formula gave it); a formula
    saved without its value shows the formula."""
    kinds = {kind for cells in problems.values() for kind in cells.values()}
    books = {kind: load_workbook(path, read_only=True, data_only=kind == "error")
             for kind in kinds}
    try:
        for grid in grids:
            cells = problems.get(grid.name)
            if not cells:
                continue
            for ref, kind in cells.items():
                row, col = coordinate_to_tuple(ref)
                shown = books[kind][grid.name].cell(row=row, column=col).value
                key = "TYPE.error_value" if kind == "error" else "TYPE.formula_no_value"
                while len(grid.rows) < row:
                    grid.rows.append([])
                line = grid.rows[row - 1]
                line.extend([""] * (col - len(line)))
                line[col - 1] = CellProblem(key, display(shown) or ref)
    finally:
        for book in books.values():
            book.close()


def fill_merges(grid: Grid) -> Grid:
    """A merged range repeats its top-left value in every cell it covers."""
    for (r0, c0), (r1, c1) in grid.merges:
        top_left = grid.value(r0, c0)
        for r in range(r0, min(r1, len(grid.rows) - 1) + 1):
            row = grid.rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = top_left
    return grid


def normalise_header(text: Any) -> str:
    """Header text compared by name: NFKC, no white space or line breaks, '*' marks dropped."""
    if is_blank(text):
        return ""
    return _normalise_text(str(text))


@functools.lru_cache(maxsize=1 << 14)  # the header scan meets the same texts again and again
def _normalise_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).translate(INVISIBLE)
    folded = re.sub(r"\s+", "", folded).replace("*", "")
    return re.sub(r"\((可选|选填|必填)\)$", "", folded)


def normalise_sheet_name(name: str) -> str:
    return normalise_header(name).replace("帐", "账")  # 台帐: the older spelling, still common


def header_lookup(model: type[pa.DataFrameModel]) -> dict[str, str]:
    """Normalised header text (and its accepted alternatives) -> the schema header."""
    lookup: dict[str, str] = {}
    for spec in field_specs(model):
        for name in (spec.header, *spec.alt_headers):
            lookup[normalise_header(name)] = spec.header
    return lookup


def match_header(lookup: dict[str, str], name: str) -> str | None:
    """The schema header a normalised header text names: as it is, else without a unit
    the clerk added in brackets (where the schema's own name carries none)."""
    found = lookup.get(name)
    if found is None and UNIT_SUFFIX.search(name):
        found = lookup.get(UNIT_SUFFIX.sub("", name))
    return found


@dataclass
class Column:
    header: str | None  # the schema header it matched, None when unknown
    seen: str           # the text in the file
    index: int          # 0-based column index


@dataclass
class Table:
    """One ledger's data as found in a sheet, with Excel positions kept."""

    sheet: str
    ledger: str
    header_rows: tuple[int, ...]                  # Excel row numbers
    columns: dict[str, Column]                    # schema header -> its column
    rows: list[int]                               # Excel row number of each data row
    values: dict[str, list[Any]]                  # schema header -> raw values aligned with rows
    title: str = ""                               # text above the header (e.g. 截至日期)
    findings: list[Finding] = field(default_factory=list)

    def cell(self, header: str, row: int) -> str:
        return f"{get_column_letter(self.columns[header].index + 1)}{row}"


def _row_headers(grid: Grid, r: int, two_rows: bool) -> list[str]:
    width = max(len(grid.rows[r]), len(grid.rows[r + 1]) if r + 1 < len(grid.rows) else 0)
    names = []
    for c in range(width):
        top = normalise_header(grid.value(r, c))
        below = normalise_header(grid.value(r + 1, c)) if two_rows else ""
        names.append(below or top)
    return names


def _find_header(grid: Grid, lookup: dict[str, str]) -> tuple[int, bool] | None:
    best: tuple[int, bool, int, bool] | None = None  # (score, merged down, row, two_rows)
    perfect = len(set(lookup.values()))  # every column found: no later row can do better
    merged_down = {r0 for (r0, _), (r1, _) in grid.merges if r1 > r0}

    @functools.cache  # a row's one-row score is asked again when the row above reads as two
    def score(r: int, two_rows: bool) -> int:
        return len({match_header(lookup, n) for n in _row_headers(grid, r, two_rows)} - {None})

    for r in range(min(HEADER_SCAN_ROWS, len(grid.rows))):
        if best is not None and best[0] == perfect:
            break
        for two_rows in (False, True):
            # a title line straight above the header (one text, merged or not) is no
            # header row: reading it as one would lose the title and its date
            if two_rows and (r + 1 >= len(grid.rows) or len(
                    {normalise_header(v) for v in grid.rows[r]} - {""}) < 2):
                continue
            found = score(r, two_rows)
            # Two rows where header cells are merged down into the second (the seed's 其中
            # over 群众/企业), or where the upper row adds columns; otherwise a form line
            # above the header (填报单位…, 统计截至…) is title, not the header's top half.
            joined = two_rows and r in merged_down
            if two_rows and not joined and found <= score(r + 1, False):
                continue
            if best is None or (found, joined) > best[:2]:
                best = (found, joined, r, two_rows)
    if best is None or best[0] < 2:
        return None
    return best[2], best[3]


def locate_table(grid: Grid, ledger: str, model: type[pa.DataFrameModel]) -> Table | Finding:
    """Find the ledger's table in `grid`; a Finding when no header row can be found."""
    lookup = header_lookup(model)
    found = _find_header(grid, lookup)
    if found is None:
        expected = "、".join(spec.header for spec in field_specs(model))
        return Finding("HEADER", say("HEADER.not_found", sheet=grid.name, scan=HEADER_SCAN_ROWS,
                                     expected=expected), sheet=grid.name)
    r, two_rows = found
    header_rows = (r + 1, r + 2) if two_rows else (r + 1,)
    first_data = r + (2 if two_rows else 1)
    table = Table(sheet=grid.name, ledger=ledger, header_rows=header_rows, columns={}, rows=[],
                  values={}, title=" ".join(display(v) for row in grid.rows[:r] for v in row
                                            if not is_blank(v)))
    unknown: list[Column] = []
    ignored: set[int] = set()
    repeated: set[int] = set()  # a header given twice: reported as such, its column headed
    names = _row_headers(grid, r, two_rows)
    spanned = _spanned_header_cells(grid, range(r, r + len(header_rows)))
    continues: dict[int, list[int]] = {}  # a header merged across columns: first -> the rest
    for c, name in enumerate(names):
        if not name:
            continue
        first = spanned.get(c, c)
        if first != c and names[first] == name:  # 情况记录 merged over H1:I1 is one column
            continues.setdefault(first, []).append(c)
            continue
        if name in IGNORED_HEADERS:
            ignored.add(c)
            continue
        seen = display(grid.value(header_rows[-1] - 1, c)) or display(grid.value(r, c))
        header = match_header(lookup, name)
        if header is None:
            unknown.append(Column(None, seen, c))
        elif header in table.columns:
            repeated.add(c)
            other = get_column_letter(table.columns[header].index + 1)
            table.findings.append(Finding(
                "HEADER", say("HEADER.duplicate", header=header, other=other), sheet=grid.name,
                cell=f"{get_column_letter(c + 1)}{header_rows[-1]}", row=header_rows[-1],
                column=header, value=seen))
        else:
            table.columns[header] = Column(header, seen, c)
    expected = "、".join(spec.header for spec in field_specs(model))
    for col in unknown:
        table.findings.append(Finding(
            "HEADER", say("HEADER.unknown", value=col.seen, ledger=ledger, expected=expected),
            sheet=grid.name, cell=f"{get_column_letter(col.index + 1)}{header_rows[-1]}",
            row=header_rows[-1], column=col.seen, value=col.seen))
    for spec in field_specs(model):
        if spec.required and spec.header not in table.columns:
            table.findings.append(Finding(
                "HEADER", say("HEADER.missing", header=spec.header), sheet=grid.name,
                row=header_rows[0], column=spec.header))
    prose = {table.columns[spec.header].index for spec in field_specs(model)
             if spec.prose and spec.header in table.columns}
    _read_rows(grid, table, first_data, headed={c.index for c in table.columns.values()}
               | {c.index for c in unknown} | repeated | {c for cs in continues.values() for c in cs},
               ignored=ignored, prose=prose, continues=continues)
    return table


def _spanned_header_cells(grid: Grid, header_rows: range) -> dict[int, int]:
    """Column -> the first column of a merge across columns that covers it in a header row."""
    spanned: dict[int, int] = {}
    for (r0, c0), (r1, c1) in grid.merges:
        if c1 > c0 and any(r0 <= r <= r1 for r in header_rows):
            spanned.update(dict.fromkeys(range(c0, c1 + 1), c0))
    return spanned


def _spread_sideways(grid: Grid, first: int) -> dict[int, set[int]]:
    """Row -> the columns that hold a copy of a merged cell to their left, for merged
    ranges among the data rows (from row index `first`). Only a vertically merged cell
    repeats its value (one leader over several communities); a note merged across two
    columns is not also the next column's value."""
    out: dict[int, set[int]] = {}
    for (r0, c0), (r1, c1) in grid.merges:
        if r0 >= first and c1 > c0:
            for r in range(r0, r1 + 1):
                out.setdefault(r, set()).update(range(c0 + 1, c1 + 1))
    return out


def _read_rows(grid: Grid, table: Table, first: int, headed: set[int],
               ignored: set[int], prose: AbstractSet[int] = frozenset(),
               continues: dict[int, list[int]] | None = None) -> None:
    """The data rows below the header. A row with nothing in a headed column is no data
    row (a form's pre-numbered 序号 alone included); text in an unheaded column, other
    than an ignored one, is reported once per column. A total row says 合计 (小计, 累计…)
    in one of its first two filled cells, never in free text (a note may well say 累计)."""
    values: dict[str, list[Any]] = {h: [] for h in table.columns}
    unheaded: dict[int, tuple[int, Any]] = {}
    invisible: list[str] = []
    spread = _spread_sideways(grid, first)
    community = table.columns[COMMUNITY_HEADER].index if COMMUNITY_HEADER in table.columns else None
    for r in range(first, len(grid.rows)):
        row = grid.rows[r]
        if r in spread:  # a cell merged across columns holds its value in the first only
            row = [None if c in spread[r] else v for c, v in enumerate(row)]
        blank = [is_blank(v) for v in row]  # once per cell, used four times below
        if all(blank):
            continue
        excel_row = r + 1
        texts = [clean_text(v) for v in row if isinstance(v, str)]
        filled = [v for v, empty in zip(row, blank, strict=True) if not empty]
        if len(filled) <= 3 and texts and FOOTNOTE.search(texts[0]) and \
                isinstance(filled[0], str) and clean_text(filled[0]) == texts[0]:
            table.findings.append(Finding(
                "SHEET", say("SHEET.footnote"), severity="警告", sheet=grid.name, row=excel_row,
                cell=f"{get_column_letter(row.index(filled[0]) + 1)}{excel_row}",
                value=display(filled[0])))
            continue
        leading = [v for c, v in enumerate(row) if not blank[c] and c not in prose][:2]
        total = next((t for t in (clean_text(v) for v in leading if isinstance(v, str))
                      if TOTAL_ROW.match("".join(t.split()))), None)
        if total is not None:
            table.findings.append(Finding(
                "SHEET", say("SHEET.total_row"), sheet=grid.name, row=excel_row,
                cell=f"A{excel_row}", value=total))
            continue
        if all(blank[c] for c in headed if c < len(row) and c != community):
            # no record, if only 社区 (filled down a form beyond its last record)
            for c, v in enumerate(row):
                if not blank[c] and c not in ignored and c != community:
                    unheaded.setdefault(c, (excel_row, v))
            continue
        table.rows.append(excel_row)
        for header, col in table.columns.items():
            value = row[col.index] if col.index < len(row) else None
            if continues and col.index in continues:  # under a header merged across columns
                more = [c for c in continues[col.index] if c < len(row) and not blank[c]]
                if more and is_blank(value):
                    value = row[more.pop(0)]
                if more and col.index in prose:  # 龙凤路1号 | 101房: one address
                    value = "".join(display(v) for v in [value, *(row[c] for c in more)])
                else:  # two values for one field: the first is read, the other named
                    for c in more:
                        unheaded.setdefault(c, (excel_row, row[c]))
            if has_invisible(value):
                invisible.append(f"{get_column_letter(col.index + 1)}{excel_row}")
            values[header].append(value)
        for c, v in enumerate(row):
            if not blank[c] and c not in headed and c not in ignored:
                unheaded.setdefault(c, (excel_row, v))
    table.values = values
    for c, (excel_row, v) in sorted(unheaded.items()):
        ref = f"{get_column_letter(c + 1)}{excel_row}"
        table.findings.append(Finding(
            "HEADER", say("HEADER.unheaded", cell=ref, value=display(v)), severity="警告",
            sheet=grid.name, cell=ref, row=excel_row, value=display(v)))
    if invisible:
        table.findings.append(Finding(
            "FORMAT", say("FORMAT.invisible", count=len(invisible), cells="、".join(invisible[:5])),
            severity="警告", sheet=grid.name, cell=invisible[0],
            row=int(re.sub(r"[A-Z]+", "", invisible[0]))))
