"""The supervision outputs (pipeline.supervision_outputs): 督办清单.xlsx and the internal
dashboard, end to end on the demo and on small built workspaces."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from pipeline.demo import run_demo
from pipeline.nightly import run_nightly
from pipeline.store import Master
from pipeline.supervision import KINDS, Supervision, supervise
from pipeline.supervision_outputs import HTML_NAME, XLSX_NAME, write_supervision
from pipeline.workspace import Workspace
from tests.browser import PageChecker
from tests.builders import Sheet, row, write_workbook

pytest_plugins = ("tests.browser",)

AS_OF = dt.date(2026, 12, 1)
COMMUNITIES = ("龙导", "状元", "仁和", "环珠", "富力", "新民", "鹤兴", "梅园南", "昌盛", "龙田")


class Demo:
    def __init__(self, ws: Workspace, counts: dict[str, int], supervision: Supervision,
                 addresses: set[str]) -> None:
        self.ws, self.counts, self.supervision, self.addresses = ws, counts, supervision, addresses


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    ws = Workspace(tmp_path_factory.mktemp("demo"))
    assert run_demo(ws, AS_OF, out=io.StringIO()) == 0
    with Master(ws.master) as master:
        counts = write_supervision(ws, master, ws.config(), AS_OF)
        supervision = supervise(master, ws.config(), AS_OF)
        addresses = set(master.current("户册")["地址"].dropna())
    return Demo(ws, counts, supervision, addresses)


def test_demo_has_one_of_each_finding(demo: Demo) -> None:
    assert demo.counts == demo.supervision.counts()
    assert set(demo.counts) == {k.rule for k in KINDS if k.rule}
    assert all(n >= 1 for n in demo.counts.values()), demo.counts
    grades = {i.grade for i in demo.supervision.of("overdue")}
    assert grades == {"临期", "超期", "严重超期"}
    assert demo.supervision.of("open") and demo.supervision.of("roster")
    spans = {(i.responsible, i.details["负责社区数"]) for i in demo.supervision.of("span")}
    assert spans == {("陈志强", 0)}  # appointed by the demo config, heading none
    assert [(i.community, i.details["驻点团队人数"]) for i in demo.supervision.of("team")] == [
        ("龙导", 4)]
    assert [(i.community, i.details["周次"]) for i in demo.supervision.of("weekly")] == [
        ("梅园南", "2026-W43")]


def test_demo_run_keeps_the_seeds_leaders(demo: Demo) -> None:
    """The later roster files change teams, not who heads them: the published table groups
    the communities under the seed's leaders."""
    with (demo.ws.public / "统计表.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    assert [(r[0], r[1]) for r in rows] == [
        ("李福坚", "龙导"), ("李福坚", "状元"), ("张建勋", "仁和"), ("张建勋", "环珠"),
        ("夏先华", "富力"), ("夏先华", "新民"), ("冯志明", "鹤兴"), ("冯志明", "梅园南"),
        ("黄耀东", "昌盛"), ("黄耀东", "龙田")]


def test_demo_workbook_sheets(demo: Demo) -> None:
    book = load_workbook(demo.ws.internal / XLSX_NAME)
    assert book.sheetnames == ["汇总", *(k.title for k in KINDS),
                               *(f"未走访-{c}" for c in COMMUNITIES)]
    for kind in KINDS:
        sheet = book[kind.title]
        header = [c.value for c in sheet[2]]
        assert header == ["规则", "社区", "责任人", *kind.columns, "情况说明"]
        assert sheet.freeze_panes == "A3"
        assert sheet.auto_filter.ref.startswith("A2:")
        items = demo.supervision.of(kind.key)
        assert sheet.max_row - 2 == len(items), kind.title
        if items:
            assert sheet.cell(3, 1).value == (kind.rule or None)
            assert sheet.cell(3, 2).value == items[0].community
            assert sheet.cell(3, len(header)).value == items[0].evidence
    overdue = book["问题超期"]
    columns = [c.value for c in overdue[2]]
    first = {h: c.value for h, c in zip(columns, overdue[3], strict=True)}
    assert isinstance(first["完成时限"], dt.datetime) and first["超期天数"] >= 5


def test_demo_summary_sheet_counts_per_community(demo: Demo) -> None:
    sheet = load_workbook(demo.ws.internal / XLSX_NAME)["汇总"]
    header = [c.value for c in sheet[2]]
    rows = {r[0]: dict(zip(header, r, strict=True))
            for r in sheet.iter_rows(min_row=3, values_only=True)}
    by_community = demo.supervision.counts_by_community()
    for community in (*COMMUNITIES, "龙凤街道"):
        assert rows[community]["合计"] == sum(by_community[community].values()), community
    assert rows["龙凤街道"]["领导负责社区数"] == 1
    assert rows["梅园南"]["台账缺报"] == 1 and rows["鹤兴"]["公布不及时"] == 1
    assert rows["合计"]["合计"] == sum(demo.counts.values())
    assert rows["龙导"]["未走访户数"] == 230 and rows["龙导"]["驻点领导"] == "李福坚"


def test_demo_unvisited_sheets_have_no_address(demo: Demo) -> None:
    book = load_workbook(demo.ws.internal / XLSX_NAME)
    sheet = book["未走访-龙导"]
    assert [c.value for c in sheet[2]] == ["户编号", "网格", "类型"]
    assert sheet.max_row - 2 == 230 == 1050 - 820
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:C232"
    for community in COMMUNITIES:  # 第10网格 after 第9网格, where a community has ten
        households = list(book[f"未走访-{community}"].iter_rows(min_row=3, values_only=True))
        numbers = [(int(re.sub(r"\D", "", grid)), hid) for hid, grid, _ in households]
        assert numbers == sorted(numbers), community
    grids = {grid for ws in book.worksheets if ws.title.startswith("未走访-")
             for _, grid, _ in ws.iter_rows(min_row=3, values_only=True)}
    assert {"第9网格", "第10网格"} <= grids  # the demo has such a community
    values = {str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True)
              for v in r if v is not None}
    assert "地址" not in values and not values & demo.addresses


def test_demo_dashboard(demo: Demo) -> None:
    html = (demo.ws.internal / HTML_NAME).read_text("utf-8")
    assert "<script" not in html.lower()
    assert not re.findall(r'(?:src|href)\s*=\s*"(?:https?:)?//', html)
    for section in ("收到的文件", "各社区督办事项", "问题督办", "工作台账日历", "走访进度", "统计表"):
        assert section in html
    assert "<svg" in html and 'role="img"' in html
    assert "最近一次运行（2026年12月1日）收到 13 个文件" in html
    links = re.findall(r'href="(\.\./feedback/[^"]+)"', html)
    assert len(links) == 13
    for link in links:
        assert (demo.ws.internal / unquote(link)).is_file(), link
    assert 'href="%E7%9D%A3%E5%8A%9E%E6%B8%85%E5%8D%95.xlsx"' in html  # 督办清单.xlsx
    assert html.count('<td class="cal missing"') == 1 and html.count('<td class="cal offday"') == 1
    assert "陈志强不是任何社区的驻点团队负责人" in html


@pytest.mark.parametrize("width", [390, 1280])
def test_dashboard_in_a_browser(demo: Demo, page_check: PageChecker, width: int) -> None:
    check = page_check(demo.ws.internal / HTML_NAME, width, "dashboard")
    assert check.console_errors == []
    assert check.scroll_width <= check.viewport_width  # wide tables scroll in their wrapper


# -- small workspaces ------------------------------------------------------------------------

@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws").ensure()


def run(ws: Workspace, as_of: dt.date = AS_OF) -> None:
    run_nightly(ws, as_of=as_of, out=open(os.devnull, "w"))


def write(ws: Workspace, as_of: dt.date = AS_OF) -> dict[str, int]:
    with Master(ws.master) as master:
        return write_supervision(ws, master, ws.config(), as_of)


def test_empty_workspace(ws: Workspace) -> None:
    run(ws)
    counts = write(ws)
    assert counts["WEEKLY-LEDGER"] == 10  # each community: 从未提交
    assert counts["TEAM-SIZE"] == counts["LEADER-SPAN"] == counts["ISSUE-OVERDUE"] == 0
    html = (ws.internal / HTML_NAME).read_text("utf-8")
    assert "还没有收到任何文件" in html
    assert load_workbook(ws.internal / XLSX_NAME)["台账缺报"].max_row == 2 + 10


def test_rejected_file_shows_why_and_links_the_feedback(ws: Workspace) -> None:
    write_workbook(ws.inbox / "龙导 第48周.xlsx", Sheet.of("走访登记", [row("走访登记", 联系方式="上门")]))
    run(ws)
    write(ws)
    html = (ws.internal / HTML_NAME).read_text("utf-8")
    assert '<span class="badge error">退回</span>' in html
    assert "走访登记!F2：" in html and "上门" in html
    (link,) = re.findall(r'href="(\.\./feedback/[^"]+)"', html)
    assert link.endswith(".html") and (ws.internal / unquote(link)).is_file()


def test_cells_from_input_cannot_be_formulas(ws: Workspace) -> None:
    write_workbook(ws.inbox / "问题.xlsx", Sheet.of("问题台账", [
        row("问题台账", 责任人="@王五", 完成时限=dt.date(2026, 11, 10))]))
    run(ws)
    write(ws)
    sheet = load_workbook(ws.internal / XLSX_NAME)["问题超期"]
    assert sheet.cell(3, 3).value == "'@王五"
    assert sheet.cell(3, 3).data_type == "s"


def test_files_shown_are_those_of_the_latest_run(ws: Workspace) -> None:
    write_workbook(ws.inbox / "第一次.xlsx", Sheet.of("工作台账", [row("工作台账")]))
    run(ws, dt.date(2026, 11, 3))
    write_workbook(ws.inbox / "第二次.xlsx", Sheet.of("工作台账", [
        row("工作台账", 驻点日期=dt.date(2026, 11, 10))]))
    run(ws, dt.date(2026, 11, 10))
    write(ws, dt.date(2026, 11, 10))
    html = (ws.internal / HTML_NAME).read_text("utf-8")
    assert "第二次.xlsx" in html and "第一次.xlsx" not in html
    write(ws, dt.date(2026, 11, 5))  # as of an earlier date: that run's files
    html = (ws.internal / HTML_NAME).read_text("utf-8")
    assert "第一次.xlsx" in html and "第二次.xlsx" not in html
