"""What the clerk gets back: JSON verdict, HTML report, annotated workbook (pipeline/feedback.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from markupsafe import escape
from openpyxl import load_workbook

from pipeline.excel_safety import cell_text, neutralise
from pipeline.feedback import (
    ERROR_FILL,
    RESULT_HEADERS,
    WARNING_FILL,
    FeedbackFiles,
    safe_name,
    write_feedback,
)
from pipeline.findings import Finding, SheetInfo, Verdict
from pipeline.workspace import Workspace
from tests.builders import Sheet, row, write_workbook

if TYPE_CHECKING:
    from tests.browser import PageChecker

pytest_plugins = ("tests.browser",)

DDE = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert(1)</script>"
ODD_SHEET = "张三's 草稿"


def _visits() -> Sheet:
    return Sheet.of("走访登记", [
        row("走访登记"),
        row("走访登记", 户编号="LD-9999", 联系方式="上门"),
        row("走访登记", 走访人=None),
    ], title=["龙导社区走访登记（11月）"])


def _summary() -> Sheet:
    rows = [row("社区汇总"), row("社区汇总", 社区="龙津", 群众=750)]
    sheet = Sheet.of("社区汇总", rows, title=["驻点团队联系群众数据统计表"])
    rate = sheet.cell(0, "走访率")
    visited, total = sheet.cell(0, "已走访户数(户)"), sheet.cell(0, "总户数(户)")
    leader_top, leader_below = sheet.cell(0, "驻点领导"), sheet.cell(1, "驻点领导")
    sheet.extra = {rate: f"={visited}/{total}"}
    sheet.merges = [f"{leader_top}:{leader_below}"]
    return sheet


@pytest.fixture
def submission(tmp_path: Path) -> tuple[Path, Verdict, dict[str, str]]:
    visits, summary = _visits(), _summary()
    draft = Sheet(name=ODD_SHEET, header=["备忘"], rows=[["随手记"]])
    source = write_workbook(tmp_path / "src" / "龙导 第48周.xlsx", visits, summary, draft)
    cells = {
        "household": visits.cell(1, "户编号"),
        "contact": visits.cell(1, "联系方式"),
        "visitor": visits.cell(2, "走访人"),
        "member": visits.cell(0, "走访人"),
        "rate": summary.cell(0, "走访率"),
        "rate_formula": f"={summary.cell(0, '已走访户数(户)')}/{summary.cell(0, '总户数(户)')}",
        "leader_top": summary.cell(0, "驻点领导"),
        "leader_below": summary.cell(1, "驻点领导"),
    }

    def at(ref: str) -> int:
        return int(re.sub(r"[A-Z]", "", ref))

    findings = [
        Finding("REF-HOUSEHOLD", f"户编号 {DDE} 不在龙导社区户册中。", sheet="走访登记",
                cell=cells["household"], row=at(cells["household"]), column="户编号", value=DDE),
        Finding("UNIQUE", "户编号重复出现（另见第3行）。", sheet="走访登记",
                cell=cells["household"], row=at(cells["household"]), column="户编号", value=DDE),
        Finding("CHOICE", f"“{SCRIPT}”不是允许的值。联系方式只能填：入户走访、定点接访。",
                sheet="走访登记", cell=cells["contact"], row=at(cells["contact"]),
                column="联系方式", value=SCRIPT),
        Finding("REQUIRED", "“走访人”必须填写，这里是空的。示例：李福坚。", sheet="走访登记",
                cell=cells["visitor"], row=at(cells["visitor"]), column="走访人", value=None),
        Finding("REF-MEMBER", "“李福坚”不在龙导社区的团队名册中。", sheet="走访登记",
                cell=cells["member"], row=at(cells["member"]), column="走访人", value="李福坚"),
        Finding("REQUIRED", "这一行只填了部分内容？", sheet="走访登记", row=9),
        Finding("SUM-RATE", "填写的走访率与计算值不符：820÷1050 = 78.10%。", sheet="社区汇总",
                cell=cells["rate"], row=at(cells["rate"]), column="走访率",
                value=cells["rate_formula"]),
        Finding("REF-MEMBER", "驻点领导“李福坚”不在名册中（合并单元格）。", sheet="社区汇总",
                cell=cells["leader_below"], row=at(cells["leader_below"]), column="驻点领导",
                value="李福坚"),
        Finding("SHEET", f"工作表“{ODD_SHEET}”不是台账工作表，已忽略。", sheet=ODD_SHEET),
        Finding("HEADER", "这一列没有表头，但有数据。", sheet=ODD_SHEET, cell="B2", row=2,
                severity="警告"),
        Finding("FILE", "文件级问题示例：工作簿含有外部链接。"),
    ]
    verdict = Verdict(file="龙导 第48周.xlsx", sha256="ab" * 32, findings=findings,
                      sheets=[SheetInfo("走访登记", "走访登记", 3),
                              SheetInfo("社区汇总", "社区汇总", 2)]).settle()
    return source, verdict, cells


@pytest.fixture
def written(tmp_path: Path, submission: tuple[Path, Verdict, dict[str, str]]
            ) -> tuple[FeedbackFiles, Verdict, dict[str, str]]:
    source, verdict, cells = submission
    files = write_feedback(Workspace(tmp_path / "ws"), verdict, source, "龙导")
    return files, verdict, cells


# --- the three files ------------------------------------------------------------------------

def test_files_land_in_the_community_folder(tmp_path: Path, written) -> None:
    files, _, _ = written
    folder = tmp_path / "ws" / "outbox" / "feedback" / "龙导"
    assert files.folder == folder
    assert files.json == folder / "龙导 第48周.json"
    assert files.html == folder / "龙导 第48周.html"
    assert files.annotated == folder / "龙导 第48周_批注.xlsx"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["龙导 第48周.json", "龙导 第48周.html", "龙导 第48周_批注.xlsx"])  # no temp files left


def test_json_is_the_verdict(written) -> None:
    files, verdict, _ = written
    assert json.loads(files.json.read_text(encoding="utf-8")) == verdict.as_json()
    assert "龙导" in files.json.read_text(encoding="utf-8")  # ensure_ascii=False


# --- the HTML report ------------------------------------------------------------------------

def test_html_lists_every_finding_with_cell_and_message(written) -> None:
    files, verdict, cells = written
    page = files.html.read_text(encoding="utf-8")
    for f in verdict.findings:
        assert escape(f.message) in page
        if f.cell:
            assert f"{escape(f.sheet or '')}!{f.cell}" in page
    assert f"走访登记!{cells['household']}" in page
    assert "走访登记 第9行" in page
    assert f"{escape(ODD_SHEET)}（整张表）" in page
    assert "整个文件" in page


def test_html_verdict_line_and_exact_counts(written) -> None:
    files, verdict, _ = written
    page = files.html.read_text(encoding="utf-8")
    assert len(verdict.errors) == 6 and len(verdict.warnings) == 5
    assert '<strong class="count-errors">6</strong>' in page
    assert '<strong class="count-warnings">5</strong>' in page
    assert "未通过，需修改后重新提交" in page
    assert "龙导 第48周.xlsx" in page and "龙导 第48周_批注.xlsx" in page


def test_html_groups_by_sheet_errors_before_warnings(written) -> None:
    files, _, cells = written
    page = files.html.read_text(encoding="utf-8")
    visits = page[page.index("<h2>走访登记</h2>"):page.index("<h2>社区汇总</h2>")]
    assert visits.index("错误（必须修改）") < visits.index("警告（请核对）")
    assert visits.index(f"走访登记!{cells['household']}") < visits.index("警告（请核对）")
    assert visits.index("警告（请核对）") < visits.index(f"走访登记!{cells['member']}")
    assert page.index("<h2>整个文件</h2>") < page.index("<h2>走访登记</h2>")
    assert "本组 错误 5 个，警告 1 个" in visits
    # the sheets read
    assert re.search(r"<td>走访登记</td><td>走访登记</td><td class=\"num\">3</td>", page)


def test_html_escapes_input(written) -> None:
    files, _, _ = written
    page = files.html.read_text(encoding="utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_for_an_unreadable_file_says_so_and_makes_no_copy(tmp_path: Path) -> None:
    source = tmp_path / "坏文件.xlsx"
    source.write_bytes(b"not a zip")
    verdict = Verdict(file="坏文件.xlsx", sha256="0" * 64, status="unreadable",
                      findings=[Finding("FILE", "这不是Excel工作簿（.xlsx）文件。")])
    files = write_feedback(Workspace(tmp_path), verdict, source, None)
    assert files.annotated is None
    assert files.folder == tmp_path / "outbox" / "feedback" / "未识别"
    assert sorted(p.name for p in files.folder.iterdir()) == ["坏文件.html", "坏文件.json"]
    page = files.html.read_text(encoding="utf-8")
    assert "无法读取" in page and "这不是Excel工作簿（.xlsx）文件。" in page
    assert "没有读取到台账工作表" in page


def test_report_still_written_when_the_copy_fails(tmp_path: Path) -> None:
    source = tmp_path / "x.xlsx"
    source.write_bytes(b"PK\x03\x04 but not really a workbook")
    verdict = Verdict(file="x.xlsx", sha256="5" * 64, findings=[
        Finding("REQUIRED", "空的。", sheet="走访登记", cell="G5", row=5)]).settle()
    files = write_feedback(Workspace(tmp_path), verdict, source, "龙导")
    assert files.annotated is None
    assert sorted(p.name for p in files.folder.iterdir()) == ["x.html", "x.json"]
    assert "未能生成（系统原因，不是您的错误）" in files.html.read_text(encoding="utf-8")


def test_valid_file_without_source_passes(tmp_path: Path) -> None:
    verdict = Verdict(file="ok.xlsx", sha256="1" * 64,
                      sheets=[SheetInfo("走访登记", "走访登记", 12)]).settle()
    files = write_feedback(Workspace(tmp_path), verdict, None, "龙津")
    page = files.html.read_text(encoding="utf-8")
    assert files.annotated is None
    assert "结论：<strong>通过</strong>" in page
    assert '<strong class="count-errors">0</strong>' in page


# --- the annotated copy ---------------------------------------------------------------------

def test_annotated_copy_starts_with_every_finding(written) -> None:
    files, verdict, _ = written
    wb = load_workbook(files.annotated)
    assert wb.sheetnames[0] == "校验结果"
    assert wb.active.title == "校验结果"
    ws = wb["校验结果"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == RESULT_HEADERS
    assert len(rows) == 1 + len(verdict.findings)
    listed = sorted((r[1], r[6]) for r in rows[1:])
    assert listed == sorted((f.rule, cell_text(f.message)) for f in verdict.findings)


def test_annotated_copy_links_each_cell(written) -> None:
    files, verdict, cells = written
    ws = load_workbook(files.annotated)["校验结果"]
    links: dict[str, set[str | None]] = {}
    for r in range(2, ws.max_row + 1):
        ref = ws.cell(r, 4)
        links.setdefault(ref.value, set()).add(
            ref.hyperlink.location if ref.hyperlink is not None else None)
    assert links[f"走访登记!{cells['household']}"] == {f"'走访登记'!{cells['household']}"}
    assert links[f"社区汇总!{cells['leader_below']}"] == {f"'社区汇总'!{cells['leader_below']}"}
    assert links[f"{ODD_SHEET}!B2"] == {"'张三''s 草稿'!B2"}
    # findings without a cell are listed without a link
    assert links["走访登记 第9行"] == {None}
    assert links[f"{ODD_SHEET}（整张表）"] == {None}
    assert links["整个文件"] == {None}
    for f in verdict.findings:
        if f.cell:
            assert any(ref.endswith(f"!{f.cell}") for ref in links)


def test_annotated_copy_neutralises_input(written) -> None:
    files, _, _ = written
    ws = load_workbook(files.annotated)["校验结果"]
    values = [ws.cell(r, 6).value for r in range(2, ws.max_row + 1)]
    assert "'" + DDE in values
    assert DDE not in values
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_annotated_copy_fills_and_comments_bad_cells(written) -> None:
    files, verdict, cells = written
    wb = load_workbook(files.annotated)
    visits, summary = wb["走访登记"], wb["社区汇总"]

    def fill(cell) -> str:
        return str(cell.fill.fgColor.rgb)[-6:]

    household = visits[cells["household"]]
    assert fill(household) == ERROR_FILL
    assert "不在龙导社区户册中" in household.comment.text
    assert "户编号重复出现" in household.comment.text  # two findings, one comment
    assert fill(visits[cells["contact"]]) == ERROR_FILL
    assert SCRIPT in visits[cells["contact"]].comment.text
    assert fill(visits[cells["visitor"]]) == ERROR_FILL
    assert "必须填写" in visits[cells["visitor"]].comment.text
    assert fill(visits[cells["member"]]) == WARNING_FILL
    assert "不在龙导社区的团队名册中" in visits[cells["member"]].comment.text
    assert fill(summary[cells["rate"]]) == WARNING_FILL
    # a finding inside a merged range is shown on the range's first cell, naming its cell
    top = summary[cells["leader_top"]]
    assert fill(top) == WARNING_FILL
    assert f"（{cells['leader_below']}）" in top.comment.text
    # cells without findings are left alone
    assert visits["A1"].comment is None
    assert fill(visits["A1"]) != ERROR_FILL
    for f in verdict.findings:
        if f.cell and f.sheet in ("走访登记", "社区汇总") and f.cell != cells["leader_below"]:
            assert f.message in wb[f.sheet][f.cell].comment.text


def test_annotated_copy_keeps_values_and_formulas(written, submission) -> None:
    files, _, cells = written
    source, _, _ = submission
    before, after = load_workbook(source), load_workbook(files.annotated)
    assert after["社区汇总"][cells["rate"]].value == cells["rate_formula"]
    for ws in before.worksheets:
        for r in ws.iter_rows():
            for c in r:
                assert after[ws.title][c.coordinate].value == c.value, (ws.title, c.coordinate)
    assert [n for n in after.sheetnames if n != "校验结果"] == before.sheetnames


def test_result_sheet_name_does_not_collide(tmp_path: Path) -> None:
    old = Sheet(name="校验结果", header=["旧"], rows=[["上次的批注"]])
    source = write_workbook(tmp_path / "a.xlsx", _visits(), old)
    verdict = Verdict(file="a.xlsx", sha256="2" * 64, findings=[
        Finding("REQUIRED", "空的。", sheet="走访登记", cell="G5", row=5, column="走访人")]).settle()
    files = write_feedback(Workspace(tmp_path), verdict, source, "龙导")
    assert files.annotated is not None
    wb = load_workbook(files.annotated)
    assert wb.sheetnames[0] == "校验结果(2)"
    assert wb["校验结果"]["A2"].value == "上次的批注"
    assert wb["校验结果(2)"]["D2"].hyperlink.location == "'走访登记'!G5"


# --- names and neutralising -----------------------------------------------------------------

def test_feedback_names_are_safe_and_keep_chinese(tmp_path: Path) -> None:
    assert safe_name("龙导社区 第48周", "x") == "龙导社区 第48周"
    assert safe_name('a/b\\c:d*e?"f<g>h|i\x00', "x") == "a_b_c_d_e__f_g_h_i_"
    assert safe_name("..", "未命名") == "未命名"
    assert safe_name("CON", "x") == "_CON"
    assert len(safe_name("龙" * 300, "x").encode()) <= 150
    verdict = Verdict(file="..\\..\\evil/../../龙导:第1周.xlsx", sha256="3" * 64).settle()
    files = write_feedback(Workspace(tmp_path), verdict, None, "../龙导")
    assert files.html.parent == tmp_path / "outbox" / "feedback" / "_龙导"
    assert files.html.name == "龙导_第1周.html"


@pytest.mark.parametrize("text", [DDE, "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "＝1+1"])
def test_neutralise_quotes_formula_starts(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["李福坚", "LD-0001", "", 3, -2, 1.5, None])
def test_neutralise_leaves_the_rest(value: object) -> None:
    assert neutralise(value) == value


def test_cell_text_removes_what_xml_cannot_hold() -> None:
    assert cell_text("a\x01b") == "a\ufffdb"
    assert len(cell_text("x" * 40_000)) == 32_766


# --- in a browser ---------------------------------------------------------------------------

@pytest.mark.parametrize("width", [390, 1280])
def test_report_fits_the_screen(written, page_check: PageChecker, width: int) -> None:
    files, _, _ = written
    scroll_width, viewport, errors = page_check(files.html, width, "feedback")
    assert viewport == width
    assert scroll_width <= viewport
    assert errors == []


def test_long_values_wrap_on_a_phone(tmp_path: Path, page_check: PageChecker) -> None:
    long = "LD-" + "9" * 400
    verdict = Verdict(file="很长的文件名" * 10 + ".xlsx", sha256="4" * 64, findings=[
        Finding("FORMAT", f"“{long}”不是有效的电话号码。", sheet="走访登记", cell="C7", row=7,
                column="联系电话", value=long)]).settle()
    files = write_feedback(Workspace(tmp_path), verdict, None, "龙导")
    page = files.html.read_text(encoding="utf-8")
    assert "共 403 个字" in page
    scroll_width, viewport, errors = page_check(files.html, 390, "feedback_long")
    assert scroll_width <= viewport
    assert errors == []
