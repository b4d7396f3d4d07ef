"""Build test workbooks in code, with the mess clerks make.

`Sheet` describes one worksheet as a person lays it out (title rows, blank rows and
columns before the table, a two-row merged header, merged cells, text dates ...);
`write_workbook` writes it with openpyxl. `row(ledger, **overrides)` is one valid row
of a ledger as a dict keyed by Chinese header, from the schema's own examples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

import schemas

BASE_ROW: dict[str, dict[str, Any]] = {
    "团队名册": {"社区": "龙导", "团队": "驻点团队", "姓名": "李福坚", "团队职务": "负责人",
              "单位及职务": "龙凤街道党工委书记", "联系电话": "020-84201234", "身份": "街道班子成员"},
    "户册": {"社区": "龙导", "网格": "第1网格", "户编号": "LD-0001", "类型": "居民户",
           "地址": "龙凤路1号101"},
    "走访登记": {"日期": dt.date(2026, 11, 3), "社区": "龙导", "对象类型": "居民户",
             "户编号": "LD-0001", "人数": 1, "联系方式": "入户走访", "走访人": "李福坚",
             "情况记录": "了解家庭情况", "问题编号": None},
    "接待登记": {"日期": dt.date(2026, 11, 3), "社区": "龙导", "接待地点": "龙导社区党群服务中心",
             "接待人": "李福坚", "来访人数": 2, "来访人": "王某某", "联系电话": "13800138000",
             "反映事项": "楼道灯损坏", "处理方式": "现场解决", "问题编号": None},
    "工作台账": {"社区": "龙导", "驻点日期": dt.date(2026, 11, 3), "开始时间": "08:30",
             "结束时间": "12:00", "驻点地点": "龙导社区党群服务中心", "带队领导": "李福坚",
             "参加人数": 6, "走访户数": 12, "接待人次": 5, "收集问题数": 3, "现场解决数": 2,
             "驻点类型": "固定驻点日", "备注": None},
    "问题台账": {"问题编号": "LD-2026-001", "社区": "龙导", "登记日期": dt.date(2026, 11, 3),
             "来源": "接待", "类别": "民生微实事", "问题描述": "3栋楼道灯损坏", "反映人": "王某某",
             "联系电话": "13800138000", "责任人": "李福坚", "办理层级": "驻点团队",
             "承办单位": "城管科", "办理措施": "联系物业更换灯具", "完成时限": dt.date(2026, 11, 10),
             "办理状态": "办理中", "办结日期": None, "办理结果": None, "反馈日期": None,
             "群众评价": None, "公开摘要": "更换3栋楼道灯"},
    "驻点安排": {"社区": "龙导", "驻点日期": dt.date(2026, 12, 8), "开始时间": "08:30",
             "结束时间": "12:00", "驻点地点": "龙导社区党群服务中心", "带队领导": "李福坚",
             "联系电话": "020-84201234", "发布日期": dt.date(2026, 12, 1), "安排类型": "常规",
             "变更说明": None},
    "社区汇总": {"统计截至日期": dt.date(2026, 11, 30), "驻点领导": "李福坚", "社区": "龙导",
             "总户数(户)": 1050, "已走访户数(户)": 820, "群众(户)": 755, "企业/工商户(户)": 65,
             "走访率": None, "接待群众数(人次)": 320, "联系外出人员(人)": 58},
}


def headers(ledger: str) -> list[str]:
    return [spec.header for spec in schemas.field_specs(schemas.LEDGERS[ledger])]


def row(ledger: str, **overrides: Any) -> dict[str, Any]:
    """One valid row of `ledger`, keyed by header; override any column by header."""
    values = dict(BASE_ROW[ledger])
    values.update(overrides)
    return values


@dataclass
class Sheet:
    """One worksheet as a clerk lays it out."""

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]] = ()
    title: Sequence[str] = ()          # lines above the header, one per row, in column A
    skip_rows: int = 0                 # blank rows before the title/header
    skip_cols: int = 0                 # blank columns left of the table
    header2: Sequence[str] | None = None  # a second header row (two-row merged header)
    merges: Sequence[str] = ()         # extra merged ranges, in sheet coordinates
    hidden_rows: Sequence[int] = ()
    extra: dict[str, Any] = field(default_factory=dict)  # cell ref -> value, written last

    @classmethod
    def of(cls, ledger: str, rows: Iterable[dict[str, Any]], **layout: Any) -> Sheet:
        """A ledger sheet from header-keyed row dicts, in schema column order."""
        cols = layout.pop("header", None) or headers(ledger)
        return cls(name=layout.pop("name", ledger), header=cols,
                   rows=[[r.get(c) for c in cols] for r in rows], **layout)

    @property
    def header_row(self) -> int:
        return self.skip_rows + len(self.title) + 1

    @property
    def first_data_row(self) -> int:
        return self.header_row + (2 if self.header2 is not None else 1)

    def cell(self, row_index: int, header: str) -> str:
        """The Excel reference of data row `row_index` (0-based) in column `header`."""
        col = self.skip_cols + list(self.header).index(header) + 1
        return f"{get_column_letter(col)}{self.first_data_row + row_index}"


def write_workbook(path: Path, *sheets: Sheet) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        r = sheet.skip_rows + 1
        for line in sheet.title:
            ws.cell(row=r, column=sheet.skip_cols + 1, value=line)
            r += 1
        for j, name in enumerate(sheet.header):
            ws.cell(row=r, column=sheet.skip_cols + j + 1, value=name)
        if sheet.header2 is not None:
            for j, name in enumerate(sheet.header2):
                if name:
                    ws.cell(row=r + 1, column=sheet.skip_cols + j + 1, value=name)
            r += 1
        r += 1
        for values in sheet.rows:
            for j, value in enumerate(values):
                if value is not None:
                    ws.cell(row=r, column=sheet.skip_cols + j + 1, value=value)
            r += 1
        for ref in sheet.merges:
            ws.merge_cells(ref)
        for hidden in sheet.hidden_rows:
            ws.row_dimensions[hidden].hidden = True
        for ref, value in sheet.extra.items():
            ws[ref] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# The seed's statistics table exactly as printed in shared/seed/ (with its mistakes):
# leader, community, 总户数, 已走访户数, 群众, 企业/工商户, printed rate, 接待群众数, 联系外出人员.
SEED_ROWS: list[tuple[str, str, int, int, int, int, str, int, int]] = [
    ("李福坚", "龙导", 1050, 820, 755, 65, "78%", 320, 58),
    ("李福坚", "状元", 1941, 862, 857, 5, "44.41%", 126, 182),
    ("张建勋", "仁和", 1300, 502, 349, 153, "38.62%", 82, 56),
    ("张建勋", "环珠", 1025, 759, 594, 165, "74%", 122, 1466),
    ("夏先华", "富力", 2393, 1407, 1281, 126, "59.00%", 985, 50),
    ("夏先华", "新民", 3215, 1992, 1917, 75, "61.95%", 45, 25),
    ("冯志明", "鹤兴", 1268, 739, 700, 39, "59.00%", 250, 22),
    ("冯志明", "梅园南", 1225, 520, 483, 37, "42.00%", 520, 34),
    ("黄耀东", "昌盛", 1550, 550, 1500, 50, "35.00%", 32, 14),
    ("黄耀东", "龙田", 2620, 1050, 990, 60, "41.00%", 120, 150),
]


def seed_table_sheet(name: str = "社区汇总", title: str = "驻点团队联系群众数据统计表") -> Sheet:
    """The seed's table as printed: title row, two-row merged header (其中 over the split),
    leader names merged over their two communities, rates as text, the rate column headed
    团队负责人户数(户)."""
    header = ["驻点领导", "社区", "总户数(户)", "已走访户数(户)", "其中", "其中",
              "团队负责人户数(户)", "接待群众数(人次)", "联系外出人员(人)"]
    header2 = ["", "", "", "", "群众(户)", "企业/工商户(户)", "", "", ""]
    rows = []
    for i, (leader, *rest) in enumerate(SEED_ROWS):
        rows.append([leader if i % 2 == 0 else None, *rest])
    merges = ["A1:I1", "E2:F2"] + [f"{c}2:{c}3" for c in "ABCDGHI"]
    merges += [f"A{r}:A{r + 1}" for r in range(4, 14, 2)]
    return Sheet(name=name, header=header, header2=header2, rows=rows, title=[title],
                 merges=merges)
