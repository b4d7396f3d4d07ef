"""The nightly run: a master that never loses or double-counts a record (pipeline.nightly)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from pipeline import cli, nightly
from pipeline.lock import run_lock
from pipeline.store import Master, scope_of, table_name
from pipeline.workspace import Workspace
from tests.builders import Sheet, row, write_workbook

AS_OF = dt.date(2026, 12, 1)
ROOT = Path(__file__).resolve().parent.parent


def roster_rows(community: str = "龙导") -> list[dict]:
    return [
        row("团队名册", 社区=community),
        row("团队名册", 社区=community, 姓名="陈联络", 团队职务="联络员", 身份="街道中层干部"),
        row("团队名册", 社区=community, 姓名="王成员", 团队职务="成员", 身份="党员干部"),
        row("团队名册", 社区=community, 团队="辅助团队", 姓名="赵书记", 身份="社区两委"),
        row("团队名册", 社区=community, 团队="辅助团队", 姓名="钱委员", 团队职务="联络员",
            身份="社区两委"),
    ]


def households(n: int, community: str = "龙导") -> list[dict]:
    return [row("户册", 社区=community, 户编号=f"LD-{i:04d}",
                类型="居民户" if i % 5 else "个体工商户") for i in range(1, n + 1)]


def visits(ids: list[int], day: dt.date) -> list[dict]:
    return [row("走访登记", 日期=day, 户编号=f"LD-{i:04d}") for i in ids]


def base_workbook(path: Path) -> Path:
    return write_workbook(path, Sheet.of("团队名册", roster_rows()), Sheet.of("户册", households(20)),
                          Sheet.of("问题台账", [row("问题台账")]))


def run(ws: Workspace, as_of: dt.date = AS_OF) -> nightly.RunSummary:
    return nightly.run_nightly(ws, as_of=as_of, out=open(os.devnull, "w"))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws").ensure()


def test_accept_reject_and_duplicate(ws: Workspace) -> None:
    base_workbook(ws.inbox / "01_基础.xlsx")
    write_workbook(ws.inbox / "02_走访.xlsx", Sheet.of("走访登记", visits([1, 2, 2, 3], AS_OF)))
    write_workbook(ws.inbox / "03_错.xlsx", Sheet.of("走访登记", visits([1, 99], AS_OF)))
    os.utime(ws.inbox / "02_走访.xlsx", ns=(2, 2))  # order: oldest first
    os.utime(ws.inbox / "01_基础.xlsx", ns=(1, 1))
    summary = run(ws)
    assert [(f.name, f.status) for f in summary.files] == [
        ("01_基础.xlsx", "accepted"), ("02_走访.xlsx", "accepted"), ("03_错.xlsx", "rejected")]
    assert summary.merged_rows == {"团队名册": 5, "户册": 20, "问题台账": 1, "走访登记": 4}
    assert list(ws.inbox.iterdir()) == []
    assert len(list(ws.archive.rglob("*.xlsx"))) == 3
    assert summary.files[2].feedback == "outbox/feedback/龙导/03_错.json"
    verdict = json.loads((ws.root / summary.files[2].feedback).read_text("utf-8"))
    assert [(e["rule"], e["cell"], e["value"]) for e in verdict["errors"]] == [
        ("REF-HOUSEHOLD", "D3", "LD-0099")]
    latest = json.loads((ws.runs / "latest.json").read_text("utf-8"))
    assert latest["as_of"] == "2026-12-01"
    assert [f["status"] for f in latest["files"]] == ["accepted", "accepted", "rejected"]
    assert latest["merged_rows"]["走访登记"] == 4 and latest["replaced_rows"]["走访登记"] == 0

    # the same bytes again: duplicates, nothing merged twice; the rejected one merged
    # nothing and is checked again (still wrong)
    for f in ws.archive.rglob("*.xlsx"):
        (ws.inbox / f.name.split("_", 1)[1]).write_bytes(f.read_bytes())
    again = run(ws)
    assert sorted((f.name, f.status) for f in again.files) == [
        ("01_基础.xlsx", "duplicate"), ("02_走访.xlsx", "duplicate"), ("03_错.xlsx", "rejected")]
    assert sum(again.merged_rows.values()) == 0
    with Master(ws.master) as master:
        assert len(master.current("走访登记")) == 4
        assert len(master.submissions()) == 6
    resent_wrong = next(f for f in again.files if f.name == "03_错.xlsx")
    wrong = json.loads((ws.root / resent_wrong.feedback).read_text("utf-8"))
    assert [e["rule"] for e in wrong["errors"]] == ["REF-HOUSEHOLD"] and wrong["warnings"] == []
    # each duplicate has its report: the earlier verdict, opening with a note that it came before
    visits_again = next(f for f in again.files if f.name == "02_走访.xlsx")
    assert visits_again.feedback == "outbox/feedback/龙导/02_走访.json"
    report = json.loads((ws.root / visits_again.feedback).read_text("utf-8"))
    assert report["file"] == "02_走访.xlsx" and report["status"] == "valid"
    assert report["warnings"][0]["rule"] == "FILE" and "内容完全相同" in report["warnings"][0]["message"]
    # the run summary counts what the report says
    assert (visits_again.errors, visits_again.warnings) == (0, len(report["warnings"])) == (0, 1)
    latest = json.loads((ws.runs / "latest.json").read_text("utf-8"))
    assert {f["name"]: (f["errors"], f["warnings"]) for f in latest["files"]}["02_走访.xlsx"] == (0, 1)

    # under another name, in one run with its twin: both have a report of their own
    write_workbook(ws.inbox / "04_走访.xlsx", Sheet.of("走访登记", visits([5], AS_OF)))
    (ws.inbox / "04_走访_再交.xlsx").write_bytes((ws.inbox / "04_走访.xlsx").read_bytes())
    os.utime(ws.inbox / "04_走访.xlsx", ns=(1, 1))
    twins = run(ws)
    assert [(f.name, f.status, f.feedback) for f in twins.files] == [
        ("04_走访.xlsx", "accepted", "outbox/feedback/龙导/04_走访.json"),
        ("04_走访_再交.xlsx", "duplicate", "outbox/feedback/龙导/04_走访_再交.json")]
    resent = json.loads((ws.root / twins.files[1].feedback).read_text("utf-8"))
    assert (resent["file"], resent["status"], resent["errors"]) == ("04_走访_再交.xlsx", "valid", [])
    assert "04_走访.xlsx" in resent["warnings"][0]["message"]
    page = (ws.feedback / "龙导" / "04_走访_再交.html").read_text("utf-8")
    assert "结论：<strong>重复提交，不再合并</strong>" in page and "将被采用" not in page
    assert "结论：<strong>通过</strong>" in (ws.feedback / "龙导" / "04_走访.html").read_text("utf-8")
    assert sum(twins.merged_rows.values()) == 1


def test_a_rejected_register_sent_again_after_its_households_is_taken(ws: Workspace) -> None:
    base_workbook(ws.inbox / "01_基础.xlsx")
    write_workbook(ws.inbox / "02_走访.xlsx", Sheet.of("走访登记", visits([20, 21], AS_OF)))
    os.utime(ws.inbox / "01_基础.xlsx", ns=(1, 1))
    first = run(ws)
    assert [f.status for f in first.files] == ["accepted", "rejected"]  # LD-0021 is not in 户册
    register = next(ws.archive.rglob("*_02_走访.xlsx")).read_bytes()
    # as its message says: the 户册 with that household first, then the same register again
    write_workbook(ws.inbox / "03_户册.xlsx", Sheet.of("户册", households(21)))
    (ws.inbox / "04_走访.xlsx").write_bytes(register)
    os.utime(ws.inbox / "03_户册.xlsx", ns=(1, 1))
    second = run(ws)
    assert [(f.name, f.status) for f in second.files] == [("03_户册.xlsx", "accepted"),
                                                          ("04_走访.xlsx", "accepted")]
    assert second.merged_rows["走访登记"] == 2
    (ws.inbox / "05_走访.xlsx").write_bytes(register)  # a third time: merged already
    assert [f.status for f in run(ws).files] == ["duplicate"]
    with Master(ws.master) as master:
        assert sorted(master.current("走访登记")["户编号"]) == ["LD-0020", "LD-0021"]


def test_corrected_resubmission_replaces_the_weeks_it_covers(ws: Workspace) -> None:
    base_workbook(ws.inbox / "基础.xlsx")
    tue, next_tue = dt.date(2026, 11, 17), dt.date(2026, 11, 24)
    write_workbook(ws.inbox / "走访v1.xlsx",
                   Sheet.of("走访登记", visits([1, 2, 3], tue) + visits([4], next_tue)))
    run(ws)
    # the corrected file covers only the week of 17 November: it replaces those 3 rows
    write_workbook(ws.inbox / "走访v2.xlsx", Sheet.of("走访登记", visits([1, 2], tue)))
    summary = run(ws)
    assert summary.merged_rows == {"走访登记": 2} and summary.replaced_rows == {"走访登记": 3}
    with Master(ws.master) as master:
        current = master.current("走访登记")
        assert sorted(current["户编号"]) == ["LD-0001", "LD-0002", "LD-0004"]
        assert len(master.history("走访登记")) == 6


def test_a_snapshot_much_shorter_than_the_one_it_replaces_is_questioned(ws: Workspace) -> None:
    base_workbook(ws.inbox / "01_基础.xlsx")  # 20 households
    run(ws)
    write_workbook(ws.inbox / "02_新增.xlsx", Sheet.of("户册", households(3)))
    write_workbook(ws.inbox / "03_整户册.xlsx", Sheet.of("户册", households(12)))
    os.utime(ws.inbox / "02_新增.xlsx", ns=(1, 1))
    summary = run(ws)
    assert [f.status for f in summary.files] == ["accepted", "accepted"]  # taken all the same
    short, whole = (feedback_of(ws, f) for f in summary.files)
    assert [(w["rule"], w["cell"]) for w in short["warnings"]] == [("SHEET", "A2")]
    assert "只有3户，系统中现有20户" in short["warnings"][0]["message"]
    assert whole["warnings"] == []  # 12 of 3 held: no shrink


def test_public_text_holding_what_the_master_knows_of_a_resident_is_refused(
        ws: Workspace) -> None:
    write_workbook(ws.inbox / "01_基础.xlsx", Sheet.of("团队名册", roster_rows()),
                   Sheet.of("户册", [row("户册", 户编号="LD-0001", 地址="龙凤路27栋303房"),
                                     row("户册", 户编号="LD-0002", 类型="驻社区单位",
                                         地址="宝岗大道南123号")]),
                   Sheet.of("接待登记", [row("接待登记", 来访人=who) for who in (
                       "江敏国", "物业公司", "楼长", "高峰", "周平")]),
                   Sheet.of("问题台账", [row("问题台账", 反映人="赵秀娟"),
                                         row("问题台账", 问题编号="LD-2026-009", 反映人="网格员")]))
    run(ws)
    written = {"LD-2026-002": "修复龙凤路27栋303房漏水",  # an address of the 户册
               "LD-2026-003": "为江敏国家更换水管",        # a 来访人 of 接待登记
               "LD-2026-004": "秀娟阿姨家门口路灯已修复",   # another issue's 反映人, by given name
               "LD-2026-005": "陈联络带队清理3巷杂物",      # a team member: public
               # posts, groups, two-character names that are words, a unit's address: public
               "LD-2026-006": "督促物业公司更换3栋楼道灯，楼长协助", "LD-2026-007": "网格员巡查后修复路面",
               "LD-2026-008": "避开用水高峰时段，每周平均清运三次", "LD-2026-010": "宝岗大道南123号门前积水已清"}
    issues = [row("问题台账", 问题编号=key, 反映人="匿名", 联系电话=None, 公开摘要=text)
              for key, text in written.items()]
    schedule = row("驻点安排", 驻点日期=dt.date(2026, 12, 29), 安排类型="变更",
                   变更说明="改到赵秀娟家楼下", 驻点地点="龙导社区党群服务中心")
    write_workbook(ws.inbox / "02_问题.xlsx", Sheet.of("问题台账", issues),
                   Sheet.of("驻点安排", [schedule]))
    [result] = run(ws).files
    report = feedback_of(ws, result)
    assert result.status == "rejected"
    assert [(e["rule"], e["sheet"], e["cell"]) for e in report["errors"]] == [
        ("FORMAT", "问题台账", "S2"), ("FORMAT", "问题台账", "S3"), ("FORMAT", "问题台账", "S4"),
        ("FORMAT", "驻点安排", "J2")]
    assert "本社区群众的姓名或户册中的住址" in report["errors"][0]["message"]


def test_a_month_file_replacing_a_week_begun_last_month_says_which_days_go(
        ws: Workspace) -> None:
    base_workbook(ws.inbox / "01_基础.xlsx")
    write_workbook(ws.inbox / "02_十一月.xlsx", Sheet.of("走访登记", [
        *visits([1], dt.date(2026, 11, 27)), *visits([2, 3], dt.date(2026, 11, 30))]))
    os.utime(ws.inbox / "01_基础.xlsx", ns=(1, 1))
    run(ws, as_of=dt.date(2026, 12, 3))
    # December's file: 2026-W49 runs from Monday 30 November to 6 December
    write_workbook(ws.inbox / "03_十二月.xlsx", Sheet.of("走访登记", visits([4], dt.date(2026, 12, 1))))
    [result] = run(ws, as_of=dt.date(2026, 12, 3)).files
    assert result.status == "accepted"  # DOMAIN's scope, taken as it says
    [warning] = feedback_of(ws, result)["warnings"]
    assert (warning["rule"], warning["cell"], warning["value"]) == ("SHEET", "A2", "2026-W49")
    assert "2026-11-30的2条不在本表中" in warning["message"]
    with Master(ws.master) as master:
        assert sorted(master.current("走访登记")["户编号"]) == ["LD-0001", "LD-0004"]
    # a week split over two sheets of one file: every day it lists stays, nothing to say
    write_workbook(ws.inbox / "04_两个网格.xlsx",
                   Sheet.of("走访登记", visits([5], dt.date(2026, 11, 30)), name="第1网格走访登记"),
                   Sheet.of("走访登记", visits([6], dt.date(2026, 12, 1)), name="第2网格走访登记"))
    [split] = run(ws, as_of=dt.date(2026, 12, 3)).files
    assert [w["rule"] for w in feedback_of(ws, split)["warnings"]] == ["SHEET"]  # the two sheets
    # the same week in two sheets, a day neither lists: said once, on the first sheet
    write_workbook(ws.inbox / "05_又一次.xlsx",
                   Sheet.of("走访登记", visits([7], dt.date(2026, 12, 2)), name="第1网格走访登记"),
                   Sheet.of("走访登记", visits([8], dt.date(2026, 12, 2)), name="第2网格走访登记"))
    [again] = run(ws, as_of=dt.date(2026, 12, 3)).files
    said = [(w["sheet"], w["value"]) for w in feedback_of(ws, again)["warnings"]
            if "将被删除" in w["message"]]
    assert said == [("第1网格走访登记", "2026-W49")]


def test_two_sheets_of_one_kind_in_a_workbook_both_count(ws: Workspace) -> None:
    write_workbook(ws.inbox / "01_基础.xlsx", Sheet.of("团队名册", roster_rows()),
                   Sheet.of("户册", households(20)))
    run(ws)
    day = dt.date(2026, 11, 3)  # the same week in both sheets: neither replaces the other
    write_workbook(ws.inbox / "02_走访.xlsx", Sheet.of("走访登记", visits([1], day)),
                   Sheet.of("走访登记", visits([2, 3], day), name="走访登记表"))
    summary = run(ws)
    assert (summary.files[-1].status, summary.merged_rows["走访登记"],
            summary.replaced_rows["走访登记"]) == ("accepted", 3, 0)
    [warning] = feedback_of(ws, summary.files[-1])["warnings"]
    assert (warning["rule"], warning["sheet"]) == ("SHEET", "走访登记表")
    assert "“走访登记”" in warning["message"]
    with Master(ws.master) as master:
        assert sorted(master.current("走访登记")["户编号"]) == ["LD-0001", "LD-0002", "LD-0003"]
    write_workbook(ws.inbox / "03_更正.xlsx", Sheet.of("走访登记", visits([4], day)))
    run(ws)  # a later file still replaces the week, both sheets' rows
    with Master(ws.master) as master:
        assert sorted(master.current("走访登记")["户编号"]) == ["LD-0004"]


def test_a_file_name_as_long_as_the_system_allows_is_taken(ws: Workspace) -> None:
    long_name = "龙导社区" * 20 + "第48周.xlsx"
    assert len(long_name.encode()) == 253  # legal; with the archive's sha prefix it is not
    sent = base_workbook(ws.inbox / long_name).read_bytes()
    write_workbook(ws.inbox / "02_走访.xlsx", Sheet.of("走访登记", visits([1], AS_OF)))
    os.utime(ws.inbox / long_name, ns=(1, 1))
    summary = run(ws)
    assert [(f.name, f.status) for f in summary.files] == [(long_name, "accepted"),
                                                          ("02_走访.xlsx", "accepted")]
    [archived] = [p for p in ws.archive.rglob("*.xlsx") if "龙导社区" in p.name]
    assert len(archived.name.encode()) == 255 and archived.suffix == ".xlsx"  # cut, not refused
    assert archived.name.startswith(summary.files[0].sha256[:12]) and archived.read_bytes() == sent
    assert (ws.root / summary.files[0].feedback).exists()
    assert list(ws.inbox.iterdir()) == []


def test_unreadable_files_report_where_their_clerks_look(ws: Workspace) -> None:
    (ws.inbox / "报表.xlsx").write_bytes(b"not a zip")
    (ws.inbox / "报表.csv").write_text("社区,户编号\n龙导,LD-0001\n", encoding="utf-8")
    (ws.inbox / "龙导_第48周.xlsx").write_bytes(b"not a zip either")
    (ws.inbox / "龙导和状元合报.xlsx").write_bytes(b"names two communities")
    summary = run(ws)
    assert all(f.status == "rejected" for f in summary.files)
    assert sorted(f.feedback for f in summary.files) == [  # one report each, none overwritten
        "outbox/feedback/未识别/报表.csv.json", "outbox/feedback/未识别/报表.json",
        "outbox/feedback/未识别/龙导和状元合报.json", "outbox/feedback/龙导/龙导_第48周.json"]
    for f in summary.files:
        assert json.loads((ws.root / f.feedback).read_text("utf-8"))["file"] == f.name


def test_roster_snapshot_and_issue_history(ws: Workspace) -> None:
    base_workbook(ws.inbox / "基础.xlsx")
    run(ws)
    new_roster = roster_rows()[:2] + roster_rows()[3:] + [
        row("团队名册", 姓名="孙新人", 团队职务="成员", 身份="志愿者")]
    closed = row("问题台账", 办理状态="已办结", 办结日期=dt.date(2026, 11, 8), 办理结果="已更换",
                 反馈日期=dt.date(2026, 11, 9), 群众评价="满意")
    write_workbook(ws.inbox / "更新.xlsx", Sheet.of("团队名册", new_roster),
                   Sheet.of("问题台账", [closed]))
    summary = run(ws)
    assert summary.replaced_rows == {"团队名册": 5, "问题台账": 1}
    with Master(ws.master) as master:
        names = set(master.current("团队名册")["姓名"])
        assert "孙新人" in names and "王成员" not in names
        issues = master.current("问题台账")
        assert issues["办理状态"].tolist() == ["已办结"]
        assert master.history("问题台账")["办理状态"].tolist() == ["办理中", "已办结"]
        changes = master.changes("问题台账")
        assert len(changes) == 2 and changes["old_row"].isna().tolist() == [True, False]


def test_an_issue_logged_twice_in_one_sheet_keeps_the_later_row(ws: Workspace) -> None:
    # a clerk logs progress as a new row: the later row is the issue now, the earlier history
    closed = row("问题台账", 办理状态="已办结", 办结日期=dt.date(2026, 11, 8), 办理结果="已更换",
                 反馈日期=dt.date(2026, 11, 9))
    write_workbook(ws.inbox / "问题.xlsx", Sheet.of("问题台账", [row("问题台账"), closed]))
    [result] = run(ws).files
    assert result.status == "accepted"
    [warning] = feedback_of(ws, result)["warnings"]
    assert (warning["rule"], warning["cell"]) == ("UNIQUE", "A3") and "第2行" in warning["message"]
    with Master(ws.master) as master:
        assert master.current("问题台账")["办理状态"].tolist() == ["已办结"]
        assert master.history("问题台账")["办理状态"].tolist() == ["办理中", "已办结"]


def test_escalation_downwards_is_a_warning(ws: Workspace) -> None:
    write_workbook(ws.inbox / "a.xlsx", Sheet.of("问题台账", [row("问题台账", 办理层级="街道")]))
    run(ws)
    write_workbook(ws.inbox / "b.xlsx", Sheet.of("问题台账", [row("问题台账", 办理层级="驻点团队")]))
    summary = run(ws)
    assert summary.files[0].status == "accepted" and summary.files[0].warnings == 1
    assert summary.findings["ISSUE-ESCALATION"] == 1


def summary_row(as_of: dt.date, **figures: int) -> dict:
    headers = {"visited": "已走访户数(户)", "residents": "群众(户)", "businesses": "企业/工商户(户)",
               "received": "接待群众数(人次)", "outgoing": "联系外出人员(人)"}
    return row("社区汇总", 统计截至日期=as_of, **{headers[k]: v for k, v in figures.items()})


def feedback_of(ws: Workspace, result: nightly.FileResult) -> dict:
    assert result.feedback is not None
    return json.loads((ws.root / result.feedback).read_text("utf-8"))


def monotone_cells(ws: Workspace, result: nightly.FileResult) -> list[tuple[str, str, str]]:
    """(column, cell, value) of the file's SUM-MONOTONE warnings, from its feedback."""
    return [(w["column"], w["cell"], w["value"]) for w in feedback_of(ws, result)["warnings"]
            if w["rule"] == "SUM-MONOTONE"]


def test_cumulative_figures_falling_since_the_last_report_are_a_warning(ws: Workspace) -> None:
    write_workbook(ws.inbox / "11月.xlsx", Sheet.of("社区汇总", [
        summary_row(dt.date(2026, 10, 31), visited=800, residents=740, businesses=60)]))
    run(ws)
    # a month later 已走访 fell from 800 to 790; 接待 (320) and 外出 (58) did not
    write_workbook(ws.inbox / "12月.xlsx", Sheet.of("社区汇总", [
        summary_row(dt.date(2026, 11, 30), visited=790, residents=730, businesses=60)]))
    later = run(ws).files[0]
    assert later.status == "accepted"
    assert monotone_cells(ws, later) == [("已走访户数(户)", "E2", "790"), ("群众(户)", "F2", "730")]
    # a new year starts again from zero
    write_workbook(ws.inbox / "1月.xlsx", Sheet.of("社区汇总", [
        summary_row(dt.date(2027, 1, 31), visited=40, residents=40, businesses=0, received=3,
                    outgoing=1)]))
    assert run(ws, dt.date(2027, 2, 1)).findings.get("SUM-MONOTONE", 0) == 0


def test_a_fall_within_one_sheet_is_a_warning(ws: Workspace) -> None:
    # one sheet, two reports of the year: 已走访 falls from 820 to 700 between them
    write_workbook(ws.inbox / "两期.xlsx", Sheet.of("社区汇总", [
        summary_row(dt.date(2026, 10, 31), visited=820, residents=755, businesses=65),
        summary_row(dt.date(2026, 11, 30), visited=700, residents=640, businesses=60)]))
    first = run(ws).files[0]
    assert monotone_cells(ws, first) == [
        ("已走访户数(户)", "E3", "700"), ("群众(户)", "F3", "640"), ("企业/工商户(户)", "G3", "60")]


def test_a_back_dated_report_above_a_later_one_is_a_warning(ws: Workspace) -> None:
    write_workbook(ws.inbox / "两期.xlsx", Sheet.of("社区汇总", [
        summary_row(dt.date(2026, 10, 31), visited=600, residents=550, businesses=50),
        summary_row(dt.date(2026, 11, 30), visited=700, residents=640, businesses=60)]))
    run(ws)
    # 15 November, sent late, with more than the master's 30 November: named as such
    write_workbook(ws.inbox / "补报.xlsx", Sheet.of("社区汇总", [
        summary_row(dt.date(2026, 11, 15), visited=750, residents=690, businesses=60)]))
    late = run(ws).files[0]
    assert late.status == "accepted"
    assert monotone_cells(ws, late) == [("已走访户数(户)", "E2", "750"), ("群众(户)", "F2", "690")]
    first = next(w for w in feedback_of(ws, late)["warnings"] if w["rule"] == "SUM-MONOTONE")
    assert "之后报送的700（截至2026-11-30）多" in first["message"]


def test_a_cited_issue_is_looked_up_in_the_file_then_the_master(ws: Workspace) -> None:
    base_workbook(ws.inbox / "基础.xlsx")  # 问题台账 LD-2026-001
    run(ws)
    write_workbook(ws.inbox / "走访.xlsx", Sheet.of("走访登记", [
        row("走访登记", 问题编号="LD-2026-001"),          # known from the master
        row("走访登记", 户编号="LD-0002", 问题编号="LD-2026-002"),   # in this file
        row("走访登记", 户编号="LD-0003", 问题编号="LD-2026-404")]),  # nowhere
        Sheet.of("问题台账", [row("问题台账", 问题编号="LD-2026-002")]))
    result = run(ws).files[0]
    assert result.status == "accepted"
    assert [(w["rule"], w["cell"], w["value"]) for w in feedback_of(ws, result)["warnings"]] == [
        ("REF-ISSUE", "I4", "LD-2026-404")]


def test_an_unknown_level_for_a_known_issue_is_a_choice_error_not_a_crash(ws: Workspace) -> None:
    write_workbook(ws.inbox / "a.xlsx", Sheet.of("问题台账", [row("问题台账", 办理层级="街道")]))
    run(ws)
    write_workbook(ws.inbox / "b.xlsx", Sheet.of("问题台账", [row("问题台账", 办理层级="区级部门")]))
    result = run(ws).files[0]
    assert result.status == "rejected"
    assert [(e["rule"], e["value"]) for e in feedback_of(ws, result)["errors"]] == [
        ("CHOICE", "区级部门")]


def test_a_failure_in_the_rules_needing_the_master_rejects_one_file(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import check

    def broken(tables: list, master: object, earlier: object = ()) -> list:
        if any(t.ledger == "走访登记" for t in tables):
            raise KeyError("a bug of ours")
        return []

    monkeypatch.setattr(check, "check_references", broken)
    base_workbook(ws.inbox / "01_基础.xlsx")
    write_workbook(ws.inbox / "02_走访.xlsx", Sheet.of("走访登记", visits([1], AS_OF)))
    os.utime(ws.inbox / "01_基础.xlsx", ns=(1, 1))
    summary = run(ws)
    assert [(f.name, f.status) for f in summary.files] == [
        ("01_基础.xlsx", "accepted"), ("02_走访.xlsx", "rejected")]
    [error] = feedback_of(ws, summary.files[1])["errors"]
    assert error["rule"] == "FILE" and "这不是您的错误" in error["message"]


def test_a_run_that_fails_midway_leaves_no_report_and_keeps_the_inbox(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    write_workbook(ws.inbox / "01_基础.xlsx", Sheet.of("团队名册", roster_rows()),
                   Sheet.of("户册", households(20)), Sheet("杂项", ["备注"], [["不是台账"]]))
    write_workbook(ws.inbox / "02_走访.xlsx", Sheet.of("走访登记", visits([1, 2], AS_OF)))
    os.utime(ws.inbox / "01_基础.xlsx", ns=(1, 1))
    merge = Master.merge

    def failing(self: Master, submission_id: int, ledger: str, sheet: str,
                frame: pd.DataFrame) -> object:
        if ledger == "走访登记":  # the second file: the first is merged, its report written
            raise OSError(28, "No space left on device")
        return merge(self, submission_id, ledger, sheet, frame)

    monkeypatch.setattr(Master, "merge", failing)
    with pytest.raises(OSError):
        run(ws)
    assert sorted(p.name for p in ws.inbox.iterdir()) == ["01_基础.xlsx", "02_走访.xlsx"]
    assert [p for p in ws.feedback.rglob("*") if p.is_file()] == []  # no report, no stray
    with Master(ws.master) as master:
        assert master.submissions().empty

    monkeypatch.setattr(Master, "merge", merge)
    summary = run(ws)
    assert [(f.name, f.status) for f in summary.files] == [
        ("01_基础.xlsx", "accepted"), ("02_走访.xlsx", "accepted")]
    assert [len(feedback_of(ws, f)["warnings"]) for f in summary.files] == [1, 0]
    assert (ws.feedback / "龙导" / "01_基础_批注.xlsx").exists()
    assert list(ws.inbox.iterdir()) == []


def test_a_failed_commit_leaves_the_earlier_reports_and_the_inbox(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    write_workbook(ws.inbox / "01_基础.xlsx", Sheet.of("团队名册", roster_rows()),
                   Sheet.of("户册", households(20)))
    first = run(ws)
    report = ws.root / first.files[0].feedback
    before = report.read_bytes()
    write_workbook(ws.inbox / "01_基础.xlsx", Sheet.of("团队名册", roster_rows()),
                   Sheet.of("户册", households(12)))  # the same name, sent again changed

    @contextlib.contextmanager
    def commit_fails(self: Master) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        yield
        self.db.execute("ROLLBACK")  # what SQLite does when its COMMIT cannot write
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Master, "transaction", commit_fails)
    with pytest.raises(sqlite3.OperationalError):
        run(ws)
    assert report.read_bytes() == before  # no report of a verdict the master does not hold
    assert [p.name for p in ws.inbox.iterdir()] == ["01_基础.xlsx"]
    with Master(ws.master) as master:
        assert len(master.submissions()) == 1


def test_a_file_still_arriving_when_taken_stays_for_the_next_run(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = base_workbook(tmp_path / "基础.xlsx").read_bytes()
    inbox_file = ws.inbox / "基础.xlsx"
    inbox_file.write_bytes(whole[: len(whole) // 2])  # a slow copy, half there
    take = nightly._take

    def copy_goes_on(*args: object, **kwargs: object) -> nightly.FileResult:
        result = take(*args, **kwargs)  # type: ignore[arg-type]
        inbox_file.write_bytes(whole)  # the rest arrives while the run goes on
        return result

    monkeypatch.setattr(nightly, "_take", copy_goes_on)
    out = io.StringIO()
    first = nightly.run_nightly(ws, as_of=AS_OF, out=out)
    assert [f.status for f in first.files] == ["rejected"]  # what was there: half a workbook
    assert inbox_file.read_bytes() == whole  # the whole one is not deleted with it
    assert "下次运行再处理" in out.getvalue()
    monkeypatch.undo()
    second = run(ws)
    assert [f.status for f in second.files] == ["accepted"]
    assert list(ws.inbox.iterdir()) == []


def test_a_folder_dropped_into_the_inbox_is_taken_with_its_files(ws: Workspace) -> None:
    (ws.inbox / "第48周").mkdir()
    base_workbook(ws.inbox / "第48周" / "龙导.xlsx")
    (ws.inbox / "第48周" / "~$龙导.xlsx").write_bytes(b"Excel's lock file")  # waits
    summary = run(ws)
    assert [(f.name, f.status) for f in summary.files] == [("龙导.xlsx", "accepted")]
    assert [p.name for p in ws.inbox.rglob("*")] == ["第48周", "~$龙导.xlsx"]
    (ws.inbox / "第48周" / "~$龙导.xlsx").unlink()
    run(ws)
    assert [p.name for p in ws.inbox.iterdir()] == ["第48周"]  # just emptied: a clerk's, for now
    os.utime(ws.inbox / "第48周", (time.time() - 7200,) * 2)
    run(ws)
    assert list(ws.inbox.iterdir()) == []  # left alone for an hour, the empty folder goes


def test_a_dropped_folders_system_files_stay_unread_and_go_with_it(ws: Workspace) -> None:
    folder = ws.inbox / "第48周"
    folder.mkdir()
    base_workbook(folder / "龙导.xlsx")
    for name in ("Thumbs.db", "desktop.ini"):
        (folder / name).write_bytes(b"\x00system")
    (ws.inbox / "新建文件夹").mkdir()  # a clerk about to copy into it: nothing taken from it
    summary = run(ws)
    assert [(f.name, f.status) for f in summary.files] == [("龙导.xlsx", "accepted")]
    assert [p.name for p in ws.inbox.iterdir()] == ["新建文件夹"]


def test_a_file_named_in_gbk_bytes_is_taken_under_its_chinese_name(ws: Workspace) -> None:
    # unzipped on Linux from an archive made on a Chinese Windows PC: the name is GBK bytes
    gbk = os.fsdecode("龙导_第48周.xlsx".encode("gbk"))
    base_workbook(ws.inbox / gbk)
    write_workbook(ws.inbox / "02_走访.xlsx", Sheet.of("走访登记", visits([1], AS_OF)))
    os.utime(ws.inbox / gbk, ns=(1, 1))
    summary = run(ws)  # one odd name stopped every night
    assert [(f.name, f.status) for f in summary.files] == [
        ("龙导_第48周.xlsx", "accepted"), ("02_走访.xlsx", "accepted")]
    assert summary.files[0].feedback == "outbox/feedback/龙导/龙导_第48周.json"
    assert [p.name.split("_", 1)[1] for p in ws.archive.rglob("*.xlsx")
            if "龙导" in p.name] == ["龙导_第48周.xlsx"]
    assert list(ws.inbox.iterdir()) == []
    assert json.loads((ws.runs / "latest.json").read_text("utf-8"))["files"][0]["name"] == \
        "龙导_第48周.xlsx"


def test_a_clean_macro_workbooks_copy_keeps_its_extension(ws: Workspace) -> None:
    base_workbook(ws.inbox / "基础.xlsm")
    [result] = run(ws).files
    assert result.status == "accepted"
    copies = sorted(p.name for p in (ws.feedback / "龙导").glob("*批注*"))
    assert copies == ["基础.xlsm_批注.xlsm"]  # Excel refuses macros behind .xlsx
    assert "基础.xlsm_批注.xlsm" in (ws.root / result.feedback).with_suffix(".html").read_text(
        "utf-8")


def test_an_unreadable_file_in_a_communitys_folder_is_reported_there(ws: Workspace) -> None:
    (ws.inbox / "状元社区").mkdir()
    (ws.inbox / "状元社区" / "第48周.xlsx").write_bytes(b"not a workbook")
    [result] = run(ws).files
    assert (result.status, result.feedback) == ("rejected", "outbox/feedback/状元/第48周.json")


def test_validate_reads_a_file_named_in_gbk_bytes(tmp_path: Path, ws: Workspace,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    gbk = tmp_path / os.fsdecode("龙导_第48周.xlsx".encode("gbk"))
    base_workbook(gbk)  # calamine opens UTF-8 paths only
    missing = tmp_path / os.fsdecode("没有.xlsx".encode("gbk"))
    assert cli.main(["validate", str(gbk), "--root", str(ws.root), "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert (verdict["file"], verdict["status"]) == ("龙导_第48周.xlsx", "valid")
    assert cli.main(["validate", str(missing), "--root", str(ws.root), "--json"]) == 2
    assert "没有.xlsx" in json.loads(capsys.readouterr().out)["errors"][0]["message"]


def test_files_of_one_name_in_two_folders_each_keep_their_report(ws: Workspace) -> None:
    (ws.inbox / "补交").mkdir()
    write_workbook(ws.inbox / "台账.xlsx", Sheet.of("团队名册", roster_rows()[:1]))  # TEAM-HEAD
    base_workbook(ws.inbox / "补交" / "台账.xlsx")
    os.utime(ws.inbox / "补交" / "台账.xlsx", (1, 1))  # oldest: taken first
    summary = run(ws)
    assert [(f.status, f.feedback) for f in summary.files] == [
        ("accepted", "outbox/feedback/龙导/台账.json"),
        ("rejected", "outbox/feedback/龙导/台账（2）.json")]
    reports = [json.loads((ws.root / f.feedback).read_text("utf-8")) for f in summary.files]
    assert [(r["status"], [e["rule"] for e in r["errors"]]) for r in reports] == [
        ("valid", []), ("invalid", ["TEAM-HEAD"])]
    assert (ws.feedback / "龙导" / "台账（2）_批注.xlsx").exists()


def test_identical_files_in_two_folders_are_both_taken(ws: Workspace) -> None:
    for folder in ("a", "b"):
        (ws.inbox / folder).mkdir()
        base_workbook(ws.inbox / folder / "龙导.xlsx")
    summary = run(ws)
    assert sorted(f.status for f in summary.files) == ["accepted", "duplicate"]
    assert list(ws.inbox.iterdir()) == []  # neither waits for another night
    assert len({f.feedback for f in summary.files}) == 2


def test_a_killed_runs_unfinished_files_are_swept_by_the_next(ws: Workspace) -> None:
    folder = ws.feedback / "龙导"
    folder.mkdir(parents=True)
    stale = folder / ".01_基础_批注.xlsx.k2j4x.tmp"  # a clerk's workbook, half copied
    stale.write_bytes(b"PK")
    kept = folder / "01_基础.json"
    kept.write_text("{}", encoding="utf-8")
    run(ws)
    assert not stale.exists() and kept.exists()


def test_two_files_of_one_name_in_one_run_keep_a_whole_report_each(ws: Workspace) -> None:
    from openpyxl import load_workbook

    earlier = base_workbook(ws.inbox / "周报.xlsx")  # clean: its copy is the file itself
    os.utime(earlier, ns=(1, 1))
    write_workbook(ws.inbox / "周报.XLSX", Sheet.of("团队名册", roster_rows()),
                   Sheet.of("户册", households(21)), Sheet("杂项", ["备注"], [["不是台账"]]))
    summary = run(ws)
    assert [(f.name, f.feedback) for f in summary.files] == [
        ("周报.xlsx", "outbox/feedback/龙导/周报.json"),
        ("周报.XLSX", "outbox/feedback/龙导/周报（2）.json")]
    report = feedback_of(ws, summary.files[1])
    assert report["file"] == "周报.XLSX" and report["warnings"]
    folder = ws.feedback / "龙导"
    assert load_workbook(folder / "周报（2）_批注.xlsx").sheetnames[0] == "校验结果"  # marked
    assert load_workbook(folder / "周报_批注.xlsx").sheetnames[0] == "团队名册"  # the clean file
    assert "周报（2）_批注.xlsx" in (folder / "周报（2）.html").read_text("utf-8")
    assert "周报_批注.xlsx" in (folder / "周报.html").read_text("utf-8")


def test_a_second_run_exits_3_while_the_lock_is_held(ws: Workspace) -> None:
    with run_lock(ws.data / "run.lock"):
        proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "--root", str(ws.root)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3
    assert f"进程{os.getpid()}" in proc.stderr


def test_a_stale_lock_from_a_dead_process_is_taken_over(ws: Workspace) -> None:
    (ws.data / "run.lock").write_text('{"pid": 999999, "host": "x", "since": "2026-01-01"}')
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "--root", str(ws.root),
                           "--as-of", "2026-12-01"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_a_file_dropped_during_the_run_waits_for_the_next(ws: Workspace,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    base_workbook(ws.inbox / "基础.xlsx")
    late = ws.inbox / "迟到.xlsx"
    real = nightly.archive_file

    def archive_and_drop(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not late.exists():
            write_workbook(late, Sheet.of("走访登记", visits([1], AS_OF)))
        return real(*args, **kwargs)

    monkeypatch.setattr(nightly, "archive_file", archive_and_drop)
    first = run(ws)
    assert [f.name for f in first.files] == ["基础.xlsx"] and late.exists()
    monkeypatch.setattr(nightly, "archive_file", real)
    second = run(ws)
    assert [(f.name, f.status) for f in second.files] == [("迟到.xlsx", "accepted")]


def _inputs(folder: Path) -> list[Path]:
    paths = [base_workbook(folder / "00_基础.xlsx")]
    for week in range(6):
        day = dt.date(2026, 10, 6) + dt.timedelta(weeks=week)
        paths.append(write_workbook(folder / f"{week + 1:02d}_走访.xlsx",
                                    Sheet.of("走访登记", visits([week + 1, week + 2], day))))
    paths.append(write_workbook(folder / "07_改.xlsx",
                                Sheet.of("走访登记", visits([9], dt.date(2026, 10, 6)))))
    for i, p in enumerate(paths):
        os.utime(p, ns=(i + 1, i + 1))
    return paths


def test_sigkill_at_random_points_then_a_clean_rerun_gives_the_same_master(tmp_path: Path) -> None:
    clean = Workspace(tmp_path / "clean").ensure()
    _inputs(clean.inbox)
    run(clean)
    with Master(clean.master) as master:
        expected = master.digest()
    assert len(expected["走访登记"]) == 11

    rng = random.Random(20261201)
    ws = Workspace(tmp_path / "killed").ensure()
    sources = _inputs(tmp_path / "src")
    for source in sources:
        target = ws.inbox / source.name
        target.write_bytes(source.read_bytes())
        os.utime(target, ns=(source.stat().st_mtime_ns,) * 2)
    command = [sys.executable, "-m", "pipeline", "run", "--root", str(ws.root), "--as-of",
               AS_OF.isoformat()]
    for _ in range(4):
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert subprocess.run(command, cwd=ROOT, capture_output=True, timeout=300).returncode == 0
    with Master(ws.master) as master:
        assert master.digest() == expected
        submissions = master.submissions()
    assert list(ws.inbox.iterdir()) == []
    merged = submissions[submissions["status"] == "accepted"]
    assert sorted(merged["file_name"]) == sorted(p.name for p in sources)  # each merged once


def test_a_killed_run_leaves_no_worker_holding_the_lock(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws").ensure()
    for i in range(6):
        base_workbook(ws.inbox / f"{i:02d}_基础.xlsx")
    command = [sys.executable, "-m", "pipeline", "run", "--root", str(ws.root), "--as-of",
               AS_OF.isoformat()]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()  # the first file is through: its parse workers are alive
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr  # 3: a worker kept the lock
    assert list(ws.inbox.iterdir()) == []


def test_a_version_1_master_is_migrated_in_place(ws: Workspace) -> None:
    import sqlite3

    from pipeline.store import MIGRATIONS
    db = sqlite3.connect(ws.master)
    for statement in MIGRATIONS[1].split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    base_workbook(ws.inbox / "基础.xlsx")
    assert run(ws).files[0].status == "accepted"
    with Master(ws.master) as master:
        assert master.version == max(MIGRATIONS) == 3
        indexes = {r[0] for r in master.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"household_community", "visit_community", "issue_community"} <= indexes
        assert len(master.current("户册", "龙导")) == 20


def test_codes_stored_before_they_were_read_upper_case_are_upper_cased(ws: Workspace) -> None:
    base_workbook(ws.inbox / "基础.xlsx")
    write_workbook(ws.inbox / "问题.xlsx", Sheet.of("问题台账", [row("问题台账")]))
    run(ws)
    with Master(ws.master) as master:  # as a version 2 master held them: lower case
        for table, column in (("household", "household_id"), ("issue", "issue_id")):
            master.db.execute(f"UPDATE {table} SET {column} = LOWER({column})")
        master.db.execute("UPDATE issue SET scope = LOWER(scope)")
        master.db.execute("PRAGMA user_version = 2")
    with Master(ws.master) as master:
        assert master.version == 3
        assert sorted(master.current("户册", "龙导")["户编号"])[:2] == ["LD-0001", "LD-0002"]
        [issue] = master.current("问题台账")["问题编号"]
        assert issue == "LD-2026-001"
    write_workbook(ws.inbox / "走访.xlsx", Sheet.of("走访登记", visits([1], AS_OF)))
    assert run(ws).files[-1].status == "accepted"  # LD-0001 is in the 户册 again


def test_two_current_rows_of_one_issue_by_case_become_one(ws: Workspace) -> None:
    from pipeline.store import MIGRATIONS
    write_workbook(ws.inbox / "问题1.xlsx", Sheet.of("问题台账", [row("问题台账")]))
    run(ws)
    with Master(ws.master) as master:  # version 2 kept ld-2026-001 apart from a later LD-2026-001
        master.db.execute("UPDATE issue SET issue_id = LOWER(issue_id), scope = LOWER(scope)")
    write_workbook(ws.inbox / "问题2.xlsx", Sheet.of("问题台账", [row(
        "问题台账", 办理状态="已办结", 办结日期=dt.date(2026, 11, 8), 办理结果="已更换",
        反馈日期=dt.date(2026, 11, 9))]))
    run(ws)
    with Master(ws.master) as master:
        assert sorted(master.current("问题台账")["问题编号"]) == ["LD-2026-001", "ld-2026-001"]
        with master.transaction():
            for statement in MIGRATIONS[3].split(";"):
                if statement.strip():
                    master.db.execute(statement)
        current = master.current("问题台账")
        assert list(zip(current["问题编号"], current["办理状态"], strict=True)) == [
            ("LD-2026-001", "已办结")]  # the newer row
        assert len(master.history("问题台账")) == 2


def test_values_are_stored_as_plain_sqlite_types(ws: Workspace) -> None:
    """Dates as ISO text, counts as integers, missing cells as NULL: the master stays
    readable by any SQLite client, not only by pandas."""
    base_workbook(ws.inbox / "基础.xlsx")
    write_workbook(ws.inbox / "接待.xlsx", Sheet.of("接待登记", [
        row("接待登记", 日期=dt.date(2026, 11, 17), 来访人数=3, 问题编号=None)]))
    run(ws)
    with Master(ws.master) as master:
        stored = master.db.execute(
            'SELECT typeof("date"), "date", typeof("visitors"), "visitors", typeof("issue_id") '
            f"FROM {table_name('接待登记')}").fetchall()
    assert stored == [("text", "2026-11-17", "integer", 3, "null")]


def test_event_scope_is_the_iso_week_across_a_year_end() -> None:
    """31 December 2026 and 1 January 2027 are both in 2026-W53: a corrected sheet for that
    week replaces both days' rows."""
    frame = pd.DataFrame({
        "社区": pd.Series(["龙导", "龙导", "状元"], dtype="string"),
        "日期": pd.to_datetime(["2026-12-31", "2027-01-01", "2027-01-04"]).astype("datetime64[ns]"),
    })
    assert scope_of("走访登记", frame) == ["龙导|2026-W53", "龙导|2026-W53", "状元|2027-W01"]


def test_a_date_typed_a_millennium_off_rejects_its_file_not_the_night(ws: Workspace) -> None:
    """3026 for 2026 (text or a real Excel date), or a count with a run of extra digits:
    an error in its cell, the file is rejected, every other file of the night is taken."""
    base_workbook(ws.inbox / "01_基础.xlsx")
    write_workbook(ws.inbox / "02_走访.xlsx", Sheet.of("走访登记", [
        row("走访登记", 日期="3026-11-03"), row("走访登记", 日期=dt.datetime(2300, 1, 1)),
        row("走访登记", 人数="99999999999999999999")]))
    os.utime(ws.inbox / "01_基础.xlsx", ns=(1, 1))
    summary = run(ws)
    assert [(f.name, f.status) for f in summary.files] == [
        ("01_基础.xlsx", "accepted"), ("02_走访.xlsx", "rejected")]
    errors = feedback_of(ws, summary.files[1])["errors"]
    assert [(e["rule"], e["cell"], e["value"]) for e in errors] == [
        ("TYPE", "A2", "3026-11-03"), ("TYPE", "A3", "2300-01-01"),
        ("TYPE", "E4", "99999999999999999999")]
    assert "年份不对" in errors[0]["message"]


@pytest.mark.parametrize(("title", "as_of", "warned"), [
    ("统计截至2026年11月20日", dt.date(2026, 11, 20), []),
    ("统计截至2026年13月40日", AS_OF, ["REQUIRED"]),   # impossible: the run's date, said so
])
def test_the_summary_date_in_a_title_line_straight_above_the_header(
        ws: Workspace, title: str, as_of: dt.date, warned: list[str]) -> None:
    """A one-cell title right above the header is a title, not the top of a two-row header."""
    values = row("社区汇总", 统计截至日期=None)
    write_workbook(ws.inbox / "汇总.xlsx", Sheet(name="社区汇总", header=list(values),
                                               title=[title], rows=[list(values.values())]))
    result = run(ws).files[0]
    assert result.status == "accepted"
    assert [w["rule"] for w in feedback_of(ws, result)["warnings"]] == warned
    with Master(ws.master) as master:
        assert master.current("社区汇总")["统计截至日期"].tolist() == [pd.Timestamp(as_of)]


def test_validate_leaves_the_workspace_as_it_was(ws: Workspace, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # INTERFACE: validate is a dry run, touching nothing, a master there or not
    base_workbook(ws.inbox / "基础.xlsx")
    run(ws)
    clerk = write_workbook(tmp_path / "走访.xlsx", Sheet.of("走访登记", visits([1, 99], AS_OF)))

    def listing() -> dict[str, int]:
        return {str(p.relative_to(ws.root)): p.stat().st_mtime_ns
                for p in ws.root.rglob("*") if p.is_file()}

    before = listing()
    assert cli.main(["validate", str(clerk), "--root", str(ws.root), "--json",
                     "--as-of", AS_OF.isoformat()]) == 1
    assert json.loads(capsys.readouterr().out)["errors"][0]["rule"] == "REF-HOUSEHOLD"  # LD-0099
    assert listing() == before


def test_validate_sees_what_run_would_have_merged_before(ws: Workspace, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    # INTERFACE: validate runs "the same checks as run": a register after the 户册 it needs
    base = base_workbook(tmp_path / "01_基础.xlsx")
    register = write_workbook(tmp_path / "02_走访.xlsx", Sheet.of("走访登记", visits([1, 2], AS_OF)))
    wrong = write_workbook(tmp_path / "03_走访.xlsx", Sheet.of("走访登记", visits([99], AS_OF)))

    def verdicts(*paths: Path) -> tuple[int, list[tuple[str, list[str]]]]:
        code = cli.main(["validate", *map(str, paths), "--root", str(ws.root), "--json",
                         "--as-of", AS_OF.isoformat()])
        out = json.loads(capsys.readouterr().out)
        return code, [(v["status"], [f["rule"] for f in v["errors"] + v["warnings"]]) for v in out]

    assert verdicts(base, register, wrong) == (1, [
        ("valid", []), ("valid", []), ("invalid", ["REF-HOUSEHOLD"])])
    # the other way round, as run would take them: nothing to check the register against
    assert verdicts(register, base) == (0, [
        ("valid", ["REF-HOUSEHOLD", "REF-MEMBER"]), ("valid", [])])
    assert not ws.master.exists()
    # an earlier file's 户册 in two sheets is one 户册, as run merges it
    split = write_workbook(tmp_path / "04_户册.xlsx", Sheet.of("团队名册", roster_rows()),
                           Sheet.of("户册", households(1), name="第1网格户册"),
                           Sheet.of("户册", households(2)[1:], name="第2网格户册"))
    assert verdicts(split, register) == (0, [("valid", ["SHEET"]), ("valid", [])])


def test_a_failure_while_publishing_takes_the_run_back(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # INTERFACE: exit 1, "the run failed and the master is as it was"
    from pipeline import publish

    base_workbook(ws.inbox / "01_基础.xlsx")
    run(ws)

    def outputs() -> dict[str, bytes]:
        return {str(p.relative_to(ws.root)): p.read_bytes()
                for folder in (ws.public, ws.internal, ws.feedback) for p in folder.rglob("*")
                if p.is_file()}

    before = outputs()
    with Master(ws.master) as master:
        kept = master.digest(), master.db.execute("SELECT COUNT(*) FROM submissions").fetchone()
    # a register, and a 户册 resent: its rows replace the first file's
    write_workbook(ws.inbox / "02_走访.xlsx", Sheet.of("走访登记", visits([1, 2], AS_OF)))
    write_workbook(ws.inbox / "03_户册.xlsx", Sheet.of("户册", households(5)))

    def broken(*args: object, **kwargs: object) -> None:  # the last output of a run
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "write_dashboard", broken)
    assert cli.main(["run", "--root", str(ws.root), "--as-of", AS_OF.isoformat()]) == 1
    said = capsys.readouterr().err
    assert "本次运行已撤销" in said and "2个文件仍在收件箱中" in said
    assert "No space left on device" in said
    assert outputs() == before  # statistics, notices, 督办清单, the clerks' reports: the last run's
    assert sorted(p.name for p in ws.inbox.iterdir()) == ["02_走访.xlsx", "03_户册.xlsx"]
    with Master(ws.master) as master:
        assert (master.digest(), master.db.execute(
            "SELECT COUNT(*) FROM submissions").fetchone()) == kept
        assert len(master.current("户册")) == 20  # the first file's rows current again
    assert [p for p in ws.root.rglob("*.tmp")] == []

    monkeypatch.undo()
    again = run(ws)  # the next run takes the files as if for the first time
    assert [f.status for f in again.files] == ["accepted", "accepted"]
    assert outputs()["outbox/public/统计表.csv"] != before["outbox/public/统计表.csv"]
    with Master(ws.master) as master:
        assert len(master.current("走访登记")) == 2 and len(master.current("户册")) == 5
