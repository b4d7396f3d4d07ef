"""The statistics table as files (pipeline.statistics_outputs): CSV, workbook, page, chart.

The demo workspace must reproduce the seed's table; the expected figures below are
typed from ../shared/seed/ (昌盛 in its consistent reading, 500 + 50 = 550) with each
走访率 worked out by hand, never taken from the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook

from pipeline import charts
from pipeline.demo import build_demo
from pipeline.nightly import run_nightly
from pipeline.statistics import compute_statistics
from pipeline.statistics_outputs import rate_chart_svg, write_statistics
from pipeline.store import Master
from pipeline.workspace import Workspace
from tests.test_statistics import build_street

if TYPE_CHECKING:
    from tests.browser import PageChecker

pytest_plugins = ("tests.browser",)

AS_OF = dt.date(2026, 12, 1)
BOM = b"\xef\xbb\xbf"
HEADER = ("驻点领导,社区,总户数(户),已走访户数(户),群众(户),企业/工商户(户),走访率,"
          "接待群众数(人次),联系外出人员(人),口径")
# 社区: 驻点领导, 总户数, 已走访户数, 群众, 企业/工商户, 走访率, 接待群众数, 联系外出人员
SEED = {
    "龙导": ("李福坚", "1050", "820", "755", "65", "78.10%", "320", "58"),
    "状元": ("李福坚", "1941", "862", "857", "5", "44.41%", "126", "182"),
    "仁和": ("张建勋", "1300", "502", "349", "153", "38.62%", "82", "56"),
    "环珠": ("张建勋", "1025", "759", "594", "165", "74.05%", "122", "1466"),
    "富力": ("夏先华", "2393", "1407", "1281", "126", "58.80%", "985", "50"),
    "新民": ("夏先华", "3215", "1992", "1917", "75", "61.96%", "45", "25"),
    "鹤兴": ("冯志明", "1268", "739", "700", "39", "58.28%", "250", "22"),
    "梅园南": ("冯志明", "1225", "520", "483", "37", "42.45%", "520", "34"),
    "昌盛": ("黄耀东", "1550", "550", "500", "50", "35.48%", "32", "14"),
    "龙田": ("黄耀东", "2620", "1050", "990", "60", "40.08%", "120", "150"),
}
# Private values of the street fixture's workbooks (tests.builders defaults).
PRIVATE = ("王某某", "13800138000", "楼道灯损坏", "龙凤路1号101", "LD-0001", "了解家庭情况",
           "3栋楼道灯损坏", "不一致")


def publish(ws: Workspace) -> list[Path]:
    """The nightly run, then the statistics files from its master."""
    with open(os.devnull, "w") as sink:
        run_nightly(ws, as_of=AS_OF, out=sink)
    with Master(ws.master) as master:
        return write_statistics(ws, master, ws.config(), AS_OF)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("demo")).ensure()
    build_demo(ws, AS_OF)
    publish(ws)
    return ws


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("street")).ensure()
    build_street(ws.inbox)
    publish(ws)
    return ws


def csv_rows(ws: Workspace) -> list[list[str]]:
    text = (ws.public / "统计表.csv").read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# -- CSV ------------------------------------------------------------------------------

def test_write_statistics_returns_its_files(street: Workspace) -> None:
    with Master(street.master) as master:
        paths = write_statistics(street, master, street.config(), AS_OF)
    assert paths == [street.public / "统计表.csv", street.public / "statistics.html",
                     street.internal / "统计表.xlsx"]
    assert all(p.is_file() for p in paths)


def test_csv_has_a_bom_the_header_and_a_row_per_community(demo: Workspace) -> None:
    data = (demo.public / "统计表.csv").read_bytes()
    assert data.startswith(BOM)
    lines = data[len(BOM):].decode("utf-8").split("\r\n")
    assert lines[0] == HEADER
    assert lines[1] == "李福坚,龙导,1050,820,755,65,78.10%,320,58,计算"
    assert lines[11:] == [""]  # ten communities, no subtotal or total lines


def test_demo_reproduces_the_seed_table(demo: Workspace) -> None:
    rows = csv_rows(demo)[1:]
    assert [r[1] for r in rows] == list(SEED)
    for leader, community, *figures, basis in rows:
        assert (leader, *figures) == SEED[community], community
        assert basis == "计算"


def test_demo_subtotals_and_total(demo: Workspace) -> None:
    with Master(demo.master) as master:
        table = compute_statistics(master, demo.config(), AS_OF)
    subtotals = {g.leader: (g.subtotal.total, g.subtotal.visited, g.subtotal.percent("rate"))
                 for g in table.groups}
    assert subtotals == {"李福坚": (2991, 1682, "56.24%"), "张建勋": (2325, 1261, "54.24%"),
                         "夏先华": (5608, 3399, "60.61%"), "冯志明": (2493, 1259, "50.50%"),
                         "黄耀东": (4170, 1600, "38.37%")}
    total = table.total
    assert (total.total, total.visited, total.residents, total.businesses, total.received,
            total.outgoing) == (17587, 9201, 8426, 775, 2602, 2057)
    assert total.percent("rate") == "52.32%"
    assert all(r.note == "" for r in table.rows)


def test_csv_rows_for_reported_and_empty_communities(street: Workspace) -> None:
    text = (street.public / "统计表.csv").read_bytes().decode("utf-8-sig")
    assert "张建勋,仁和,1300,502,349,153,38.62%,82,56,填报\r\n" in text
    # INTERFACE: 口径 is 计算 or 填报; a community with no data has computed zeros
    assert "夏先华,富力,0,0,0,0,,0,0,计算\r\n" in text
    assert {line.rsplit(",", 1)[1] for line in text.splitlines()[1:]} == {"计算", "填报"}
    assert "小计" not in text and "合计" not in text


def test_public_files_hold_no_private_text(street: Workspace) -> None:
    for name in ("统计表.csv", "statistics.html"):
        text = (street.public / name).read_text(encoding="utf-8-sig")
        for value in PRIVATE:
            assert value not in text, (name, value)


# -- the workbook ---------------------------------------------------------------------

def sheet(ws: Workspace, name: str = "统计表") -> Any:
    return load_workbook(ws.internal / "统计表.xlsx")[name]


def test_workbook_layout_like_the_seed(demo: Workspace) -> None:
    book = load_workbook(demo.internal / "统计表.xlsx")
    assert book.sheetnames == ["统计表", "问题办理", "走访率图"]
    ws = book["统计表"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:K1", "E3:F3", "A3:A4", "B3:B4", "G3:G4", "J3:J4", "K3:K4"} <= merged
    # each leader over two communities and the subtotal; the total over 驻点领导 and 社区
    assert {"A5:A7", "A8:A10", "A11:A13", "A14:A16", "A17:A19", "A20:B20"} <= merged
    assert [ws.cell(3, c).value for c in range(1, 12)] == [
        "驻点领导", "社区", "总户数(户)", "已走访户数(户)", "其中", None, "走访率",
        "接待群众数(人次)", "联系外出人员(人)", "口径", "备注（台账与社区汇总差异）"]
    assert (ws["E4"].value, ws["F4"].value) == ("群众(户)", "企业/工商户(户)")
    assert [ws.cell(5, c).value for c in range(1, 11)] == [
        "李福坚", "龙导", 1050, 820, 755, 65, 0.781, 320, 58, "计算"]
    assert [ws.cell(7, c).value for c in range(2, 10)] == [
        "小计", 2991, 1682, 1612, 70, 0.5624, 446, 240]
    assert [ws.cell(20, c).value for c in range(1, 10)] == [
        "全街道合计", None, 17587, 9201, 8426, 775, 0.5232, 2602, 2057]
    assert ws["B21"].value is None


def test_workbook_numbers_are_numbers(demo: Workspace) -> None:
    ws = sheet(demo)
    for r in range(5, 21):
        for c in range(3, 10):
            cell = ws.cell(r, c)
            assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
            assert cell.number_format == ("0.00%" if c == 7 else "#,##0")
    assert [ws.cell(r, 7).value for r in (5, 6, 8, 9)] == [0.781, 0.4441, 0.3862, 0.7405]


def test_workbook_freezes_the_header_and_prints_on_one_landscape_page(demo: Workspace) -> None:
    book = load_workbook(demo.internal / "统计表.xlsx")
    for ws in book:
        assert ws.freeze_panes in ("C5", "C4", "A2")  # A2: the chart's own small table
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert book["统计表"].freeze_panes == "C5"


def test_workbook_issue_sheet(street: Workspace) -> None:
    ws = sheet(street, "问题办理")
    assert [ws.cell(3, c).value for c in range(1, 10)] == [
        "驻点领导", "社区", "收集问题数", "现场解决数", "已办结", "按期办结率", "超期未办结",
        "反馈率", "满意率"]
    assert [ws.cell(4, c).value for c in range(1, 10)] == [
        "李福坚", "龙导", 7, 3, 3, 0.6667, 2, 0.6667, 0.5]
    assert ws["F4"].number_format == "0.00%"
    assert ws["F5"].value is None  # 状元 closed nothing: no rate
    assert "A4:A6" in {str(r) for r in ws.merged_cells.ranges}


def test_workbook_shows_basis_and_the_internal_note(street: Workspace) -> None:
    ws = sheet(street)
    # rows: 龙导 5, 状元 6, 小计 7, 仁和 8, 环珠 9, 小计 10, 富力 11
    assert [ws.cell(r, 10).value for r in (5, 8, 9, 11)] == ["计算", "填报", "计算", "无数据"]
    assert ws["K9"].value == ("社区汇总（截至2026-11-30）与台账不一致："
                              "已走访户数(户)填报3、计算2；群众(户)填报3、计算2")
    assert ws["B9"].comment is not None and "填报3" in ws["B9"].comment.text
    assert ws["K5"].value is None and ws["B5"].comment is None
    assert ws["G11"].value is None and ws["C11"].value == 0


def test_workbook_has_the_rate_chart_and_what_it_draws(demo: Workspace) -> None:
    ws = sheet(demo, "走访率图")
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("社区", "走访率", "时间进度")
    rates = {name: rate for name, rate, _ in rows[1:]}
    assert list(rates) == ["龙导", "状元", "仁和", "环珠", "富力", "新民", "鹤兴", "梅园南", "昌盛",
                           "龙田"]
    assert rates["龙导"] == pytest.approx(820 / 1050) and rates["龙田"] == pytest.approx(1050 / 2620)
    with Master(demo.master) as master:  # the even pace, the same for every community
        pace = compute_statistics(master, demo.config(), AS_OF).pace
    assert [p for *_, p in rows[1:]] == pytest.approx([float(pace)] * 10)
    (chart,) = ws._charts
    assert chart.type == "bar" and len(chart.series) == 2
    assert chart.x_axis.delete is False and chart.y_axis.delete is False  # Excel shows the axes
    assert chart.series[0].val.numRef.f == "'走访率图'!$B$2:$B$11"
    assert chart.series[0].cat.strRef.f == "'走访率图'!$A$2:$A$11"  # names: a string reference


# -- the page -------------------------------------------------------------------------

def html(ws: Workspace) -> str:
    """The page, with the white space between tags taken out."""
    return re.sub(r">\s+<", "><", (ws.public / "statistics.html").read_text(encoding="utf-8"))


def test_page_is_laid_out_like_the_seed(demo: Workspace) -> None:
    page = html(demo)
    leader_cells = re.findall(r'<th scope="rowgroup" rowspan="(\d+)" class="leader">(.+?)</th>',
                              page)
    names = ["李福坚", "张建勋", "夏先华", "冯志明", "黄耀东"]
    assert leader_cells == [("3", n) for n in names] * 2  # both tables
    assert '<th scope="colgroup" colspan="2" class="split">其中</th>' in page
    assert re.search(r'<th scope="col" class="num">群众\(户\)</th>'
                     r'<th scope="col" class="num">企业/工商户\(户\)</th>', page)
    assert ('<td class="label">龙导</td><td class="num">1050</td><td class="num">820</td>'
            '<td class="num">755</td><td class="num">65</td><td class="num">78.10%</td>'
            '<td class="num">320</td><td class="num">58</td>') in page
    assert '<th scope="row" colspan="2">全街道合计</th><td class="num">17587</td>' in page
    assert "52.32%" in page and "56.24%" in page


def test_page_shows_as_of_and_sources(demo: Workspace) -> None:
    page = html(demo)
    assert "截至 <strong>2026年12月1日</strong>" in page
    assert "已采用 <strong>10</strong> 份" in page
    assert re.search(r"最近一次接收于 \d{4}年\d{1,2}月\d{1,2}日。", page)  # the day: reproducible


def test_page_has_the_chart_inline_and_no_script(demo: Workspace) -> None:
    page = html(demo)
    assert page.count("<svg") == 1
    assert 'class="chart" role="img" aria-label="驻点团队联系群众数据统计表：各社区走访率与时间进度 91.78%"' in page
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page


def test_page_shows_issue_figures(street: Workspace) -> None:
    page = html(street)
    for header in ("收集问题数", "现场解决数", "已办结", "按期办结率", "超期未办结", "反馈率",
                   "满意率"):
        assert f'<th scope="col" class="num">{header}</th>' in page
    assert ('<td class="label">龙导</td><td class="num">7</td><td class="num">3</td>'
            '<td class="num">3</td><td class="num">66.67%</td><td class="num">2</td>'
            '<td class="num">66.67%</td><td class="num">50.00%</td>') in page


def test_chart_renders_without_a_cjk_font(street: Workspace,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths drawn without a CJK font would be boxes: the names stay text for the browser."""
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    with Master(street.master) as master:
        svg = rate_chart_svg(compute_statistics(master, street.config(), AS_OF))
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert {"龙导", "状元", "25%"} <= set(re.findall(r"<text\b[^>]*>([^<]*)</text>", svg))


def test_chart_text_is_drawn_when_a_cjk_font_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "cjk_font", lambda: "Noto Sans CJK SC")
    assert charts.text_style() == {"font.family": ["Noto Sans CJK SC", "DejaVu Sans"],
                                   "svg.fonttype": "path"}


@pytest.mark.parametrize("width", [390, 1280])
def test_page_fits_the_screen(demo: Workspace, page_check: PageChecker, width: int) -> None:
    scroll_width, viewport, errors = page_check(demo.public / "statistics.html", width,
                                                "statistics")
    assert errors == []
    assert scroll_width <= viewport


def test_page_prints_on_one_a4_page(demo: Workspace, chromium: Any) -> None:
    context = chromium.new_context(offline=True)
    try:
        page = context.new_page()
        page.goto((demo.public / "statistics.html").resolve().as_uri(), wait_until="load")
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
    finally:
        context.close()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
