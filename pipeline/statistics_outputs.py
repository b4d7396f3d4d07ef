"""The statistics table as files: 统计表.csv and statistics.html (public), 统计表.xlsx (internal).

Every figure comes from `compute_statistics`; this module only lays them out, as
INTERFACE.md says: the CSV one row per community, the page and the workbook like the
seed's table (leader cells over their communities, 其中 over the split, subtotals, total).
The public outputs carry aggregate figures and leaders' names only; the register-vs-社区汇总
note (`Row.note`) goes to the internal workbook alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.atomic import AtomicBatch, joined
from pipeline.charts import inline_svg, text_style
from pipeline.config import Config
from pipeline.excel_safety import cell_text, neutralise
from pipeline.html import render
from pipeline.statistics import (
    BASIS_HEADER,
    COMPUTED,
    ISSUE_COLUMNS,
    NO_DATA,
    REPORTED,
    SPLIT_HEADER,
    SUBTOTAL_LABEL,
    Row,
    StatisticsTable,
    compute_statistics,
    percent,
)
from pipeline.store import Master
from pipeline.workspace import Workspace
from schemas import Summary

CSV_NAME = "统计表.csv"
HTML_NAME = "statistics.html"
XLSX_NAME = "统计表.xlsx"
TITLE = "驻点团队联系群众数据统计表"
ISSUE_TITLE = "问题办理情况"
PACE_HEADER = "时间进度"  # the share of the year gone: the even pace to 100% by 31 December
TOTAL_TEXT = "全街道合计"
NOTE_HEADER = "备注（台账与社区汇总差异）"
RATES = frozenset({"rate", "on_time_rate", "feedback_rate", "satisfaction"})
BASIS_MEANING = {COMPUTED: "由社区报送的台账逐户计算", REPORTED: "社区只报送了汇总数，按汇总数填列",
                 NO_DATA: "尚未收到该社区的数据"}


@dataclass(frozen=True)
class Column:
    """One figure of the table: its header and the `Row` attribute it reads."""

    header: str
    field: str

    @property
    def is_rate(self) -> bool:
        return self.field in RATES

    def value(self, row: Row) -> int | float | None:
        """As stored in a cell: a count, or a rate rounded as printed (None: nothing to divide)."""
        return row.rounded(self.field) if self.is_rate else int(getattr(row, self.field))

    def text(self, row: Row) -> str:
        return row.percent(self.field) if self.is_rate else str(getattr(row, self.field))


# DOMAIN.md's statistics columns in order; the headers are the 社区汇总 schema's own.
HOUSEHOLD_COLUMNS: tuple[Column, ...] = tuple(
    Column(getattr(Summary, name), name)
    for name in ("total", "visited", "residents", "businesses", "rate", "received", "outgoing"))
SPLIT_FIELDS = ("residents", "businesses")  # under 其中
ISSUE_FIGURES: tuple[Column, ...] = tuple(Column(header, name) for name, header in ISSUE_COLUMNS)


def write_statistics(workspace: Workspace, master: Master, config: Config,
                     as_of: dt.date) -> list[Path]:
    """Compute the table from the master and write its three files; returns their paths."""
    return write_statistics_table(workspace, compute_statistics(master, config, as_of))


def write_statistics_table(workspace: Workspace, table: StatisticsTable,
                           into: AtomicBatch | None = None) -> list[Path]:
    """The three files of a computed table, in place together (with `into`, when it commits)."""
    csv_path = workspace.public / CSV_NAME
    html_path = workspace.public / HTML_NAME
    xlsx_path = workspace.internal / XLSX_NAME
    with joined(into) as batch:
        batch.write_text(csv_path, statistics_csv(table))
        batch.write_text(html_path, statistics_html(table))
        statistics_workbook(table).save(batch.path(xlsx_path))
    return [csv_path, html_path, xlsx_path]


# -- CSV ------------------------------------------------------------------------------

def statistics_csv(table: StatisticsTable) -> str:
    """INTERFACE.md's 统计表.csv: BOM, one row per community, 口径 last (计算 or 填报: a
    community with no data has computed zeros); 走访率 like 58.28% (empty where a
    community has no households)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([Summary.leader, Summary.community, *(c.header for c in HOUSEHOLD_COLUMNS),
                     BASIS_HEADER])
    for row in table.rows:
        figures = ["" if c.is_rate and c.value(row) is None else c.text(row)
                   for c in HOUSEHOLD_COLUMNS]
        basis = REPORTED if row.basis == REPORTED else COMPUTED
        writer.writerow([neutralise(row.leader), neutralise(row.community), *figures, basis])
    return "\ufeff" + buffer.getvalue()


# -- HTML -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """One <tr> of a table on the page."""

    kind: str          # row | subtotal | total
    leader: str
    leader_rows: int   # rowspan of the leader cell on this line; 0 where one above covers it
    label: str         # the community, 小计, or 全街道合计
    figures: tuple[str, ...]
    basis: str


@dataclass(frozen=True)
class StatisticsPage:
    """The context of templates/statistics.html: everything already formatted."""

    title: str
    street: str
    as_of: str
    period: str
    household_headers: tuple[str, ...]   # before 其中
    split_headers: tuple[str, ...]       # under 其中
    after_headers: tuple[str, ...]       # after the split
    split_header: str
    leader_header: str
    community_header: str
    basis_header: str
    household_lines: tuple[Line, ...]
    issue_title: str
    issue_headers: tuple[str, ...]
    issue_lines: tuple[Line, ...]
    chart_svg: Markup
    pace: str
    submissions: int
    last_received: str
    basis_meaning: tuple[tuple[str, str], ...]


def _lines(table: StatisticsTable, columns: tuple[Column, ...], basis: bool) -> tuple[Line, ...]:
    out: list[Line] = []
    for group in table.groups:
        span = len(group.rows) + 1  # the leader's communities and subtotal
        for i, row in enumerate(group.rows):
            out.append(Line("row", group.leader, span if i == 0 else 0, row.community,
                            tuple(c.text(row) for c in columns), row.basis if basis else ""))
        out.append(Line("subtotal", group.leader, 0, SUBTOTAL_LABEL,
                        tuple(c.text(group.subtotal) for c in columns), ""))
    out.append(Line("total", "", 0, TOTAL_TEXT, tuple(c.text(table.total) for c in columns), ""))
    return tuple(out)


def statistics_page(table: StatisticsTable, chart: bool = True) -> StatisticsPage:
    """The page's context; without `chart`, no chart is drawn (the notice board shows
    the table only)."""
    headers = [c.header for c in HOUSEHOLD_COLUMNS]
    first_split = [c.field for c in HOUSEHOLD_COLUMNS].index(SPLIT_FIELDS[0])
    end_split = first_split + len(SPLIT_FIELDS)
    return StatisticsPage(
        title=f"{table.street}{TITLE}",
        street=table.street,
        as_of=_date(table.as_of),
        period=f"{_date(table.start)}至{_date(table.as_of)}",
        household_headers=tuple(headers[:first_split]),
        split_headers=tuple(headers[first_split:end_split]),
        after_headers=tuple(headers[end_split:]),
        split_header=SPLIT_HEADER,
        leader_header=Summary.leader,
        community_header=Summary.community,
        basis_header=BASIS_HEADER,
        household_lines=_lines(table, HOUSEHOLD_COLUMNS, basis=True),
        issue_title=ISSUE_TITLE,
        issue_headers=tuple(c.header for c in ISSUE_FIGURES),
        issue_lines=_lines(table, ISSUE_FIGURES, basis=False),
        chart_svg=Markup(rate_chart_svg(table) if chart else ""),
        pace=percent(table.pace),
        submissions=table.submissions,
        # the public page gives the day only: two runs at the same --as-of on the same
        # day publish the same bytes (the internal workbook keeps the minute)
        last_received=_received(table.last_received, minute=False),
        basis_meaning=tuple(BASIS_MEANING.items()),
    )


def statistics_html(table: StatisticsTable) -> str:
    return render("statistics.html", page=statistics_page(table))


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _received(stamp: str | None, minute: bool = True) -> str:
    """'2026-12-01T20:14:03+08:00' -> '2026年12月1日 20:14' (or the day alone); '暂无'
    before any submission."""
    if not stamp:
        return "暂无"
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return f"{_date(moment.date())} {moment:%H:%M}" if minute else _date(moment.date())


# -- the chart ------------------------------------------------------------------------

CHART_COLOURS = {"ahead": "#0550ae", "behind": "#b3261e", "pace": "#57606a", "ink": "#1f2328"}


def rate_chart_svg(table: StatisticsTable) -> str:
    """走访率 per community as horizontal bars, with the even pace to 100% by 31 December
    as a dashed line; an inline <svg> (no script or network; see charts.text_style for its text)."""
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no global figure state, any backend

    rows = table.rows
    pace = float(table.pace)
    with matplotlib.rc_context({**text_style(), "font.size": 10, "svg.hashsalt": "statistics",
                                "axes.unicode_minus": False}), \
            warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        figure = Figure(figsize=(4.8, 0.28 * len(rows) + 1.0), layout="constrained")
        axes = figure.subplots()
        names = [row.community for row in rows]
        values = [row.rate or 0.0 for row in rows]
        colours = [CHART_COLOURS["ahead"] if (row.rate or 0.0) >= pace
                   else CHART_COLOURS["behind"] for row in rows]
        positions = list(range(len(rows)))
        axes.barh(positions, values, color=colours, height=0.62)
        axes.set_yticks(positions, labels=names)
        axes.invert_yaxis()
        axes.set_xlim(0, 1.16)
        axes.set_xticks([0, 0.25, 0.5, 0.75, 1.0], labels=["0", "25%", "50%", "75%", "100%"])
        axes.axvline(pace, color=CHART_COLOURS["pace"], linestyle="--", linewidth=1.2)
        axes.annotate(f"时间进度 {percent(table.pace)}", xy=(pace, 1.0),
                      xycoords=("data", "axes fraction"), xytext=(0, 3),
                      textcoords="offset points", ha="center", va="bottom", fontsize=9,
                      color=CHART_COLOURS["pace"])
        for position, row, value in zip(positions, rows, values, strict=True):
            label = row.percent("rate") if row.rate is not None else NO_DATA
            axes.text(value + 0.01, position, label, va="center", fontsize=8.5,
                      color=CHART_COLOURS["ink"])
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="y", length=0)
        axes.grid(axis="x", color="#d0d7de", linewidth=0.6)
        axes.set_axisbelow(True)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return inline_svg(buffer.getvalue(), f"{TITLE}：各社区走访率与时间进度 {percent(table.pace)}")




# -- the workbook ---------------------------------------------------------------------

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
SUBTOTAL_FILL = PatternFill("solid", fgColor="FAFAFA")
TOTAL_FILL = PatternFill("solid", fgColor="EDEDED")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
PERCENT_FORMAT = "0.00%"
COUNT_FORMAT = "#,##0"
HEADER_ROW = 3  # title, period line, then the two-row header


def statistics_workbook(table: StatisticsTable) -> Workbook:
    """The internal 统计表.xlsx: the table like the seed's (title, two-row header with 其中
    merged over the split, leader cells merged, subtotals, total, 口径 and the note), and
    a second sheet with the issue figures. Numbers are numbers; rates are 0.00% numbers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "统计表"
    _household_sheet(sheet, table)
    _issue_sheet(book.create_sheet("问题办理"), table)
    _rate_chart_sheet(book.create_sheet(CHART_SHEET), table)
    book.properties.creator = "驻点台账"
    return book


CHART_SHEET = "走访率图"


def _rate_chart_sheet(sheet: Worksheet, table: StatisticsTable) -> None:
    """The page's chart as an Excel chart: 走访率 per community (bars) beside the even
    pace to 100% by 31 December (时间进度, the same for every community), from a small
    table on the same sheet so the clerk can see what is drawn."""
    headers = [Summary.community, Summary.rate, PACE_HEADER]
    for col, header in enumerate(headers, start=1):
        sheet.cell(1, col, header).font = Font(bold=True)
    pace = float(table.pace)
    for r, row in enumerate(table.rows, start=2):
        sheet.cell(r, 1, cell_text(row.community))
        sheet.cell(r, 2, float(row.rate) if row.rate is not None else None)
        sheet.cell(r, 3, pace)
        for col in (2, 3):
            sheet.cell(r, col).number_format = "0.00%"
    last = len(table.rows) + 1
    chart = BarChart()
    chart.type = "bar"  # horizontal bars, as on the page
    chart.grouping = "clustered"
    chart.title = f"{TITLE}：各社区走访率（时间进度 {percent(table.pace)}）"
    chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last),
                   titles_from_data=True)
    names = Reference(sheet, min_col=1, min_row=2, max_row=last)
    for series in chart.series:  # community names are text: a string reference, not numRef
        series.cat = AxDataSource(strRef=StrRef(f=str(names)))
    chart.x_axis.scaling.orientation = "maxMin"  # the first community on top
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = None
    # openpyxl 3.1 leaves <c:delete> out, and Excel then hides both axes: the community
    # names and the % scale would be gone
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.height = max(7.5, 0.6 * len(table.rows) + 3)
    chart.width = 18
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = sheet.column_dimensions["C"].width = 10
    sheet.add_chart(chart, "E2")
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"  # printed like the table: one A4 page
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _household_sheet(sheet: Worksheet, table: StatisticsTable) -> None:
    fields = [c.field for c in HOUSEHOLD_COLUMNS]
    split_at = 3 + fields.index(SPLIT_FIELDS[0])  # 1-based column of 群众(户)
    headers = [Summary.leader, Summary.community, *(c.header for c in HOUSEHOLD_COLUMNS),
               BASIS_HEADER, NOTE_HEADER]
    width = len(headers)
    _title(sheet, f"{table.street}{TITLE}", width, table)
    top, bottom = HEADER_ROW, HEADER_ROW + 1
    for col, header in enumerate(headers, start=1):
        if split_at <= col < split_at + len(SPLIT_FIELDS):
            sheet.cell(bottom, col, header)
        else:
            sheet.cell(top, col, header)
            sheet.merge_cells(start_row=top, start_column=col, end_row=bottom, end_column=col)
    sheet.cell(top, split_at, SPLIT_HEADER)
    sheet.merge_cells(start_row=top, start_column=split_at, end_row=top,
                      end_column=split_at + len(SPLIT_FIELDS) - 1)
    _style_header(sheet, top, bottom, width)

    def extra(row: Row, kind: str) -> list[Any]:
        return [row.basis, cell_text(row.note) or None] if kind == "row" else [None, None]

    last = _body(sheet, table, HOUSEHOLD_COLUMNS, bottom + 1, extra, width)
    for row_cells in sheet.iter_rows(min_row=bottom + 1, max_row=last, min_col=width - 1,
                                     max_col=width):
        for cell in row_cells:
            cell.alignment = LEFT
    _note_comments(sheet, table, bottom + 1, width)
    _footer(sheet, last + 2, table, width)
    _finish(sheet, f"C{bottom + 1}",
            [10, 10, 11, 13, 10, 14, 10, 15, 14, 8, 44], HEADER_ROW, bottom)


def _issue_sheet(sheet: Worksheet, table: StatisticsTable) -> None:
    headers = [Summary.leader, Summary.community, *(c.header for c in ISSUE_FIGURES)]
    width = len(headers)
    _title(sheet, f"{table.street}{ISSUE_TITLE}", width, table)
    for col, header in enumerate(headers, start=1):
        sheet.cell(HEADER_ROW, col, header)
    _style_header(sheet, HEADER_ROW, HEADER_ROW, width)
    last = _body(sheet, table, ISSUE_FIGURES, HEADER_ROW + 1, lambda row, kind: [], width)
    sheet.cell(last + 2, 1, "按期办结率=按期办结数÷已办结数；反馈率=已反馈数÷已办结数；"
               "满意率=(已评价数−不满意数)÷已评价数（未评价不计）；超期未办结按截至日期计。")
    sheet.merge_cells(start_row=last + 2, start_column=1, end_row=last + 2, end_column=width)
    sheet.cell(last + 2, 1).alignment = LEFT
    sheet.row_dimensions[last + 2].height = 30
    _finish(sheet, f"C{HEADER_ROW + 1}", [10, 10] + [11] * len(ISSUE_FIGURES), HEADER_ROW, HEADER_ROW)


def _title(sheet: Worksheet, title: str, width: int, table: StatisticsTable) -> None:
    sheet.cell(1, 1, cell_text(title)).font = Font(size=14, bold=True)
    sheet.cell(1, 1).alignment = CENTRE
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.row_dimensions[1].height = 24
    sheet.cell(2, 1, f"统计期间：{_date(table.start)}至{_date(table.as_of)}"
                     f"（统计截至日期 {table.as_of.isoformat()}）")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _style_header(sheet: Worksheet, top: int, bottom: int, width: int) -> None:
    for row_cells in sheet.iter_rows(min_row=top, max_row=bottom, max_col=width):
        for cell in row_cells:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = CENTRE
            cell.border = BOX


def _body(sheet: Worksheet, table: StatisticsTable, columns: tuple[Column, ...], first: int,
          extra: Any, width: int) -> int:
    """Write the groups, subtotals and total from row `first`; returns the last row used."""
    r = first
    for group in table.groups:
        group_top = r
        for row in group.rows:
            _line(sheet, r, [cell_text(group.leader), cell_text(row.community)], row, columns,
                  extra(row, "row"))
            r += 1
        _line(sheet, r, [cell_text(group.leader), SUBTOTAL_LABEL], group.subtotal, columns,
              extra(group.subtotal, "subtotal"), fill=SUBTOTAL_FILL, bold=True)
        sheet.merge_cells(start_row=group_top, start_column=1, end_row=r, end_column=1)
        r += 1
    _line(sheet, r, [TOTAL_TEXT, None], table.total, columns, extra(table.total, "total"),
          fill=TOTAL_FILL, bold=True)
    sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    for row_cells in sheet.iter_rows(min_row=first, max_row=r, max_col=width):
        for cell in row_cells:
            cell.border = BOX
    return r


def _line(sheet: Worksheet, r: int, labels: list[Any], row: Row, columns: tuple[Column, ...],
          extra: list[Any], fill: PatternFill | None = None, bold: bool = False) -> None:
    values = [*labels, *(c.value(row) for c in columns), *extra]
    for col, value in enumerate(values, start=1):
        cell = sheet.cell(r, col, value)
        if col <= len(labels):
            cell.alignment = CENTRE
        elif col <= len(labels) + len(columns):
            column = columns[col - len(labels) - 1]
            cell.number_format = PERCENT_FORMAT if column.is_rate else COUNT_FORMAT
        if fill is not None:
            cell.fill = fill
        if bold:
            cell.font = Font(bold=True)


def _note_comments(sheet: Worksheet, table: StatisticsTable, first: int, width: int) -> None:
    """A comment on the 社区 cell of each row whose registers and 社区汇总 differ."""
    r = first
    for group in table.groups:
        for row in group.rows:
            if row.note:
                comment = Comment(cell_text(row.note), "驻点台账")
                comment.width, comment.height = 320, 120
                sheet.cell(r, 2).comment = comment
            r += 1
        r += 1


def _footer(sheet: Worksheet, r: int, table: StatisticsTable, width: int) -> None:
    lines = [
        f"数据来源：已采用社区报送的台账文件 {table.submissions} 份，"
        f"最近一次接收于 {_received(table.last_received)}。",
        "走访率=已走访户数÷总户数（同一户多次走访只计一次，群众/企业按户册类型）；"
        "小计、合计按户数重新计算，不是各社区走访率的平均。",
        "口径：" + "；".join(f"{k}＝{v}" for k, v in BASIS_MEANING.items()) + "。",
    ]
    for offset, text in enumerate(lines):
        sheet.cell(r + offset, 1, text).alignment = LEFT
        sheet.merge_cells(start_row=r + offset, start_column=1, end_row=r + offset,
                          end_column=width)
        sheet.row_dimensions[r + offset].height = 30


def _finish(sheet: Worksheet, freeze: str, widths: list[int], top: int, bottom: int) -> None:
    """Column widths, frozen header, and print setup: A4 landscape, one page wide and tall."""
    for col, size in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = size
    sheet.freeze_panes = freeze
    sheet.print_title_rows = f"{top}:{bottom}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
