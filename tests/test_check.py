"""Reading real workbooks and telling the clerk exactly what is wrong (pipeline.check)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline.check import check_ahead, check_file, exit_code
from pipeline.config import load_config
from pipeline.findings import Verdict
from tests.builders import SEED_ROWS, Sheet, headers, row, seed_table_sheet, write_workbook

CONFIG = load_config(None)
AS_OF = dt.date(2026, 12, 1)
# 龙导's 户册, for files whose 走访登记 must be checkable (REF-HOUSEHOLD: none is an 错误)
HOUSEHOLDS = Sheet.of("户册", [row("户册", 户编号=f"LD-{i:04d}") for i in range(1, 10)])


def verdict_of(tmp_path: Path, *sheets: Sheet, name: str = "台账.xlsx") -> Verdict:
    path = write_workbook(tmp_path / name, *sheets)
    return check_file(path, CONFIG, as_of=AS_OF).verdict


def places(findings) -> set[tuple[str, str | None, str | None]]:  # type: ignore[no-untyped-def]
    return {(f.rule, f.sheet, f.cell) for f in findings}


def test_a_clean_workbook_with_every_ledger_is_valid(tmp_path: Path) -> None:
    sheets = [Sheet.of(ledger, [row(ledger)]) for ledger in
              ("团队名册", "户册", "走访登记", "接待登记", "工作台账", "问题台账", "驻点安排", "社区汇总")]
    roster = Sheet.of("团队名册", [
        row("团队名册"), row("团队名册", 姓名="陈联络", 团队职务="联络员", 身份="街道中层干部"),
        row("团队名册", 团队="辅助团队", 姓名="社区书记", 身份="社区两委", 单位及职务="龙导社区书记"),
        row("团队名册", 团队="辅助团队", 姓名="社区委员", 团队职务="联络员", 身份="社区两委"),
    ])
    verdict = verdict_of(tmp_path, roster, *sheets[1:])
    assert verdict.status == "valid", [f.message for f in verdict.findings]
    assert verdict.errors == [] and verdict.warnings == []
    assert [(s.sheet, s.rows) for s in verdict.sheets] == [
        ("团队名册", 4), ("户册", 1), ("走访登记", 1), ("接待登记", 1), ("工作台账", 1),
        ("问题台账", 1), ("驻点安排", 1), ("社区汇总", 1)]


def test_messy_layout_reads_title_rows_blank_rows_text_dates_and_fullwidth(tmp_path: Path) -> None:
    rows = [
        row("走访登记", 日期="2026年11月3日", 人数="２"),
        row("走访登记", 日期="2026/11/4", 户编号="LD-0002", 人数=" 1 "),
        {},  # a blank row in the middle is skipped, not an error
        row("走访登记", 日期=46000, 户编号="LD-0003"),  # an Excel serial (2025-12-09)
    ]
    sheet = Sheet.of("走访登记", rows, title=["龙导社区走访登记表", "填报人：张三"], skip_rows=1,
                     skip_cols=2)
    verdict = verdict_of(tmp_path, sheet, HOUSEHOLDS)
    assert verdict.status == "valid", [f.message for f in verdict.findings]
    assert verdict.sheets[0].rows == 3


def test_dates_with_weekdays_twelve_hour_times_extensions_and_spaced_choices(
        tmp_path: Path) -> None:
    log = Sheet.of("工作台账", [row("工作台账", 驻点日期="2026年11月3日（星期二）", 开始时间="上午8:30",
                                   结束时间="下午12:30", 驻点类型="固定 驻点日")])
    receptions = Sheet.of("接待登记", [row("接待登记", 日期="2026-11-03 周二", 处理方式="现场 解决",
                                          联系电话="020-84000001转801")])
    checked = check_file(write_workbook(tmp_path / "台账.xlsx", log, receptions), CONFIG, as_of=AS_OF)
    assert checked.verdict.errors == [], [f.message for f in checked.verdict.errors]
    frames = {t.ledger: t.frame.iloc[0] for t in checked.tables}
    work, reception = frames["工作台账"], frames["接待登记"]
    assert (work["驻点日期"], work["开始时间"], work["结束时间"], work["驻点类型"]) == (
        pd.Timestamp(2026, 11, 3), "08:30", "12:30", "固定驻点日")
    assert (reception["处理方式"], reception["联系电话"]) == ("现场解决", "020-84000001-801")

    wrong = verdict_of(tmp_path, Sheet.of("工作台账", [row("工作台账", 驻点日期="2026年11月3日（星期三）")]),
                       name="错.xlsx")
    [error] = wrong.errors
    assert (error.rule, error.cell, error.value) == ("TYPE", "B2", "2026年11月3日（星期三）")
    assert "日期和星期对不上" in error.message


def test_headers_match_by_name_with_spaces_brackets_and_reordering(tmp_path: Path) -> None:
    cols = headers("社区汇总")
    messy = [c.replace("(", "（").replace(")", "）") for c in cols]
    messy = [" " + c + " " if i % 2 else c.replace("户数", "户\n数") for i, c in enumerate(messy)]
    reordered = [messy[i] for i in (2, 1, 0, 3, 4, 6, 5, 7, 8, 9)]
    values = row("社区汇总", **{"群众(户)": 700})  # 700 + 65 != 820
    data = [[values[cols[i]] for i in (2, 1, 0, 3, 4, 6, 5, 7, 8, 9)]]
    verdict = verdict_of(tmp_path, Sheet(name="社区汇总", header=reordered, rows=data))
    # 已走访户数(户) is the 5th column (E) after reordering; the error must point there.
    assert places(verdict.errors) == {("SUM-SPLIT", "社区汇总", "E2")}


def test_one_bad_cell_does_not_hide_another(tmp_path: Path) -> None:
    rows = [row("走访登记", 人数="一百", 联系方式="上门")]
    sheet = Sheet.of("走访登记", rows)
    verdict = verdict_of(tmp_path, sheet, HOUSEHOLDS)
    assert places(verdict.errors) == {
        ("TYPE", "走访登记", sheet.cell(0, "人数")),
        ("CHOICE", "走访登记", sheet.cell(0, "联系方式")),
    }
    typed = next(f for f in verdict.errors if f.rule == "TYPE")
    assert typed.value == "一百" and typed.row == 2 and typed.column == "人数"
    choice = next(f for f in verdict.errors if f.rule == "CHOICE")
    assert "入户走访" in choice.message and "上门" in choice.message


def test_required_choice_format_range_and_conditional_rules(tmp_path: Path) -> None:
    rows = [
        row("接待登记", 接待人=None),
        row("接待登记", 联系电话="1380013800"),
        row("接待登记", 来访人数=0),
        row("接待登记", 处理方式="转办"),
        row("接待登记", 社区="海珠"),
    ]
    sheet = Sheet.of("接待登记", rows)
    verdict = verdict_of(tmp_path, sheet)
    assert places(verdict.errors) == {
        ("REQUIRED", "接待登记", "D2"), ("FORMAT", "接待登记", "G3"),
        ("RANGE", "接待登记", "E4"), ("REQUIRED", "接待登记", "J5"),
        ("CHOICE", "接待登记", "B6"),
    }
    assert exit_code([verdict]) == 1


def test_a_mostly_empty_row_is_one_finding(tmp_path: Path) -> None:
    sheet = Sheet.of("走访登记", [row("走访登记"), {"社区": "龙导", "日期": AS_OF}])
    verdict = verdict_of(tmp_path, sheet, HOUSEHOLDS)
    assert [(f.rule, f.row) for f in verdict.errors] == [("REQUIRED", 3)]


def test_unknown_missing_and_unheaded_columns(tmp_path: Path) -> None:
    cols = [c for c in headers("户册") if c != "网格"] + ["备用"]
    data = [[*(row("户册")[c] for c in cols[:-1]), "x"]]
    sheet = Sheet(name="户册", header=cols, rows=data, extra={"H2": "多余"})
    verdict = verdict_of(tmp_path, sheet)
    rules = {(f.rule, f.cell, f.severity) for f in verdict.findings}
    assert ("HEADER", "E1", "错误") in rules          # 备用: not a column of 户册
    assert ("HEADER", "H2", "警告") in rules          # data with no header
    missing = [f for f in verdict.errors if f.rule == "HEADER" and f.column == "网格"]
    assert len(missing) == 1 and "网格" in missing[0].message
    assert not any(f.rule == "REQUIRED" for f in verdict.findings)


def test_unknown_sheets_warn_and_readme_is_ignored(tmp_path: Path) -> None:
    verdict = verdict_of(tmp_path, Sheet.of("户册", [row("户册")]),
                         Sheet(name="说明", header=["随便"]), Sheet(name="Sheet1", header=["a"]))
    assert verdict.status == "valid"
    assert [(f.rule, f.sheet, f.severity) for f in verdict.findings] == [("SHEET", "Sheet1", "警告")]


def test_total_rows_are_skipped_with_a_warning(tmp_path: Path) -> None:
    sheet = Sheet.of("接待登记", [row("接待登记"), {"日期": "合计", "来访人数": 2}])
    verdict = verdict_of(tmp_path, sheet)
    assert verdict.status == "valid"
    assert [(f.rule, f.row) for f in verdict.warnings if f.rule == "SHEET"] == [("SHEET", 3)]
    assert verdict.sheets[0].rows == 1
    # no roster anywhere: one warning for the sheet, not one per row
    assert [(f.rule, f.cell) for f in verdict.warnings if f.rule == "REF-MEMBER"] == [
        ("REF-MEMBER", "D2")]


def test_a_missing_role_points_at_a_cell_and_says_what_it_holds(tmp_path: Path) -> None:
    sheet = Sheet.of("团队名册", [row("团队名册"), row("团队名册", 姓名="王二", 团队职务="成员"),
                                 row("团队名册", 团队="辅助团队", 姓名="赵书记", 身份="社区两委"),
                                 row("团队名册", 团队="辅助团队", 姓名="钱委员", 团队职务="联络员",
                                     身份="社区两委")])
    verdict = verdict_of(tmp_path, sheet)
    assert [(f.rule, f.cell, f.value) for f in verdict.errors] == [("TEAM-HEAD", "D2", "负责人")]
    assert "没有联络员" in verdict.errors[0].message


def test_rows_of_a_community_not_of_the_street_are_not_checked_against_a_roster(
        tmp_path: Path) -> None:
    sheet = Sheet.of("走访登记", [row("走访登记", 社区="龙头社区")])
    verdict = verdict_of(tmp_path, sheet)
    assert [(f.rule, f.cell, f.value) for f in verdict.findings] == [("CHOICE", "B2", "龙头社区")]


@pytest.mark.parametrize("written", ["龙导社区", "龙导居委会", "龙导社区居委会", "龙导社区居民委员会"])
def test_a_community_written_with_its_title_is_that_community(tmp_path: Path, written: str) -> None:
    sheet = Sheet.of("走访登记", [row("走访登记", 户编号="LD-0001", 社区=written)])
    checked = check_file(write_workbook(tmp_path / "走访.xlsx", sheet, HOUSEHOLDS), CONFIG,
                         as_of=AS_OF)
    assert (checked.verdict.status, checked.verdict.errors) == ("valid", [])
    visits = next(t.frame for t in checked.tables if t.ledger == "走访登记")
    assert list(visits["社区"]) == ["龙导"] and checked.community == "龙导"


def test_no_roster_to_check_against_names_the_cell_and_its_value(tmp_path: Path) -> None:
    # no 户册 or 名册 anywhere: nothing to check against, one 警告 each for the sheet
    verdict = verdict_of(tmp_path, Sheet.of("走访登记", [row("走访登记", 户编号="LD-0042"),
                                                        row("走访登记", 户编号="LD-0043")]))
    assert verdict.status == "valid"
    assert [(f.rule, f.cell, f.value) for f in verdict.warnings] == [
        ("REF-HOUSEHOLD", "D2", "LD-0042"), ("REF-MEMBER", "G2", "李福坚")]
    assert "还没有龙导社区的户册" in verdict.warnings[0].message


def test_a_schedules_leader_is_checked_against_the_roster(tmp_path: Path) -> None:
    roster = Sheet.of("团队名册", [row("团队名册"), row("团队名册", 姓名="陈联络", 团队职务="联络员",
                                                 身份="街道中层干部")])
    schedule = Sheet.of("驻点安排", [row("驻点安排"), row("驻点安排", 驻点日期=dt.date(2026, 11, 17),
                                                        带队领导="张三")])
    verdict = verdict_of(tmp_path, roster, schedule)
    assert [(f.rule, f.sheet, f.cell, f.value, f.severity) for f in verdict.findings] == [
        ("REF-MEMBER", "驻点安排", "F3", "张三", "警告")]


def test_visitors_written_as_clerks_write_them_are_found_on_the_roster(tmp_path: Path) -> None:
    roster = Sheet.of("团队名册", [row("团队名册"), row("团队名册", 姓名="陈联络", 团队职务="联络员",
                                                 身份="街道中层干部")])
    written = ["李福坚、陈联络", "李福坚，陈联络", "李福坚 陈联络", "陈\u3000联络", "李福坚、张三"]
    visits = Sheet.of("走访登记", [row("走访登记", 户编号=f"LD-000{i}", 走访人=name)
                                 for i, name in enumerate(written, 1)])
    verdict = verdict_of(tmp_path, roster, visits, HOUSEHOLDS)
    assert [(f.rule, f.cell, f.value) for f in verdict.findings] == [
        ("REF-MEMBER", "G6", "李福坚、张三")]  # 张三 is on no roster


@pytest.mark.parametrize(("summary", "refused"), [
    ("联系13912345678的王大妈，已更换楼道灯", True),      # her phone, and her name
    ("王大妈反映的楼道灯已更换", True),
    ("已按139-1234-5678回复", True),                      # her phone as grouped
    ("已联系139****2222的居民", True), ("邻居（电话13955556666）反映噪音", True),  # any mobile
    ("居民440105199001011234申请低保", True), ("王 大妈家门口路灯已修复", True),  # ID; spaced name
    ("更换3栋楼道灯", False), ("咨询请拨打020-84201234", False),  # an official number is public
    ("2026年11月30日前完成12345678号井盖更换", False),
    # masked, or called by surname and a form of address: still her (DOMAIN: not even masked)
    ("王某反映的楼道灯已更换", True), ("王**家门口路灯已修复", True), ("*大妈家门口路灯已修复", True),
    ("已电话回复王阿姨", True), ("居民陈某某反映噪音，已调解", True),  # any masked surname
    ("于某日前完成修复，向某单位反映后已处理", False), ("工程某标段已整改", False),
    ("李书记带队现场处理", False), ("物业王经理已处理", False),
    # starred anywhere in a mobile or an ID number
    ("已联系1391234****的居民", True), ("电话139xxxx5678", True), ("身份证44010519900101****", True),
    ("身份证4401**********1234", True),
])
def test_a_public_summary_never_names_the_resident(tmp_path: Path, summary: str,
                                                   refused: bool) -> None:
    sheet = Sheet.of("问题台账", [row("问题台账", 反映人="王大妈", 联系电话="13912345678",
                                    公开摘要=summary)])
    verdict = verdict_of(tmp_path, sheet)
    found = [(f.rule, f.column) for f in verdict.errors]
    assert found == ([("FORMAT", "公开摘要")] if refused else [])
    if refused:
        assert "公开栏" in verdict.errors[0].message and verdict.errors[0].value == summary


@pytest.mark.parametrize(("reporter", "summary", "refused"), [
    ("匿名", "群众匿名反映路灯损坏，已修复", False),   # 反映人 naming nobody
    ("热心居民", "热心居民反映路灯损坏，已修复", False),
    ("王大妈、李伯", "李伯家门口路灯已修复", True),     # two reporters in one cell
    ("区志强", "社区某楼道灯已更换", True),            # her surname masked, even after 社
    ("王大妈", "桥梁某处栏杆已加固", False),           # 梁某 is a mask only of a 梁's name
    ("王秀芳 李国明", "李国明家门口路灯已修复", True),  # two names parted by a space
    ("王　大妈", "王大妈家门口路灯已修复", True),        # one name padded to align
])
def test_a_public_summary_reads_the_reporter_cell_as_clerks_fill_it(
        tmp_path: Path, reporter: str, summary: str, refused: bool) -> None:
    sheet = Sheet.of("问题台账", [row("问题台账", 反映人=reporter, 联系电话="13912345678",
                                    公开摘要=summary)])
    found = [(f.rule, f.column) for f in verdict_of(tmp_path, sheet).errors]
    assert found == ([("FORMAT", "公开摘要")] if refused else [])


@pytest.mark.parametrize("phone", ["020-84201234", "02084201234"])
def test_a_public_summary_never_holds_the_residents_landline(tmp_path: Path, phone: str) -> None:
    sheet = Sheet.of("问题台账", [row("问题台账", 反映人="王大妈", 联系电话=phone,
                                    公开摘要="已按8420 1234回复")])
    assert [(f.rule, f.column) for f in verdict_of(tmp_path, sheet).errors] == [
        ("FORMAT", "公开摘要")]


@pytest.mark.parametrize(("column", "text", "refused"), [
    ("变更说明", "应居民王某（13912345678）要求改到下午", True),
    ("变更说明", "身份证440105195001011234的居民要求改期", True),
    ("变更说明", "因台风预警改期，咨询请拨打13800138000", False),  # the row's own 联系电话
    ("变更说明", "因台风预警改期，咨询请拨打020-84201234", False),
    ("驻点地点", "龙凤路88号陈某家楼下", True),
    ("驻点地点", "龙导社区党群服务中心", False),
])
def test_a_schedules_public_text_gives_no_resident_away(tmp_path: Path, column: str, text: str,
                                                       refused: bool) -> None:
    sheet = Sheet.of("驻点安排", [row("驻点安排", 驻点日期=dt.date(2026, 12, 29), 安排类型="变更",
                                    联系电话="13800138000", **{"变更说明": "因故改期", column: text})])
    verdict = verdict_of(tmp_path, sheet)
    assert [(f.rule, f.column) for f in verdict.errors] == ([("FORMAT", column)] if refused else [])
    if refused:
        assert "公开栏" in verdict.errors[0].message and verdict.errors[0].value == text


def test_a_record_dated_after_today_is_a_question(tmp_path: Path) -> None:
    # AS_OF is 12-01: a visit on 12-25 and an issue closed on 12-25 are typos, likely
    visits = Sheet.of("走访登记", [row("走访登记", 日期=dt.date(2026, 12, 25))])
    issues = Sheet.of("问题台账", [row("问题台账", 办理状态="已办结", 办结日期=dt.date(2026, 12, 25),
                                    办理结果="已修复", 反馈日期=dt.date(2026, 11, 30))])
    schedule = Sheet.of("驻点安排", [row("驻点安排", 驻点日期=dt.date(2026, 12, 29))])  # ahead: fine
    verdict = verdict_of(tmp_path, HOUSEHOLDS, visits, issues, schedule)
    assert verdict.status == "valid"
    assert [(f.rule, f.sheet, f.cell, f.value) for f in verdict.warnings if f.rule == "RANGE"] == [
        ("RANGE", "走访登记", "A2", "2026-12-25"), ("RANGE", "问题台账", "O2", "2026-12-25")]
    assert all("晚于今天（2026-12-01）" in f.message for f in verdict.warnings if f.rule == "RANGE")


def test_feedback_dated_before_closing_is_a_question_not_a_rejection(tmp_path: Path) -> None:
    sheet = Sheet.of("问题台账", [row("问题台账", 办理状态="已办结", 办结日期=dt.date(2026, 11, 5),
                                    办理结果="已修复", 反馈日期=dt.date(2026, 11, 4))])
    verdict = verdict_of(tmp_path, sheet)
    assert verdict.status == "valid"
    assert [(f.rule, f.cell, f.severity) for f in verdict.warnings] == [("ISSUE-DATES", "Q2", "警告")]


@pytest.mark.parametrize(("typed", "stored"), [
    ("138-0013-8001", "13800138001"), ("138 0013 8002", "13800138002"),
    ("020-84201234", "020-84201234"), ("（020）8420 1234", "020-84201234")])
def test_phone_numbers_as_clerks_group_them(tmp_path: Path, typed: str, stored: str) -> None:
    sheet = Sheet.of("团队名册", [row("团队名册", 联系电话=typed),
                                 row("团队名册", 姓名="陈联络", 团队职务="联络员", 身份="街道中层干部")])
    checked = check_file(write_workbook(tmp_path / "名册.xlsx", sheet), CONFIG, as_of=AS_OF)
    assert checked.verdict.errors == [], [f.message for f in checked.verdict.errors]
    assert checked.tables[0].frame["联系电话"].tolist()[0] == stored


def test_duplicate_household_ids_within_a_community(tmp_path: Path) -> None:
    sheet = Sheet.of("户册", [row("户册"), row("户册", 户编号="LD-0002"), row("户册")])
    verdict = verdict_of(tmp_path, sheet)
    assert [(f.rule, f.cell) for f in verdict.errors] == [("UNIQUE", "C4")]
    assert "第2行" in verdict.errors[0].message


def test_team_head_and_leader_kind(tmp_path: Path) -> None:
    sheet = Sheet.of("团队名册", [
        row("团队名册"), row("团队名册", 姓名="王二", 身份="街道中层干部"),
        row("团队名册", 姓名="陈联络", 团队职务="联络员", 身份="科室负责人"),
        row("团队名册", 团队="辅助团队", 姓名="赵书记", 身份="志愿者"),
    ])
    verdict = verdict_of(tmp_path, sheet)
    assert places(verdict.errors) == {("TEAM-HEAD", "团队名册", "D3"),
                                      ("TEAM-HEAD", "团队名册", "D5")}
    assert places(verdict.warnings) == {("TEAM-LEADER-KIND", "团队名册", "G3"),
                                        ("TEAM-LEADER-KIND", "团队名册", "G5")}


def test_issue_ledger_rules(tmp_path: Path) -> None:
    sheet = Sheet.of("问题台账", [
        row("问题台账", 责任人=None),
        row("问题台账", 问题编号="B", 完成时限=dt.date(2026, 11, 1)),
        row("问题台账", 问题编号="C", 办理状态="已办结"),
        row("问题台账", 问题编号="D", 办理状态="已办结", 办结日期=dt.date(2026, 11, 5),
            办理结果="已修复"),
    ])
    verdict = verdict_of(tmp_path, sheet)
    assert places(verdict.errors) == {
        ("ISSUE-OWNER", "问题台账", "I2"), ("ISSUE-DATES", "问题台账", "M3"),
        ("ISSUE-CLOSED", "问题台账", "O4"), ("ISSUE-CLOSED", "问题台账", "P4"),
    }
    assert places(verdict.warnings) == {("ISSUE-FEEDBACK", "问题台账", "Q4"),
                                        ("ISSUE-FEEDBACK", "问题台账", "Q5")}


def test_the_seed_table_reads_as_a_summary_sheet(tmp_path: Path) -> None:
    verdict = verdict_of(tmp_path, seed_table_sheet())
    assert verdict.sheets[0].rows == 10
    # 昌盛 (row 12): 1500 + 50 != 550, at 已走访户数 (D).
    assert places(verdict.errors) == {("SUM-SPLIT", "社区汇总", "D12")}
    rate_rows = {f.row: f for f in verdict.warnings if f.rule == "SUM-RATE"}
    printed_ok = {"状元", "仁和"}
    expected_rows = {4 + i for i, r in enumerate(SEED_ROWS) if r[1] not in printed_ok}
    assert set(rate_rows) == expected_rows
    assert "78.10%" in rate_rows[4].message and rate_rows[4].cell == "G4"
    assert "61.96%" in rate_rows[9].message      # 新民 1992/3215 printed 61.95%
    assert "58.28%" in rate_rows[10].message     # 鹤兴 739/1268 printed 59.00%
    # no 统计截至日期 anywhere: a warning says the run's date is used
    assert any(f.rule == "REQUIRED" and f.column == "统计截至日期" for f in verdict.warnings)


def test_the_seed_table_with_leaders_written_once_over_blank_cells(tmp_path: Path) -> None:
    # as the seed's text shows it (and Excel leaves it after 取消合并): no merge, blanks
    sheet = seed_table_sheet()
    leaders_merged = [f"A{r}:A{r + 1}" for r in range(4, 14, 2)]
    assert set(leaders_merged) <= set(sheet.merges)
    sheet = dataclasses.replace(sheet, merges=[m for m in sheet.merges if m not in leaders_merged])
    checked = check_file(write_workbook(tmp_path / "汇总.xlsx", sheet), CONFIG, as_of=AS_OF)
    assert places(checked.verdict.errors) == {("SUM-SPLIT", "社区汇总", "D12")}
    frame = checked.tables[0].frame
    assert frame["驻点领导"].tolist() == [r[0] for r in SEED_ROWS]


@pytest.mark.parametrize(("stated", "warned"), [("3.13%", False), ("3.12%", True), (0.03125, False)])
def test_a_stated_rate_is_compared_rounded_half_up(tmp_path: Path, stated: object,
                                                   warned: bool) -> None:
    # 1/32 = 3.125%: the statistics table prints 3.13%, so 3.13% is right and 3.12% is not
    sheet = Sheet.of("社区汇总", [row("社区汇总", **{"总户数(户)": 32, "已走访户数(户)": 1,
                                                "群众(户)": 1, "企业/工商户(户)": 0,
                                                "走访率": stated})])
    verdict = verdict_of(tmp_path, sheet)
    assert [f.rule for f in verdict.warnings if f.rule == "SUM-RATE"] == (["SUM-RATE"] if warned else [])


def test_summary_as_of_date_from_the_title(tmp_path: Path) -> None:
    sheet = seed_table_sheet(title="驻点团队联系群众数据统计表（截至2026年11月30日）")
    verdict = verdict_of(tmp_path, sheet)
    assert not any(f.column == "统计截至日期" for f in verdict.findings)


def summary_as_of(tmp_path: Path, sheet: Sheet) -> tuple[Verdict, list[dt.date]]:
    checked = check_file(write_workbook(tmp_path / "汇总.xlsx", sheet), CONFIG, as_of=AS_OF)
    frame = next(t.frame for t in checked.tables if t.ledger == "社区汇总")
    return checked.verdict, [d.date() for d in frame["统计截至日期"]]


@pytest.mark.parametrize(("extra", "as_of"), [
    # the date in another cell of the title row, and a form line of two texts
    ({"H1": "截至2026年10月31日"}, dt.date(2026, 10, 31)),
    ({"A2": "填报单位：龙凤街道", "G2": "统计截至：2026年10月31日"}, dt.date(2026, 10, 31)),
    # a filing date is not the figures' date; 截至 wins wherever it stands
    ({"A2": "填报日期：2026年11月20日", "G2": "统计截至：2026年10月31日"}, dt.date(2026, 10, 31)),
    ({"A2": "填报单位：龙凤街道", "G2": "填报日期：2026年11月20日"}, AS_OF),
    # a dash before a filing date opens no period
    ({"H1": "—填报日期：2026年11月20日"}, AS_OF), ({"H1": "- 制表：2026-11-20"}, AS_OF),
])
def test_a_form_line_above_the_header_is_title(tmp_path: Path, extra: dict[str, str],
                                               as_of: dt.date) -> None:
    title = ["驻点团队联系群众数据统计表", ""] if "A2" in extra or "G2" in extra else \
        ["驻点团队联系群众数据统计表"]
    sheet = Sheet.of("社区汇总", [row("社区汇总", 统计截至日期=None)], title=title, extra=extra)
    verdict, dates = summary_as_of(tmp_path, sheet)
    assert verdict.errors == [], [f.message for f in verdict.errors]
    assert dates == [as_of]
    said = [f for f in verdict.warnings if f.column == "统计截至日期"]
    assert len(said) == (1 if as_of == AS_OF else 0)


@pytest.mark.parametrize(("title", "as_of"), [
    # a period: its end is the figures' date, never its start
    ("统计时间：2026年1月1日至2026年10月31日", dt.date(2026, 10, 31)),
    ("2026.1.1—2026.10.31", dt.date(2026, 10, 31)),
    ("2026年1月1日-10月31日（填表日期2026年11月2日）", dt.date(2026, 10, 31)),
    # months only: to the end of the last, or the run's date if that month is not over
    ("2026年1-10月驻点团队联系群众数据统计表", dt.date(2026, 10, 31)),
    ("2026年1月至12月驻点团队联系群众数据统计表", AS_OF),
    # 2026年1-11 is no date (it was read as 11 January)
    ("2026年1-11月统计表", dt.date(2026, 11, 30)),
])
def test_a_period_in_the_title_gives_its_end(tmp_path: Path, title: str, as_of: dt.date) -> None:
    sheet = Sheet.of("社区汇总", [row("社区汇总", 统计截至日期=None)], title=[title])
    verdict, dates = summary_as_of(tmp_path, sheet)
    assert dates == [as_of]
    assert not [f for f in verdict.findings if f.column == "统计截至日期"]


def test_a_form_line_wider_than_the_table_is_no_header(tmp_path: Path) -> None:
    width = len(headers("走访登记"))
    sheet = Sheet.of("走访登记", [row("走访登记")], title=["龙导社区走访登记表", "填报单位：龙导社区"],
                     extra={f"{chr(ord('A') + width + 1)}2": "填报日期：2026年11月20日"})
    verdict = verdict_of(tmp_path, sheet, HOUSEHOLDS)
    assert verdict.status == "valid", [f.message for f in verdict.findings]
    assert verdict.sheets[0].rows == 1


def test_a_note_merged_across_two_columns_is_the_first_columns_only(tmp_path: Path) -> None:
    sheet = Sheet.of("走访登记", [row("走访登记", 情况记录="了解情况，无诉求", 问题编号=None)],
                     merges=["H2:I2"])  # 情况记录 over 问题编号
    checked = check_file(write_workbook(tmp_path / "走访.xlsx", sheet), CONFIG, as_of=AS_OF)
    # nothing but that the file brings neither 户册 nor 团队名册 to check against
    assert {f.rule for f in checked.verdict.findings} == {"REF-HOUSEHOLD", "REF-MEMBER"}
    frame = checked.tables[0].frame
    assert frame["情况记录"].tolist() == ["了解情况，无诉求"] and frame["问题编号"].isna().all()


def test_a_leader_merged_down_repeats(tmp_path: Path) -> None:
    sheet = Sheet.of("工作台账", [row("工作台账"), row("工作台账", 带队领导=None)],
                     merges=["F2:F3"])
    checked = check_file(write_workbook(tmp_path / "工作.xlsx", sheet), CONFIG, as_of=AS_OF)
    assert checked.tables[0].frame["带队领导"].tolist() == ["李福坚", "李福坚"]


def test_a_row_number_column_is_read_as_nothing(tmp_path: Path) -> None:
    cols = ["序号", *headers("走访登记")]
    sheet = Sheet.of("走访登记", [{**row("走访登记"), "序号": n} for n in (1, 2)], header=cols)
    verdict = verdict_of(tmp_path, sheet)
    assert {f.rule for f in verdict.findings} == {"REF-HOUSEHOLD", "REF-MEMBER"}  # no 户册 sent
    assert verdict.sheets[0].rows == 2


def test_a_form_numbered_ahead_reads_only_its_filled_rows(tmp_path: Path) -> None:
    cols = ["序号", *headers("走访登记")]
    rows = [{**row("走访登记"), "序号": 1}, {**row("走访登记"), "序号": 2},
            *({"序号": n} for n in range(3, 8))]  # numbered, still empty
    verdict = verdict_of(tmp_path, Sheet.of("走访登记", rows, header=cols), HOUSEHOLDS)
    assert verdict.status == "valid" and verdict.sheets[0].rows == 2
    assert not any(f.rule == "HEADER" for f in verdict.findings)


def test_a_header_merged_down_over_two_rows_is_one_header(tmp_path: Path) -> None:
    cols = headers("走访登记")
    sheet = Sheet.of("走访登记", [row("走访登记")], header=cols, header2=[""] * len(cols),
                     merges=[f"{chr(ord('A') + i)}1:{chr(ord('A') + i)}2" for i in range(len(cols))])
    verdict = verdict_of(tmp_path, sheet, HOUSEHOLDS)
    assert verdict.status == "valid", [f.message for f in verdict.errors]
    assert verdict.sheets[0].rows == 1


def test_the_seeds_two_row_header_names_its_unknown_top_cell(tmp_path: Path) -> None:
    sheet = seed_table_sheet()
    sheet = Sheet(name=sheet.name, header=[*sheet.header, "备注说明"], header2=[*sheet.header2, ""],
                  rows=[[*r, None] for r in sheet.rows], title=sheet.title,
                  merges=[*sheet.merges, "J2:J3"])
    verdict = verdict_of(tmp_path, sheet)
    assert [(f.rule, f.cell) for f in verdict.errors if f.rule == "HEADER"] == [("HEADER", "J3")]
    assert verdict.sheets[0].rows == 10


@pytest.mark.parametrize(("ledger", "header", "unit"), [
    ("工作台账", "参加人数", "（人）"), ("工作台账", "走访户数", "（户）"),
    ("工作台账", "接待人次", "(人次)"), ("接待登记", "来访人数", "（人次）")])
def test_a_unit_after_a_counts_header_is_allowed(tmp_path: Path, ledger: str, header: str,
                                                 unit: str) -> None:
    cols = [h + unit if h == header else h for h in headers(ledger)]
    sheet = Sheet.of(ledger, [{(h + unit if h == header else h): v
                               for h, v in row(ledger).items()}], header=cols)
    checked = check_file(write_workbook(tmp_path / "单位.xlsx", sheet), CONFIG, as_of=AS_OF)
    assert [f for f in checked.verdict.findings if f.rule != "REF-MEMBER"] == []  # no roster
    assert checked.tables[0].frame[header].notna().all()


@pytest.mark.parametrize("value", ["#REF!", "#DIV/0!", "#N/A"])
def test_excel_error_values_typed_as_text_are_type_errors(tmp_path: Path, value: str) -> None:
    sheet = Sheet.of("工作台账", [row("工作台账", 走访户数=value)])
    verdict = verdict_of(tmp_path, sheet)
    assert [(f.rule, f.cell, f.value) for f in verdict.errors] == [("TYPE", "H2", value)]


def test_an_error_a_formula_gave_shows_as_excel_shows_it(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "工作.xlsx", Sheet.of("工作台账", [row("工作台账")]))
    patched = tmp_path / "错误值.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":  # 走访户数 = NA(), saved as #N/A
                data = re.sub(rb'<c r="H2"[^>]*?(/>|>.*?</c>)',
                              b'<c r="H2" t="e"><f>NA()</f><v>#N/A</v></c>', data)
            dst.writestr(item, data)
    verdict = check_file(patched, CONFIG, as_of=AS_OF).verdict
    assert [(f.rule, f.cell, f.value) for f in verdict.errors] == [("TYPE", "H2", "#N/A")]
    assert "#N/A" in verdict.errors[0].message and "NA()" not in verdict.errors[0].message


def test_formula_without_cached_value_names_its_cell(tmp_path: Path) -> None:
    # openpyxl saves formulas without computed values, as a script would
    sheet = Sheet.of("工作台账", [row("工作台账", 走访户数="=10+2"), row("工作台账")])
    verdict = verdict_of(tmp_path, sheet)
    assert [(f.rule, f.cell, f.value) for f in verdict.errors] == [("TYPE", "H2", "=10+2")]
    assert "公式" in verdict.errors[0].message


def test_a_rate_formula_without_its_value_is_only_a_warning(tmp_path: Path) -> None:
    # 走访率 is computed by the system: a formula a script saved without its result is moot
    sheet = Sheet.of("社区汇总", [row("社区汇总", 走访率="=D2/C2")],
                     header=[h for h in headers("社区汇总") if h != "统计截至日期"],
                     title=["驻点团队联系群众数据统计表（截至2026年11月30日）"])
    checked = check_file(write_workbook(tmp_path / "汇总.xlsx", sheet), CONFIG, as_of=AS_OF)
    verdict = checked.verdict
    assert verdict.status == "valid", [f.message for f in verdict.errors]
    [warning] = verdict.warnings
    assert (warning.rule, warning.cell, warning.value) == ("TYPE", "G3", "=D2/C2")
    assert "系统" in warning.message
    assert checked.tables[0].frame["走访率"].isna().all()


def test_footnotes_below_the_table_are_skipped_with_a_note(tmp_path: Path) -> None:
    sheet = Sheet.of("接待登记", [row("接待登记")],
                     extra={"A4": "填表人：张三", "D4": "审核人：李四", "A5": "注：来访人数按人次计"})
    verdict = verdict_of(tmp_path, sheet, name="接待.xlsx")
    assert verdict.status == "valid", [f.message for f in verdict.errors]
    assert [(f.rule, f.cell) for f in verdict.warnings if f.rule == "SHEET"] == [
        ("SHEET", "A4"), ("SHEET", "A5")]
    assert verdict.sheets[0].rows == 1


@pytest.mark.parametrize("line", ["数据来源：各社区报送", "单位：户、人次", "龙导社区居委会（盖章）",
                                  "负责人签字：", "注1：走访户数按户编号去重", "联系人：张三"])
def test_more_lines_under_a_table_are_notes(tmp_path: Path, line: str) -> None:
    sheet = Sheet.of("户册", [row("户册", 户编号="LD-0001")], extra={"A4": line})
    verdict = verdict_of(tmp_path, sheet, name="户册.xlsx")
    assert verdict.status == "valid", [f.message for f in verdict.errors]
    assert [(f.rule, f.cell, f.value) for f in verdict.warnings] == [("SHEET", "A4", line)]


@pytest.mark.parametrize("label", ["合 计", "合\u3000计", "总 计", "全街道合计", "街道合计"])
def test_total_rows_spaced_or_named_for_the_street(tmp_path: Path, label: str) -> None:
    sheet = seed_table_sheet(title="驻点团队联系群众数据统计表（截至2026年11月30日）")
    sheet = dataclasses.replace(sheet, rows=[*sheet.rows, [label, None, 17587, 8711, 8426, 285,
                                                         "49.53%", 2602, 2057]])
    verdict = verdict_of(tmp_path, sheet)
    assert places(verdict.errors) == {("SUM-SPLIT", "社区汇总", "D12")}
    assert [(f.rule, f.row) for f in verdict.warnings if f.rule == "SHEET"] == [("SHEET", 14)]
    assert verdict.sheets[0].rows == 10


def test_a_note_that_says_total_is_a_record_not_a_total_row(tmp_path: Path) -> None:
    notes = ["本社区累计帮扶该户三次", "小 计量表损坏，已报修", "合计走访三次，情况稳定"]
    rows = [row("走访登记", 户编号=f"LD-000{i}", 情况记录=note) for i, note in enumerate(notes, 1)]
    verdict = verdict_of(tmp_path, Sheet.of("走访登记", rows), HOUSEHOLDS)
    assert [f.rule for f in verdict.findings if f.rule == "SHEET"] == []
    assert verdict.sheets[0].rows == 3


def test_a_community_filled_down_beyond_the_last_record_is_no_row(tmp_path: Path) -> None:
    rows = [row("户册", 户编号="LD-0001"), row("户册", 户编号="LD-0002"),
            *({"社区": "龙导", "序号": n} for n in range(3, 9))]
    sheet = Sheet.of("户册", rows, header=["序号", *headers("户册")])
    verdict = verdict_of(tmp_path, sheet, name="户册.xlsx")
    assert (verdict.status, verdict.errors, verdict.warnings) == ("valid", [], [])
    assert verdict.sheets[0].rows == 2


def test_a_sheet_named_after_the_paper_register_is_found(tmp_path: Path) -> None:
    verdict = verdict_of(tmp_path, Sheet.of("接待登记", [row("接待登记")], name="接待登记表"))
    assert [(s.sheet, s.kind, s.rows) for s in verdict.sheets] == [("接待登记表", "接待登记", 1)]


@pytest.mark.parametrize(("name", "kind"), [
    ("工作台帐", "工作台账"), ("龙导社区走访登记", "走访登记"), ("第48周工作台账表", "工作台账"),
    ("龙导户册", "户册"), ("2026年问题台帐", "问题台账")])
def test_sheet_names_as_clerks_spell_them(tmp_path: Path, name: str, kind: str) -> None:
    verdict = verdict_of(tmp_path, Sheet.of(kind, [row(kind)], name=name))
    assert [(s.sheet, s.kind) for s in verdict.sheets] == [(name, kind)]
    assert not [f for f in verdict.findings if f.rule == "SHEET"]


@pytest.mark.parametrize("name", ["上周问题台账", "旧户册", "户册备份", "2025年户册（样表）", "走访登记 (2)"])
def test_a_sheet_kept_for_reference_is_no_ledger(tmp_path: Path, name: str) -> None:
    kind = next(k for k in ("问题台账", "户册", "走访登记") if k in name)
    sheets = [Sheet.of("户册", [row("户册")]), Sheet.of(kind, [row(kind)], name=name)]
    if kind != "户册":  # the plain ledger beside it
        sheets.append(Sheet.of(kind, [row(kind)]))
    verdict = verdict_of(tmp_path, *sheets)
    assert (name, kind) not in [(s.sheet, s.kind) for s in verdict.sheets]
    assert [(f.rule, f.sheet, f.severity) for f in verdict.findings
            if f.rule == "SHEET"] == [("SHEET", name, "警告")]


def test_a_prefixed_sheet_alone_is_the_ledger(tmp_path: Path) -> None:
    # filed on Monday: 上周工作台账 is last week's ledger, no copy of anything
    verdict = verdict_of(tmp_path, Sheet.of("工作台账", [row("工作台账")], name="上周工作台账"))
    assert [(s.sheet, s.kind, s.rows) for s in verdict.sheets] == [("上周工作台账", "工作台账", 1)]
    assert not [f for f in verdict.findings if f.rule == "SHEET"]


def test_a_key_given_in_two_sheets_of_one_ledger_is_a_unique_error(tmp_path: Path) -> None:
    first = Sheet.of("户册", [row("户册", 户编号="LD-0001"), row("户册", 户编号="LD-0002")],
                     name="第1网格户册")
    second = Sheet.of("户册", [row("户册", 户编号="LD-0003"), row("户册", 户编号="ld-0002")],
                      name="第2网格户册")
    verdict = verdict_of(tmp_path, first, second)
    assert [(f.rule, f.sheet, f.cell, f.value) for f in verdict.errors] == [
        ("UNIQUE", "第2网格户册", "C3", "LD-0002")]
    assert "第1网格户册!C3" in verdict.errors[0].message


def test_a_summary_row_given_twice_shows_its_date_as_a_date(tmp_path: Path) -> None:
    verdict = verdict_of(tmp_path, Sheet.of("社区汇总", [row("社区汇总"), row("社区汇总")]))
    [error] = verdict.errors
    assert (error.rule, error.row) == ("UNIQUE", 3)
    assert "“龙导/2026-11-30”" in error.message and "00:00" not in error.message


def test_a_register_row_pasted_into_two_sheets_is_a_warning(tmp_path: Path) -> None:
    day = dt.date(2026, 11, 3)
    first = Sheet.of("接待登记", [row("接待登记", 日期=day), row("接待登记", 日期=day, 来访人数=3)])
    second = Sheet.of("接待登记", [row("接待登记", 日期=day, 来访人数=3)], name="接待登记表")
    verdict = verdict_of(tmp_path, first, second)
    assert verdict.status == "valid"
    assert [(f.rule, f.sheet, f.row) for f in verdict.warnings if f.rule == "UNIQUE"] == [
        ("UNIQUE", "接待登记表", 2)]
    assert "接待登记!A3" in next(f.message for f in verdict.warnings if f.rule == "UNIQUE")


def test_codes_are_one_whatever_their_letters_case(tmp_path: Path) -> None:
    visits = Sheet.of("走访登记", [row("走访登记", 户编号="ld-0001", 问题编号="ld-2026-001")])
    issues = Sheet.of("问题台账", [row("问题台账", 问题编号="LD-2026-001")])
    checked = check_file(write_workbook(tmp_path / "台账.xlsx", HOUSEHOLDS, visits, issues), CONFIG,
                         as_of=AS_OF)
    assert [f.rule for f in checked.verdict.findings] == ["REF-MEMBER"]  # no roster: asked once
    frame = next(t.frame for t in checked.tables if t.ledger == "走访登记")
    assert (frame.iloc[0]["户编号"], frame.iloc[0]["问题编号"]) == ("LD-0001", "LD-2026-001")


def test_checking_ahead_gives_each_file_its_own_verdict_in_order(tmp_path: Path) -> None:
    good = [row("户册", 户编号=f"LD-{i:04d}") for i in range(1, 4)]
    paths = []
    for i in range(5):  # alternately valid and invalid, more files than workers
        rows = good if i % 2 == 0 else [*good, good[0]]  # a repeated 户编号 is an error
        paths.append(write_workbook(tmp_path / f"{i}.xlsx", Sheet.of("户册", rows)))
    one_by_one = [check_file(p, CONFIG, as_of=AS_OF).verdict for p in paths]
    skipped = {paths[3]}
    ahead = list(check_ahead(paths, CONFIG, AS_OF, ahead=3, skip=skipped.__contains__))
    assert [p for p, _ in ahead] == paths
    assert ahead[3][1] is None
    got = [c.verdict.as_json() for p, c in ahead if c is not None]
    assert got == [v.as_json() for i, v in enumerate(one_by_one) if i != 3]
    assert [v.status for v in one_by_one] == ["valid", "invalid"] * 2 + ["valid"]


def test_stopping_early_leaves_no_worker_behind(tmp_path: Path) -> None:
    paths = [write_workbook(tmp_path / f"{i}.xlsx", Sheet.of("户册", [row("户册")])) for i in range(4)]
    before = _children()  # an earlier test's child still ending is none of these
    checks = check_ahead(paths, CONFIG, AS_OF, ahead=3)
    next(checks)
    children = _children() - before
    assert children  # the next files are being read
    checks.close()
    assert not (_children() & children)


def _children() -> set[int]:
    me = str(os.getpid())
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and fields[0] != "Z":
            out.add(int(stat.parent.name))
    return out


def test_a_worker_out_of_memory_says_so_and_the_other_files_go_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.check as check

    greedy = tmp_path / "a_大.xlsx"
    write_workbook(greedy, Sheet.of("户册", [row("户册")]))
    plain = write_workbook(tmp_path / "b_小.xlsx", Sheet.of("户册", [row("户册")]))
    read = check.read_grids

    def out_of_memory(path: Path, *args: object) -> object:
        if path.name == greedy.name:  # what the worker's memory cap makes of a huge sheet
            raise MemoryError
        return read(path, *args)

    monkeypatch.setattr(check, "read_grids", out_of_memory)
    first, second = (checked for _, checked in check_ahead([greedy, plain], CONFIG, AS_OF))
    assert first is not None and second is not None
    assert first.verdict.status == "unreadable"
    assert "内存超限" in first.verdict.findings[0].message  # not "文件无法读取：MemoryError()"
    assert second.verdict.status == "valid"


def test_a_workbook_cut_short_inside_a_sheet_is_explained_in_chinese(tmp_path: Path) -> None:
    import zipfile
    whole = write_workbook(tmp_path / "完整.xlsx", HOUSEHOLDS)
    cut = tmp_path / "龙导_第49周.xlsx"
    with zipfile.ZipFile(whole) as src, zipfile.ZipFile(cut, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data[:len(data) // 2]  # a copy interrupted half way through the sheet
            dst.writestr(item, data)
    verdict = check_file(cut, CONFIG, as_of=AS_OF).verdict
    assert verdict.status == "unreadable"
    [error] = verdict.errors
    assert error.rule == "FILE" and error.message.startswith("无法读取文件：文件内容已损坏或不完整")


def test_a_header_given_twice_is_said_once_and_its_column_is_headed(tmp_path: Path) -> None:
    sheet = Sheet.of("走访登记", [row("走访登记", 户编号="LD-0001")])
    width = len(sheet.header)
    letter = chr(ord("A") + width)
    sheet = dataclasses.replace(sheet, extra={f"{letter}1": "走访人", f"{letter}2": "乙"})
    verdict = verdict_of(tmp_path, sheet, HOUSEHOLDS)
    assert [(f.rule, f.cell) for f in verdict.findings if f.rule == "HEADER"] == [
        ("HEADER", f"{letter}1")]


def test_a_true_false_cell_is_shown_as_excel_shows_it(tmp_path: Path) -> None:
    verdict = verdict_of(tmp_path, Sheet.of("接待登记", [row("接待登记", 来访人数=True)]))
    [error] = verdict.errors
    assert (error.rule, error.value) == ("TYPE", "TRUE") and "“TRUE”" in error.message


def test_a_blank_summary_date_is_pointed_at_where_the_column_is_given(tmp_path: Path) -> None:
    rows = [row("社区汇总", 统计截至日期=None), row("社区汇总", 社区="状元")]
    verdict, dates = summary_as_of(tmp_path, Sheet.of("社区汇总", rows))
    [said] = [f for f in verdict.warnings if f.column == "统计截至日期"]
    assert (said.rule, said.cell, said.row) == ("REQUIRED", "A2", 2)
    assert "第2行" in said.message
    assert dates == [AS_OF, dt.date(2026, 11, 30)]


def test_a_header_merged_across_two_columns_is_one_column(tmp_path: Path) -> None:
    names = headers("户册")
    assert names[-1] == "地址"
    last = chr(ord("A") + len(names) - 1)
    after = chr(ord(last) + 1)
    rows = [[row("户册", 户编号=f"LD-000{i}")[h] for h in names] + [None] for i in (1, 2, 3)]
    rows[1][-2:] = [None, "龙凤路2号"]  # typed into the merge's second column
    rows[2][-2:] = ["龙凤路3号", "201房"]  # an address in two parts: one address
    sheet = Sheet(name="户册", header=[*names, ""], rows=rows, merges=[f"{last}1:{after}1"])
    checked = check_file(write_workbook(tmp_path / "户册.xlsx", sheet), CONFIG, as_of=AS_OF)
    assert (checked.verdict.errors, checked.verdict.warnings) == ([], [])
    frame = checked.tables[0].frame
    assert list(frame["地址"]) == [row("户册")["地址"], "龙凤路2号", "龙凤路3号201房"]


def test_two_values_under_a_merged_header_of_a_plain_field_name_the_second(
        tmp_path: Path) -> None:
    names = headers("户册")
    grid = chr(ord("A") + names.index("网格"))
    after = chr(ord(grid) + 1)
    header = [*names[:names.index("网格") + 1], "", *names[names.index("网格") + 1:]]
    values = row("户册")
    data = [[*(values[h] for h in names[:names.index("网格") + 1]), "第2网格",
             *(values[h] for h in names[names.index("网格") + 1:])]]
    sheet = Sheet(name="户册", header=header, rows=data, merges=[f"{grid}1:{after}1"])
    checked = check_file(write_workbook(tmp_path / "户册.xlsx", sheet), CONFIG, as_of=AS_OF)
    assert [(f.rule, f.cell, f.severity) for f in checked.verdict.findings] == [
        ("HEADER", f"{after}2", "警告")]
    assert checked.tables[0].frame.iloc[0]["网格"] == values["网格"]


def test_two_sum_rules_on_one_cell_are_both_said(tmp_path: Path) -> None:
    # 1100 visited of 1050 households, and 755 + 65 is not 1100 either: fixing one alone
    # would only bring the other to light on the next try
    values = row("社区汇总", **{"总户数(户)": 1050, "已走访户数(户)": 1100, "群众(户)": 755,
                              "企业/工商户(户)": 65, "走访率": None})
    verdict = verdict_of(tmp_path, Sheet.of("社区汇总", [values]))
    assert sorted((f.rule, f.cell) for f in verdict.errors) == [
        ("SUM-BOUND", "E2"), ("SUM-SPLIT", "E2")]


def test_a_hidden_ledger_sheet_is_read_and_said(tmp_path: Path) -> None:
    from openpyxl import load_workbook
    path = write_workbook(tmp_path / "户册.xlsx", HOUSEHOLDS, Sheet.of("走访登记", [row("走访登记")]))
    book = load_workbook(path)
    book["走访登记"].sheet_state = "hidden"
    book.save(path)
    verdict = check_file(path, CONFIG, as_of=AS_OF).verdict
    assert verdict.status == "valid"
    assert [(f.rule, f.sheet) for f in verdict.warnings if f.rule == "SHEET"] == [
        ("SHEET", "走访登记")]
    assert "隐藏" in next(f.message for f in verdict.warnings if f.rule == "SHEET")
    assert [(s.sheet, s.rows) for s in verdict.sheets] == [("户册", 9), ("走访登记", 1)]


def test_a_typed_out_text_mark_is_no_part_of_a_value(tmp_path: Path) -> None:
    visits = Sheet.of("走访登记", [row("走访登记", 日期="'2026-11-03", 户编号="'LD-0003", 人数="'2",
                                         情况记录="'引号开头的记录")])
    checked = check_file(write_workbook(tmp_path / "走访.xlsx", visits, HOUSEHOLDS), CONFIG,
                         as_of=AS_OF)
    assert checked.verdict.errors == []
    frame = next(t.frame for t in checked.tables if t.ledger == "走访登记")
    assert (frame.iloc[0]["日期"].date(), frame.iloc[0]["户编号"], frame.iloc[0]["人数"]) == (
        dt.date(2026, 11, 3), "LD-0003", 2)
    assert frame.iloc[0]["情况记录"] == "'引号开头的记录"  # prose keeps what was written

