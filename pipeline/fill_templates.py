"""The blank fill-in workbooks, one per community, generated from the schemas (`templates`).

Each workbook opens on a 说明 sheet (how to fill in, every column explained, and the
drop-down value lists in hidden columns on the right), followed by one sheet per
ledger: the header in row 1, frozen below it, with number formats and data
validations on the data rows so Excel catches a wrong value as it is typed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pandera.pandas as pa
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

import schemas
from pipeline.atomic import write_bytes_atomic
from pipeline.config import Config
from pipeline.feedback import safe_name
from pipeline.fielddoc import (
    FieldDoc,
    LedgerDoc,
    community_header,
    describe_ledgers,
    write_field_doc,
)
from pipeline.workspace import Workspace

TEMPLATE_SUFFIX = "_台账填报模板.xlsx"
FIRST_DATA_ROW = 2
DATA_ROWS = 500
LAST_DATA_ROW = FIRST_DATA_ROW + DATA_ROWS - 1

NUMBER_FORMATS: dict[str, str] = {
    "date": "yyyy-mm-dd", "time": "hh:mm", "percent": "0.00%", "text": "@", "phone": "@",
}
# Excel caps a validation's error message at 255 characters.
MAX_ERROR = 255

BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")   # orange: must be filled
OPTIONAL_FILL = PatternFill("solid", fgColor="C6E0B4")   # green: may stay blank
DOC_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
WRAP = Alignment(wrap_text=True, vertical="top")
HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)

DOC_COLUMNS = ("列名", "说明", "是否必填", "允许的值", "示例", "是否公开")
DOC_WIDTHS = (18, 48, 10, 40, 22, 10)
LIST_FIRST_COLUMN = 12  # the drop-down value lists start in column L of the 说明 sheet

HOW_TO = (
    "本工作簿的每个工作表是一本台账。工作表名称和第1行的表头请勿修改、删除或调整顺序。",
    "从第2行起每行填写一条记录；不要插入合计行、空行，不要合并单元格。",
    "只填写本次要报送的台账即可；不报送的工作表可以留空（空表会被跳过），也可以删除。",
    "带下拉箭头的列请从下拉列表中选择；日期填写如 2026-11-03，时间填写如 08:30（24小时制）。",
    "表头为橙色的列必须填写，绿色的列可以不填；把鼠标移到表头上可以看到这一列的填写说明。",
    "标为“不公开”的列含群众个人信息，只供街道内部使用，不会出现在公开栏。",
    "本页（说明）不会被系统读取，但请保留：下拉列表的选项引用本页右侧隐藏列中的内容。",
    "填好后保存为Excel工作簿（.xlsx）提交；系统会逐格检查，并指出需要修改的单元格及正确写法。",
)


def template_path(workspace: Workspace, community: str) -> Path:
    """outbox/templates/<community>_台账填报模板.xlsx; a '/' in a configured name (乙/丙社区)
    makes no folder, and no name leaves outbox/templates."""
    return workspace.templates / f"{safe_name(community, '未命名')}{TEMPLATE_SUFFIX}"


def write_templates(workspace: Workspace, config: Config) -> list[Path]:
    """Write one fill-in workbook per community of `config`, and the public field documentation."""
    written = []
    for community in config.communities:
        path = template_path(workspace, community)
        buffer = io.BytesIO()
        build_template(config, community).save(buffer)
        write_bytes_atomic(path, buffer.getvalue())
        written.append(path)
    write_field_doc(workspace)
    return written


def build_template(config: Config, community: str) -> Workbook:
    """The fill-in workbook of one community, in memory."""
    wb = Workbook()
    readme = wb.active
    assert readme is not None  # a new Workbook always has one sheet
    readme.title = schemas.README_SHEET
    title = f"{config.street}{community}社区驻点联系群众台账填报模板"
    wb.properties.title = title
    wb.properties.creator = config.street or None
    docs = describe_ledgers(community)
    _write_readme(readme, title, docs)
    lists = _ValueLists(readme)
    for doc in docs:
        model = schemas.LEDGERS[doc.name]
        _write_ledger_sheet(wb.create_sheet(doc.name), model, doc, community, lists)
    return wb


def _write_readme(ws: Worksheet, title: str, docs: Sequence[LedgerDoc]) -> None:
    ws["A1"] = title
    ws["A1"].font = TITLE_FONT
    ws["A2"] = "本模板由系统根据台账结构自动生成。"
    row = 4
    ws.cell(row, 1, "填写方法").font = BOLD
    for number, line in enumerate(HOW_TO, 1):
        row += 1
        ws.cell(row, 1, f"{number}. {line}")
    for number, doc in enumerate(docs, 1):
        row += 2
        ws.cell(row, 1, f"{number}. {doc.name}").font = BOLD
        ws.cell(row, 2, doc.scope)
        row += 1
        for col, label in enumerate(DOC_COLUMNS, 1):
            cell = ws.cell(row, col, label)
            cell.font = BOLD
            cell.fill = DOC_HEAD_FILL
        for field in doc.fields:
            row += 1
            values = (field.header, field.description, "是" if field.required else "否",
                      field.allowed, field.example, "是" if field.public else "否")
            for col, value in enumerate(values, 1):
                ws.cell(row, col, value).alignment = WRAP
    for col, width in enumerate(DOC_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(col)].width = width


class _ValueLists:
    """Drop-down value lists in hidden columns of the 说明 sheet, one column per distinct list."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.ranges: dict[tuple[str, ...], str] = {}

    def range_of(self, label: str, values: Sequence[str]) -> str:
        """The absolute reference (`'说明'!$L$2:$L$4`) of a column holding `values`."""
        key = tuple(values)
        if key not in self.ranges:
            col = LIST_FIRST_COLUMN + len(self.ranges)
            letter = get_column_letter(col)
            self.ws.cell(1, col, label).font = BOLD
            for offset, value in enumerate(values):
                self.ws.cell(2 + offset, col, value)
            self.ws.column_dimensions[letter].hidden = True
            self.ranges[key] = (f"{quote_sheetname(self.ws.title)}!"
                                f"${letter}$2:${letter}${1 + len(values)}")
        return self.ranges[key]


def _write_ledger_sheet(ws: Worksheet, model: type[pa.DataFrameModel], doc: LedgerDoc,
                        community: str, lists: _ValueLists) -> None:
    specs = {spec.header: spec for spec in schemas.field_specs(model)}
    own = community_header(model)
    for col, field in enumerate(doc.fields, 1):
        spec = specs[field.header]
        letter = get_column_letter(col)
        head = ws.cell(1, col, field.header)
        head.font = BOLD
        head.fill = REQUIRED_FILL if field.required else OPTIONAL_FILL
        head.alignment = HEAD_ALIGN
        head.comment = _header_comment(field)
        ws.column_dimensions[letter].width = _width(field.header, field.example, spec.kind)
        number_format = NUMBER_FORMATS.get(spec.kind)
        if number_format:
            for row in range(FIRST_DATA_ROW, LAST_DATA_ROW + 1):
                ws.cell(row, col).number_format = number_format
        if field.header == own:
            validation = _dropdown(
                lists.range_of(f"{doc.name}·{field.header}", (community,)),
                f"本模板只用于{community}社区的台账，请选择“{community}”。")
        elif spec.choices:
            validation = _dropdown(
                lists.range_of(f"{doc.name}·{field.header}", spec.choices),
                f"“{field.header}”只能填写：{field.allowed}。")
        else:
            validation = _typed_validation(spec, field)
        if validation is not None:
            validation.allow_blank = True
            validation.showErrorMessage = True
            validation.errorStyle = "stop"
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_DATA_ROW}")
            ws.add_data_validation(validation)
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.row_dimensions[1].height = 30
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"


def _dropdown(source: str, error: str) -> DataValidation:
    """A drop-down over the cells of `source` (a range, so no 255-character list limit)."""
    return DataValidation(type="list", formula1=source, errorTitle="请从下拉列表中选择",
                          error=error if len(error) <= MAX_ERROR else "请从下拉列表中选择。")


def _typed_validation(spec: schemas.FieldSpec, field: FieldDoc) -> DataValidation | None:
    """Excel's own check for whole numbers, dates and times, so a slip is caught as it is typed."""
    if spec.kind == "int":
        minimum = int(spec.minimum) if spec.minimum is not None else 0
        return DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1=str(minimum),
            errorTitle="请填写整数",
            error=f"“{field.header}”请填写不小于{minimum}的整数，如 {field.example}。")
    if spec.kind == "date":
        return DataValidation(
            type="date", operator="greaterThanOrEqual", formula1="DATE(2000,1,1)",
            errorTitle="请填写日期", error=f"“{field.header}”请填写日期，如 {field.example}。")
    if spec.kind == "time":
        return DataValidation(
            type="time", operator="between", formula1="0", formula2="TIME(23,59,59)",
            errorTitle="请填写时间",
            error=f"“{field.header}”请填写时间（时:分），如 {field.example}。")
    return None


def _header_comment(field: FieldDoc) -> Comment:
    """The note a clerk sees on hovering over a header: what to write, and whether it is public."""
    lines = [field.header, field.description, f"{field.required_text}；{field.allowed}"]
    if field.example:
        lines.append(f"示例：{field.example}")
    if not field.public:
        lines.append("不公开：只供街道内部使用")
    comment = Comment("\n".join(lines), "驻点台账")
    comment.width = 260
    comment.height = 120
    return comment


def _width(header: str, example: str, kind: str) -> float:
    """A column wide enough for its header and a typical value; CJK characters count double."""
    widest = max(_display_width(header), _display_width(example))
    if kind == "text" and widest >= 16:
        widest += 10  # free text: leave room to read what was written
    return min(max(widest + 4, 12), 48)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
