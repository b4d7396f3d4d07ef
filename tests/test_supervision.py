"""The supervision list (pipeline.supervision): exactly which 督办 findings appear, on each
side of every boundary. Inputs are built workbooks run through the nightly job; the
findings are then read at several --as-of dates from the same master."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import DEFAULT_CONFIG
from pipeline.nightly import run_nightly
from pipeline.statistics import compute_statistics
from pipeline.store import Master, SupervisionFigures
from pipeline.supervision import (
    DAYS_LEFT,
    DAYS_SINCE_CLOSED,
    GRADE,
    OVERDUE_DAYS,
    TEAM_COUNT,
    WEEK,
    Supervision,
    first_monday,
    iso_weeks,
    stationing_days,
    supervise,
)
from pipeline.workspace import Workspace
from schemas import Issue
from tests.builders import Sheet, row, write_workbook

D = dt.date
COMMUNITIES = ("龙导", "状元", "仁和", "环珠", "富力", "新民", "鹤兴", "梅园南", "昌盛", "龙田")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws").ensure()


_counter = iter(range(1, 10_000))


def submit(ws: Workspace, as_of: dt.date, *sheets: Sheet, name: str | None = None) -> None:
    """One workbook through the nightly run; every file must be accepted."""
    path = write_workbook(ws.inbox / (name or f"{next(_counter):03d}.xlsx"), *sheets)
    summary = run_nightly(ws, as_of=as_of, out=open(os.devnull, "w"))
    assert [f.status for f in summary.files] == ["accepted"], (path.name, summary.files)


@pytest.fixture
def at(ws: Workspace) -> Iterator[Any]:
    """`at(as_of)`: the supervision list of the workspace's master at `as_of`."""
    masters: list[Master] = []

    def read(as_of: dt.date) -> Supervision:
        master = Master(ws.master)
        masters.append(master)
        return supervise(master, ws.config(), as_of)

    yield read
    for master in masters:
        master.close()


def keys(supervision: Supervision, kind: str, *columns: str) -> list[tuple[Any, ...]]:
    return [(i.community, *(i.details[c] for c in columns)) for i in supervision.of(kind)]


def statistics_row(ws: Workspace, as_of: dt.date, community: str = "龙导") -> Any:
    """A community's row of the statistics table at `as_of`, from the committed master."""
    with Master(ws.master) as master:
        return next(r for r in compute_statistics(master, ws.config(), as_of).rows
                    if r.community == community)


def roster(community: str, size: int, head: str = "李福坚") -> list[dict[str, Any]]:
    """A 驻点团队 of `size` people (负责人 `head`, one 联络员) and a two-person 辅助团队."""
    rows = [row("团队名册", 社区=community, 姓名=head),
            row("团队名册", 社区=community, 姓名=f"{community}联络员", 团队职务="联络员",
                身份="街道中层干部")]
    rows += [row("团队名册", 社区=community, 姓名=f"{community}成员{k}", 团队职务="成员",
                 身份="党员干部") for k in range(1, size - 1)]
    rows += [row("团队名册", 社区=community, 团队="辅助团队", 姓名=f"{community}书记", 身份="社区两委"),
             row("团队名册", 社区=community, 团队="辅助团队", 姓名=f"{community}委员",
                 团队职务="联络员", 身份="社区两委")]
    return rows


# -- ISSUE-OVERDUE, ISSUE-DISSATISFIED, ISSUE-FEEDBACK, open issues ---------------------------

def issue(number: int, **overrides: Any) -> dict[str, Any]:
    return row("问题台账", **{"问题编号": f"LD-2026-{number:03d}", "登记日期": D(2026, 10, 1),
                          **overrides})


@pytest.fixture
def issues(ws: Workspace) -> None:
    submit(ws, D(2026, 10, 1), Sheet.of("问题台账", [
        issue(1, 完成时限=D(2026, 11, 10), 办理状态="办理中", 责任人="王责任"),
        issue(2, 完成时限=D(2026, 11, 10), 办理状态="已办结", 办结日期=D(2026, 11, 1),
              办理结果="已更换", 反馈日期=D(2026, 11, 2), 群众评价="满意"),
        issue(3, 完成时限=D(2026, 11, 20), 办理状态="已办结", 办结日期=D(2026, 11, 1),
              办理结果="已更换"),  # never fed back
        issue(4, 完成时限=D(2026, 11, 20), 办理状态="已办结", 办结日期=D(2026, 11, 1),
              办理结果="已更换", 反馈日期=D(2026, 11, 3), 群众评价="不满意", 责任人="赵责任"),
        issue(5, 完成时限=D(2026, 12, 31), 办理状态="重办", 办结日期=D(2026, 11, 1),
              办理结果="首次办理", 反馈日期=D(2026, 11, 3), 群众评价="不满意", 办理层级="街道"),
        issue(6, 登记日期=D(2026, 11, 12), 完成时限=D(2026, 11, 13), 办理状态="待办理",
              办理层级="区直单位", 承办单位="区水务局"),
    ]))


@pytest.mark.parametrize(("as_of", "expected"), [
    (D(2026, 11, 7), []),                                          # 3 days ahead: nothing yet
    (D(2026, 11, 8), [("LD-2026-001", "临期", None, 2)]),           # due within 2 days
    (D(2026, 11, 10), [("LD-2026-001", "临期", None, 0)]),          # due today: not yet past
    (D(2026, 11, 11), [("LD-2026-001", "超期", 1, None)]),          # the day the deadline passed
    (D(2026, 11, 14), [("LD-2026-001", "超期", 4, None),
                       ("LD-2026-006", "超期", 1, None)]),
    (D(2026, 11, 15), [("LD-2026-001", "严重超期", 5, None),        # the 5th day past it
                       ("LD-2026-006", "超期", 2, None)]),
])
def test_overdue_grades(issues: None, at: Any, as_of: dt.date, expected: list[Any]) -> None:
    found = at(as_of).of("overdue")
    assert [(i.details["问题编号"], i.grade, i.details[OVERDUE_DAYS], i.details[DAYS_LEFT])
            for i in found] == expected
    assert all(i.rule == "ISSUE-OVERDUE" and i.community == "龙导" for i in found)


def test_issue_registered_after_as_of_is_not_there_yet(issues: None, at: Any) -> None:
    # LD-2026-006 (due 11-13) would be 临期 on 11-11, but it was registered on 11-12
    assert [i.details["问题编号"] for i in at(D(2026, 11, 11)).of("overdue")] == ["LD-2026-001"]
    assert [i.details["问题编号"] for i in at(D(2026, 11, 12)).of("overdue")] == [
        "LD-2026-001", "LD-2026-006"]


def test_overdue_names_who_and_when(issues: None, at: Any) -> None:
    (item,) = [i for i in at(D(2026, 11, 15)).of("overdue") if i.grade == "严重超期"]
    assert item.responsible == "王责任"
    assert item.details["完成时限"] == D(2026, 11, 10)
    assert "已超期5天" in item.evidence and "LD-2026-001" in item.evidence


@pytest.mark.parametrize(("as_of", "expected"), [
    (D(2026, 11, 15), []),                          # closed 14 days ago: still a 警告 only
    (D(2026, 11, 16), [("LD-2026-003", 15)]),       # 15 days past 办结日期: 督办
    (D(2026, 11, 17), [("LD-2026-003", 16)]),
])
def test_feedback_after_fifteen_days(issues: None, at: Any, as_of: dt.date,
                                     expected: list[Any]) -> None:
    found = at(as_of).of("feedback")
    assert [(i.details["问题编号"], i.details[DAYS_SINCE_CLOSED]) for i in found] == expected
    assert all(i.rule == "ISSUE-FEEDBACK" for i in found)


def test_dissatisfied_closed_issue_goes_back(issues: None, at: Any) -> None:
    found = at(D(2026, 11, 20)).of("dissatisfied")
    # the 重办 one is already being re-handled: it is on the open list instead
    assert [(i.community, i.details["问题编号"], i.responsible) for i in found] == [
        ("龙导", "LD-2026-004", "赵责任")]
    assert found[0].rule == "ISSUE-DISSATISFIED"


def test_open_issues_by_level_with_holders(issues: None, at: Any) -> None:
    found = at(D(2026, 11, 20)).of("open")
    assert [(i.details["问题编号"], i.details["办理层级"], i.responsible) for i in found] == [
        ("LD-2026-006", "区直单位", "李福坚"), ("LD-2026-005", "街道", "李福坚"),
        ("LD-2026-001", "驻点团队", "王责任")]
    assert found[0].rule is None and "区水务局" in found[0].evidence


# -- WEEKLY-LEDGER across a year end -------------------------------------------------------------

def tuesdays(first: dt.date, last: dt.date) -> list[dt.date]:
    return [d for d in (first + dt.timedelta(days=k) for k in range((last - first).days + 1))
            if d.isoweekday() == 2]


@pytest.fixture
def ledgers(ws: Workspace) -> None:
    # 龙导 files every Tuesday from 2026-W01 (2025-12-30) to W51 (12-15): W52 and W53 missing
    submit(ws, D(2026, 12, 31), Sheet.of("工作台账", [
        row("工作台账", 驻点日期=d) for d in tuesdays(D(2025, 12, 30), D(2026, 12, 15))]))
    # 状元 sends its first file (a roster only) on 2026-12-31
    submit(ws, D(2026, 12, 31), Sheet.of("团队名册", roster("状元", 6)))


def weekly(supervision: Supervision) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in supervision.of("weekly"):
        out.setdefault(item.community, []).append(
            item.grade if item.grade == "从未提交" else item.details[WEEK])
    return out


NEVER = {c: ["从未提交"] for c in COMMUNITIES[2:]}


# a week is due once it is over: the week of the as-of date is never yet missing
@pytest.mark.parametrize(("as_of", "expected", "never"), [
    (D(2026, 12, 21), {"龙导": [], "状元": []}, NEVER),                  # Monday of W52
    (D(2026, 12, 31), {"龙导": ["2026-W52"], "状元": []}, NEVER),         # W53 still running
    (D(2027, 1, 3), {"龙导": [], "状元": []}, {}),   # Sunday of 2027's first week: none over yet
    (D(2027, 1, 4), {"龙导": ["2026-W53"], "状元": ["2026-W53"]}, NEVER),
])
def test_weekly_ledger_across_the_year_end(ledgers: None, at: Any, as_of: dt.date,
                                           expected: dict[str, list[str]],
                                           never: dict[str, list[str]]) -> None:
    found = weekly(at(as_of))
    assert {c: found.get(c, []) for c in ("龙导", "状元")} == expected
    assert {c: v for c, v in found.items() if c not in ("龙导", "状元")} == never


def test_calendar_rows_and_weeks(ledgers: None, at: Any) -> None:
    december = at(D(2026, 12, 31))
    assert [w.label for w in december.weeks][:2] == ["2026-W01", "2026-W02"]
    assert december.weeks[-1].label == "2026-W53" and len(december.weeks) == 53
    rows = {r.community: r.cells for r in december.calendar}
    assert rows["龙导"] == ("filled",) * 51 + ("missing", "open")
    assert rows["状元"] == ("before",) * 52 + ("open",)
    assert rows["仁和"] == ("missing",) * 52 + ("open",)
    january = at(D(2027, 1, 4))
    assert [w.label for w in january.weeks] == ["2026-W53", "2027-W01"]
    assert {r.community: r.cells for r in january.calendar}["龙导"] == ("missing", "open")


def test_weeks_and_days_helpers() -> None:
    assert first_monday(2027) == D(2026, 12, 28) and first_monday(2026) == D(2025, 12, 29)
    assert [w.label for w in iso_weeks(D(2026, 12, 31), D(2027, 1, 4))] == [
        "2026-W53", "2027-W01"]
    assert stationing_days(D(2026, 12, 2), D(2026, 12, 31), 2) == 4
    assert stationing_days(D(2026, 12, 30), D(2026, 12, 31), 2) == 0


# -- DAY-WEEKDAY and DAY-HALF -----------------------------------------------------------------

SESSIONS = [
    row("工作台账", 驻点日期=D(2026, 11, 3), 开始时间="08:30", 结束时间="11:54"),   # Tue, 3.4 h
    row("工作台账", 驻点日期=D(2026, 11, 10), 开始时间="08:30", 结束时间="12:00"),  # Tue, 3.5 h
    row("工作台账", 驻点日期=D(2026, 11, 18), 开始时间="08:30", 结束时间="12:00"),  # Wed
    row("工作台账", 驻点日期=D(2026, 11, 26), 开始时间="14:30", 结束时间="18:00",
        驻点类型="灵活驻点"),                                                       # Thu, flexible
]


def test_weekday_and_half_day(ws: Workspace, at: Any) -> None:
    submit(ws, D(2026, 11, 30), Sheet.of("工作台账", SESSIONS))
    found = at(D(2026, 11, 30))
    assert keys(found, "half", "驻点日期", "时长(小时)") == [("龙导", D(2026, 11, 3), 3.4)]
    assert keys(found, "weekday", "驻点日期", "星期") == [("龙导", D(2026, 11, 18), "星期三")]
    assert found.of("weekday")[0].responsible == "李福坚"
    cells = dict(zip((w.label for w in found.weeks),
                     next(r.cells for r in found.calendar if r.community == "龙导"), strict=True))
    assert [cells[w] for w in ("2026-W45", "2026-W46", "2026-W47", "2026-W48")] == [
        "filled", "filled", "offday", "filled"]
    # a session after the as-of date is not judged yet
    assert keys(at(D(2026, 11, 17)), "weekday", "驻点日期") == []


def test_configured_weekday_and_hours(ws: Workspace, at: Any) -> None:
    text = DEFAULT_CONFIG.read_text("utf-8")
    text = text.replace("stationing_weekday = 2", "stationing_weekday = 3")
    text = text.replace("min_stationing_hours = 3.5", "min_stationing_hours = 3.4")
    (ws.root / "config.toml").write_text(text, "utf-8")
    submit(ws, D(2026, 11, 30), Sheet.of("工作台账", SESSIONS))
    found = at(D(2026, 11, 30))
    assert keys(found, "weekday", "驻点日期") == [("龙导", D(2026, 11, 3)), ("龙导", D(2026, 11, 10))]
    assert keys(found, "half", "驻点日期") == []


# -- NOTICE-LEAD -----------------------------------------------------------------------------------

def test_notice_lead(ws: Workspace, at: Any) -> None:
    submit(ws, D(2026, 12, 1), Sheet.of("驻点安排", [
        row("驻点安排", 驻点日期=D(2026, 12, 8), 发布日期=D(2026, 12, 7)),          # 1 day: fine
        row("驻点安排", 驻点日期=D(2026, 12, 15), 发布日期=D(2026, 12, 15)),        # on the day
        row("驻点安排", 驻点日期=D(2026, 12, 8), 发布日期=D(2026, 12, 8), 安排类型="变更",
            变更说明="改到居委会"),
    ]))
    # DOMAIN's check is on the row: a 发布日期 still to come that is already late counts
    assert keys(at(D(2026, 12, 7)), "notice", "驻点日期", "安排类型", "提前天数") == [
        ("龙导", D(2026, 12, 8), "变更", 0), ("龙导", D(2026, 12, 15), "常规", 0)]
    assert keys(at(D(2026, 12, 15)), "notice", "驻点日期", "安排类型") == [
        ("龙导", D(2026, 12, 8), "变更"), ("龙导", D(2026, 12, 15), "常规")]


# -- TEAM-SIZE, LEADER-SPAN and roster changes -----------------------------------------------------

HEADS = {"龙导": "张建勋", "状元": "张建勋", "仁和": "张建勋", "环珠": "张建勋",
         "富力": "夏先华", "新民": "夏先华", "鹤兴": "夏先华", "梅园南": "冯志明",
         "昌盛": "黄耀东", "龙田": "黄耀东"}
SIZES = {"龙导": 4, "状元": 5, "仁和": 10, "环珠": 11}


@pytest.fixture
def rosters(ws: Workspace) -> None:
    rows = [r for c in COMMUNITIES for r in roster(c, SIZES.get(c, 6), HEADS[c])]
    submit(ws, D(2026, 3, 2), Sheet.of("团队名册", rows))


def test_team_sizes_four_five_ten_eleven(rosters: None, at: Any) -> None:
    found = at(D(2026, 3, 2))
    assert keys(found, "team", TEAM_COUNT) == [("龙导", 4), ("环珠", 11)]
    assert [i.responsible for i in found.of("team")] == ["张建勋", "张建勋"]


def test_leader_with_none_and_with_four(rosters: None, at: Any) -> None:
    found = at(D(2026, 3, 2))
    assert [(i.responsible, i.details["负责社区数"], i.details["负责社区"])
            for i in found.of("span")] == [("李福坚", 0, ""), ("张建勋", 4, "龙导、状元、仁和、环珠")]
    assert {i.community for i in found.of("span")} == {"龙凤街道"}
    assert found.of("roster") == []  # a first roster is no change


def test_teams_and_leaders_without_a_roster_yet_are_not_counted(ws: Workspace, at: Any) -> None:
    # rosters of 龙导 (4 people, headed by 张建勋) and 状元 only: 李福坚, configured for both,
    # heads neither; the other leaders' communities have sent no roster yet
    submit(ws, D(2026, 3, 2), Sheet.of("团队名册", roster("龙导", 4, "张建勋") + roster("状元", 6,
                                                                                 "张建勋")))
    found = at(D(2026, 3, 2))
    assert keys(found, "team", TEAM_COUNT) == [("龙导", 4)]
    assert [(i.responsible, i.details["负责社区数"]) for i in found.of("span")] == [("李福坚", 0)]


def test_roster_changes_and_the_new_size(rosters: None, ws: Workspace, at: Any) -> None:
    new = roster("龙导", 4, "张建勋")
    new = [r for r in new if r["姓名"] != "龙导成员1"]                        # left
    new.append(row("团队名册", 社区="龙导", 姓名="新成员甲", 团队职务="成员", 身份="志愿者"))
    new.append(row("团队名册", 社区="龙导", 姓名="新成员乙", 团队职务="成员", 身份="志愿者"))
    for r in new:
        if r["姓名"] == "龙导成员2":
            r["团队职务"] = "联络员"                                          # post changed
        elif r["姓名"] == "龙导联络员":
            r["团队职务"] = "成员"
    submit(ws, D(2026, 6, 9), Sheet.of("团队名册", new), name="龙导名册.xlsx")
    found = at(D(2026, 6, 9))
    assert [(i.community, i.details["变动"], i.details["姓名"], i.details["团队职务"],
             i.details["变动日期"]) for i in found.of("roster")] == [
        ("龙导", "加入", "新成员甲", "成员", D(2026, 6, 9)),
        ("龙导", "加入", "新成员乙", "成员", D(2026, 6, 9)),
        ("龙导", "退出", "龙导成员1", "成员", D(2026, 6, 9)),
        ("龙导", "职务变更", "龙导联络员", "成员", D(2026, 6, 9)),
        ("龙导", "职务变更", "龙导成员2", "联络员", D(2026, 6, 9)),
    ]
    assert found.of("roster")[0].details["依据文件"] == "龙导名册.xlsx"
    assert keys(found, "team", TEAM_COUNT) == [("环珠", 11)]       # 龙导 has 5 now
    assert keys(at(D(2026, 6, 8)), "roster") == []                 # not yet received then


# -- COVER-YEAR ------------------------------------------------------------------------------------

@pytest.fixture
def households(ws: Workspace) -> None:
    book = [row("户册", 户编号=f"LD-{i:04d}", 网格="第1网格" if i <= 10 else "第2网格",
                类型="个体工商户" if i % 4 == 0 else "居民户") for i in range(1, 21)]
    visits = [row("走访登记", 日期=D(2026, 3, 3), 户编号=f"LD-{i:04d}") for i in (1, 2, 3, 4, 12)]
    visits += [row("走访登记", 日期=D(2025, 12, 30), 户编号="LD-0011"),   # last year
               row("走访登记", 日期=D(2026, 12, 2), 户编号="LD-0005")]    # after 12-01
    submit(ws, D(2026, 12, 2), Sheet.of("户册", book), Sheet.of("走访登记", visits))


def test_coverage_per_grid_and_pace(households: None, at: Any, ws: Workspace) -> None:
    found = at(D(2026, 12, 1))
    cover = {(c.community, c.grid): c for c in found.coverage if c.community == "龙导"}
    whole, first, second = cover[("龙导", None)], cover[("龙导", "第1网格")], cover[("龙导", "第2网格")]
    assert (whole.total, whole.visited, whole.weeks_left, whole.weeks_gone) == (20, 5, 4, 48)
    assert whole.share_per_week == Fraction(15, 80) and whole.per_week == 4
    assert (first.visited, first.unvisited, first.per_week, first.share_per_week) == (
        4, 6, 2, Fraction(6, 40))
    assert (second.visited, second.unvisited, second.per_week) == (1, 9, 3)
    assert keys(found, "cover", "网格", "未走访", "每周需走访(户)") == [
        ("龙导", "第1网格", 6, 2), ("龙导", "第2网格", 9, 3)]
    with Master(ws.master) as master:
        unvisited = SupervisionFigures(master, D(2026, 1, 1), D(2026, 12, 1)).unvisited_households
        assert [h[0] for h in unvisited("龙导")] == [
            "LD-0005", "LD-0006", "LD-0007", "LD-0008", "LD-0009", "LD-0010", "LD-0011",
            *(f"LD-{i:04d}" for i in range(13, 21))]
        assert unvisited("龙导")[3] == ("LD-0008", "第1网格", "个体工商户")
        assert unvisited("状元") == []  # no 户册 there
    # the visit of 12-02 counts from that day on
    assert [c.visited for c in at(D(2026, 12, 2)).coverage if c.grid == "第1网格"] == [5]


@pytest.mark.parametrize(("as_of", "left"), [
    (D(2026, 12, 21), 2), (D(2026, 12, 22), 1), (D(2026, 12, 29), 1), (D(2026, 12, 31), 1)])
def test_remaining_weeks_never_zero(households: None, at: Any, as_of: dt.date, left: int) -> None:
    whole = next(c for c in at(as_of).coverage if c.community == "龙导" and c.grid is None)
    assert whole.weeks_left == left


def test_counts_per_rule(issues: None, at: Any) -> None:
    counts = at(D(2026, 11, 17)).counts()
    assert list(counts) == ["ISSUE-OVERDUE", "ISSUE-DISSATISFIED", "ISSUE-FEEDBACK",
                            "WEEKLY-LEDGER", "DAY-WEEKDAY", "DAY-HALF", "NOTICE-LEAD",
                            "TEAM-SIZE", "LEADER-SPAN", "COVER-YEAR"]
    # 001 and 006 overdue; 003 unfed back; 004 不满意; 龙导 (first file 10-01) has no
    # 工作台账 in W40–W46 (W47 is running), 9 never submitted; no roster anywhere: no team
    # or leader to count yet
    assert counts == {"ISSUE-OVERDUE": 2, "ISSUE-DISSATISFIED": 1, "ISSUE-FEEDBACK": 1,
                      "WEEKLY-LEDGER": 7 + 9, "DAY-WEEKDAY": 0, "DAY-HALF": 0,
                      "NOTICE-LEAD": 0, "TEAM-SIZE": 0, "LEADER-SPAN": 0, "COVER-YEAR": 0}


def test_an_issue_closed_after_the_as_of_date_was_open_then(ws: Workspace, at: Any) -> None:
    # due 11-20, closed 11-25: a run dated 11-22 (--as-of) sees it open and overdue
    submit(ws, D(2026, 11, 26), Sheet.of("问题台账", [row(
        "问题台账", 问题编号="LD-2026-009", 登记日期=D(2026, 11, 2), 完成时限=D(2026, 11, 20),
        办理状态="已办结", 办结日期=D(2026, 11, 25), 办理结果="已修复", 反馈日期=D(2026, 11, 25),
        群众评价="不满意")]))
    then, now = at(D(2026, 11, 22)), at(D(2026, 11, 26))
    assert keys(then, "overdue", Issue.issue_id, GRADE) == [("龙导", "LD-2026-009", "超期")]
    assert [(i.details[Issue.issue_id], i.details[Issue.status]) for i in then.of("open")] == [
        ("LD-2026-009", "办理中")]  # as it stood, not 已办结 while listed as open
    assert then.of("dissatisfied") == []  # not yet closed, nor rated
    assert "已办结" not in then.of("overdue")[0].evidence
    assert now.of("overdue") == [] and now.of("open") == []
    assert [i.details[Issue.issue_id] for i in now.of("dissatisfied")] == ["LD-2026-009"]
    then, now = statistics_row(ws, D(2026, 11, 22)), statistics_row(ws, D(2026, 11, 26))
    assert (then.overdue, then.closed) == (1, 0)
    assert (now.overdue, now.closed) == (0, 1)


def test_a_community_whose_rows_came_in_another_communitys_file_has_submitted(
        ws: Workspace, at: Any) -> None:
    # one file, 龙导 and 状元 half each (the file is filed under neither or one of them)
    days = tuesdays(D(2026, 2, 24), D(2026, 3, 10))  # W09-W11
    submit(ws, D(2026, 3, 18), Sheet.of("工作台账", [
        row("工作台账", 社区=c, 驻点日期=d) for d in days for c in ("龙导", "状元")]))
    found = weekly(at(D(2026, 3, 18)))
    assert (found.get("龙导", []), found.get("状元", [])) == ([], [])  # W12 still running
    assert {c: v for c, v in found.items() if c not in ("龙导", "状元")} == NEVER


def test_a_grid_named_by_a_number_does_not_run_into_the_count() -> None:
    from pipeline.supervision import _grid_text
    assert [_grid_text(g) for g in ("3", "第1网格", "一")] == ["第3网格", "第1网格", "一网格"]


def test_a_community_sending_only_a_roster_has_missed_the_weeks_since_the_street_began(
        ws: Workspace, at: Any) -> None:
    # the street's first file on 2026-10-27 (W44, 龙导 filing that week); 状元 sends its
    # roster on 11-17 (W47) and no 工作台账: W44–W46 are missing, as they are for 龙导 after W44
    submit(ws, D(2026, 10, 27), Sheet.of("工作台账", [row("工作台账", 驻点日期=D(2026, 10, 27))]))
    submit(ws, D(2026, 11, 17), Sheet.of("团队名册", roster("状元", 6)))
    found = weekly(at(D(2026, 11, 17)))
    assert found["状元"] == ["2026-W44", "2026-W45", "2026-W46"]
    assert found["龙导"] == ["2026-W45", "2026-W46"]
    assert found["仁和"] == ["从未提交"]


def test_a_community_recording_visits_without_a_work_ledger_misses_those_weeks(
        ws: Workspace, at: Any) -> None:
    # all in one file on 12-01: visits from 10-06 (W41) on, and never a 工作台账 row
    submit(ws, D(2026, 12, 1), Sheet.of("户册", [row("户册")]),
           Sheet.of("走访登记", [row("走访登记", 日期=D(2026, 10, 6)),
                                 row("走访登记", 日期=D(2026, 11, 3))]))
    found = weekly(at(D(2026, 12, 1)))
    assert found["龙导"] == [f"2026-W{w}" for w in range(41, 49)]
    assert found["仁和"] == ["从未提交"]


def test_a_feedback_given_after_a_back_dated_as_of_counts_neither_way(
        ws: Workspace, at: Any) -> None:
    # closed 11-03, fed back 11-25: a run dated 11-20 sees it closed and not yet fed back
    submit(ws, D(2026, 11, 26), Sheet.of("问题台账", [row(
        "问题台账", 登记日期=D(2026, 11, 2), 办理状态="已办结", 办结日期=D(2026, 11, 3),
        办理结果="已修复", 反馈日期=D(2026, 11, 25))]))
    assert [i.details[Issue.issue_id] for i in at(D(2026, 11, 20)).of("feedback")] == [
        "LD-2026-001"]
    assert at(D(2026, 11, 26)).of("feedback") == []
    then, now = statistics_row(ws, D(2026, 11, 20)), statistics_row(ws, D(2026, 11, 26))
    assert (then.closed, then.fed_back) == (1, 0)
    assert (now.closed, now.fed_back) == (1, 1)
