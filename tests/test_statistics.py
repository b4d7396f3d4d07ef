"""The statistics table computed from the master (pipeline.statistics): exact figures.

Workbooks are built in code, dropped in a workspace inbox and taken by the real nightly
run; the table is then computed from the master. Every expected figure is typed here.
"""

from __future__ import annotations

import datetime as dt
import os
from fractions import Fraction
from pathlib import Path

import pytest

from pipeline.nightly import RunSummary, run_nightly
from pipeline.statistics import (
    COMPUTED,
    NO_DATA,
    REPORTED,
    StatisticsTable,
    compute_statistics,
    percent,
    year_pace,
)
from pipeline.store import Master
from pipeline.workspace import Workspace
from tests.builders import SEED_ROWS, Sheet, row, seed_table_sheet, write_workbook

AS_OF = dt.date(2026, 12, 1)
NEW_YEAR_EVE = dt.date(2025, 12, 31)
D = dt.date


def roster(community: str, leader: str) -> list[dict]:
    """A valid team: one 负责人 and one 联络员 per team."""
    return [
        row("团队名册", 社区=community, 姓名=leader),
        row("团队名册", 社区=community, 姓名=f"{community}联络", 团队职务="联络员",
            身份="街道中层干部"),
        row("团队名册", 社区=community, 姓名=f"{community}成员", 团队职务="成员", 身份="党员干部"),
        row("团队名册", 社区=community, 团队="辅助团队", 姓名=f"{community}书记", 身份="社区两委"),
        row("团队名册", 社区=community, 团队="辅助团队", 姓名=f"{community}委员",
            团队职务="联络员", 身份="社区两委"),
    ]


def household_base(community: str, prefix: str, types: list[str]) -> list[dict]:
    return [row("户册", 社区=community, 户编号=f"{prefix}-{i:04d}", 类型=kind)
            for i, kind in enumerate(types, start=1)]


def visit(community: str, household: str | None, day: dt.date, kind: str = "居民户",
          people: int | None = 1, visitor: str = "李福坚") -> dict:
    return row("走访登记", 社区=community, 户编号=household, 日期=day, 对象类型=kind, 人数=people,
               走访人=visitor)


def issue(number: int, **values: object) -> dict:
    return row("问题台账", 问题编号=f"LD-2026-{number:03d}", **values)


# 龙导 (李福坚): 10 households, 6 居民户, 2 个体工商户, 2 驻社区单位.
LONGDAO_TYPES = ["居民户"] * 6 + ["个体工商户"] * 2 + ["驻社区单位"] * 2
LONGDAO_VISITS = [
    *(visit("龙导", "LD-0001", day) for day in
      (D(2026, 3, 3), D(2026, 5, 12), D(2026, 8, 4), D(2026, 11, 3), D(2026, 11, 24))),
    visit("龙导", "LD-0002", D(2026, 6, 2), kind="个体工商户"),  # the 户册 says 居民户
    visit("龙导", "LD-0009", D(2026, 1, 1), kind="驻社区单位"),  # on 1 January: in
    visit("龙导", "LD-0007", AS_OF, kind="个体工商户"),          # on the as-of date: in
    visit("龙导", "LD-0003", NEW_YEAR_EVE),                     # last year: out
    visit("龙导", None, D(2026, 4, 7), kind="外出务工人员", people=3),
    visit("龙导", None, AS_OF, kind="外出务工人员", people=None),  # 人数 blank counts 1
    visit("龙导", None, NEW_YEAR_EVE, kind="外出务工人员", people=10),
    visit("龙导", None, D(2026, 9, 1), kind="外来人员", people=6),  # not 外出务工人员
]
LONGDAO_RECEPTIONS = [row("接待登记", 日期=D(2026, 2, 3), 来访人数=2),
                      row("接待登记", 日期=AS_OF, 来访人数=5),
                      row("接待登记", 日期=NEW_YEAR_EVE, 来访人数=7)]
LONGDAO_WORK = [row("工作台账", 驻点日期=D(2026, 11, 3), 收集问题数=3, 现场解决数=2),
                row("工作台账", 驻点日期=D(2026, 11, 24), 收集问题数=4, 现场解决数=1),
                row("工作台账", 驻点日期=D(2025, 12, 30), 收集问题数=5, 现场解决数=5)]
CLOSED = {"办理状态": "已办结", "办理结果": "已处理完毕"}
LONGDAO_ISSUES = [
    issue(1, 完成时限=D(2026, 11, 10), 办结日期=D(2026, 11, 5), 反馈日期=D(2026, 11, 6),
          群众评价="满意", **CLOSED),
    issue(2, 完成时限=D(2026, 11, 10), 办结日期=D(2026, 11, 20), 群众评价="不满意", **CLOSED),
    issue(3, 完成时限=D(2026, 11, 8), 办结日期=D(2026, 11, 8), 反馈日期=D(2026, 11, 9),
          群众评价="未评价", **CLOSED),
    issue(4, 完成时限=D(2026, 11, 30), 办理状态="办理中"),   # past due: 超期未办结
    issue(5, 完成时限=AS_OF, 办理状态="办理中"),             # due today: not yet overdue
    issue(6, 登记日期=D(2025, 12, 1), 完成时限=D(2025, 12, 25), 办结日期=D(2025, 12, 20),
          反馈日期=D(2025, 12, 21), 群众评价="满意", **CLOSED),  # closed last year
    issue(7, 登记日期=D(2026, 9, 1), 完成时限=D(2026, 10, 1), 办理状态="延期"),       # past due: 超期未办结
]


def summary(community: str, leader: str, **figures: int) -> dict:
    return row("社区汇总", 社区=community, 驻点领导=leader, 统计截至日期=D(2026, 11, 30),
               **{"总户数(户)": figures["total"], "已走访户数(户)": figures["visited"],
                  "群众(户)": figures["residents"], "企业/工商户(户)": figures["businesses"],
                  "接待群众数(人次)": figures["received"], "联系外出人员(人)": figures["outgoing"]})


def build_street(inbox: Path) -> None:
    """龙导 and 状元 (李福坚) from registers; 仁和 (张建勋) from a 社区汇总 only; 环珠 (张建勋)
    from both, disagreeing; the other six communities send nothing."""
    write_workbook(inbox / "龙导.xlsx", Sheet.of("团队名册", roster("龙导", "李福坚")),
                   Sheet.of("户册", household_base("龙导", "LD", LONGDAO_TYPES)),
                   Sheet.of("走访登记", LONGDAO_VISITS),
                   Sheet.of("接待登记", LONGDAO_RECEPTIONS),
                   Sheet.of("工作台账", LONGDAO_WORK),
                   Sheet.of("问题台账", LONGDAO_ISSUES))
    write_workbook(inbox / "状元.xlsx", Sheet.of("团队名册", roster("状元", "李福坚")),
                   Sheet.of("户册", household_base("状元", "ZY", ["居民户"] * 3)),
                   Sheet.of("走访登记", [visit("状元", "ZY-0001", D(2026, 7, 7))]))
    write_workbook(inbox / "仁和.xlsx", Sheet.of("社区汇总", [summary(
        "仁和", "张建勋", total=1300, visited=502, residents=349, businesses=153, received=82,
        outgoing=56)]))
    write_workbook(inbox / "环珠.xlsx", Sheet.of("团队名册", roster("环珠", "张建勋")),
                   Sheet.of("户册", household_base("环珠", "HZ", ["居民户"] * 4)),
                   Sheet.of("走访登记", [visit("环珠", f"HZ-000{i}", D(2026, 9, 8),
                                               visitor="张建勋") for i in (1, 2)]),
                   Sheet.of("社区汇总", [summary(
                       "环珠", "张建勋", total=4, visited=3, residents=3, businesses=0,
                       received=0, outgoing=0)]))


def run(ws: Workspace, as_of: dt.date = AS_OF) -> RunSummary:
    with open(os.devnull, "w") as sink:
        return run_nightly(ws, as_of=as_of, out=sink)


def statistics(ws: Workspace, as_of: dt.date = AS_OF) -> StatisticsTable:
    with Master(ws.master) as master:
        return compute_statistics(master, ws.config(), as_of)


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> StatisticsTable:
    ws = Workspace(tmp_path_factory.mktemp("street")).ensure()
    build_street(ws.inbox)
    result = run(ws)
    assert [f.status for f in result.files] == ["accepted"] * 4, result.files
    return statistics(ws)


def by_community(table: StatisticsTable) -> dict:
    return {r.community: r for r in table.rows}


def test_a_household_visited_five_times_counts_once(street: StatisticsTable) -> None:
    longdao = by_community(street)["龙导"]
    assert (longdao.total, longdao.visited) == (10, 4)
    assert longdao.percent("rate") == "40.00%"


def test_the_split_follows_the_household_base_not_the_visit(street: StatisticsTable) -> None:
    longdao = by_community(street)["龙导"]
    # LD-0002 was visited as a 个体工商户 but is a 居民户 in the 户册: by the visits'
    # 对象类型 the split would read 1 and 3.
    assert (longdao.residents, longdao.businesses) == (2, 2)


def test_period_is_new_year_to_the_as_of_date_inclusive(street: StatisticsTable) -> None:
    longdao = by_community(street)["龙导"]
    assert street.start == D(2026, 1, 1) and street.as_of == AS_OF
    # LD-0003, 7 visitors and 10 outgoing workers were all met on 31 December 2025.
    assert longdao.received == 2 + 5
    assert longdao.outgoing == 3 + 1
    assert (longdao.collected, longdao.solved) == (7, 3)


def test_issue_figures(street: StatisticsTable) -> None:
    longdao = by_community(street)["龙导"]
    assert (longdao.closed, longdao.on_time, longdao.fed_back) == (3, 2, 2)
    assert (longdao.rated, longdao.dissatisfied, longdao.overdue) == (2, 1, 2)
    assert longdao.percent("on_time_rate") == "66.67%"
    assert longdao.percent("feedback_rate") == "66.67%"
    assert longdao.percent("satisfaction") == "50.00%"
    quiet = by_community(street)["状元"]
    assert (quiet.closed, quiet.overdue) == (0, 0)
    assert quiet.percent("on_time_rate") == "—" and quiet.on_time_rate is None


def test_subtotals_are_recomputed_from_households(street: StatisticsTable) -> None:
    group = street.groups[0]
    assert group.leader == "李福坚"
    assert [r.community for r in group.rows] == ["龙导", "状元"]
    assert [r.percent("rate") for r in group.rows] == ["40.00%", "33.33%"]
    sub = group.subtotal
    assert (sub.total, sub.visited, sub.residents, sub.businesses) == (13, 5, 3, 2)
    assert (sub.received, sub.outgoing) == (7, 4)
    # 5/13 = 38.46%; the mean of the printed rates would be 36.67%.
    assert sub.percent("rate") == "38.46%"
    assert street.groups[1].subtotal.percent("rate") == "38.65%"  # (502 + 2) / (1300 + 4)


def test_street_total_adds_every_community(street: StatisticsTable) -> None:
    total = street.total
    assert (total.total, total.visited, total.residents, total.businesses) == (
        10 + 3 + 1300 + 4, 4 + 1 + 502 + 2, 2 + 1 + 349 + 2, 2 + 0 + 153 + 0)
    assert (total.received, total.outgoing) == (7 + 82, 4 + 56)
    assert total.percent("rate") == "38.65%"  # 509 / 1317 = 38.648%
    assert (total.closed, total.overdue) == (3, 2)


def test_every_community_of_the_config_has_a_row(street: StatisticsTable) -> None:
    assert [r.community for r in street.rows] == [
        "龙导", "状元", "仁和", "环珠", "富力", "新民", "鹤兴", "梅园南", "昌盛", "龙田"]
    assert [g.leader for g in street.groups] == ["李福坚", "张建勋", "夏先华", "冯志明", "黄耀东"]


def test_a_community_without_data_shows_zeros(street: StatisticsTable) -> None:
    fuli = by_community(street)["富力"]
    assert fuli.basis == NO_DATA
    assert (fuli.total, fuli.visited, fuli.received, fuli.outgoing, fuli.collected) == (0, 0, 0, 0, 0)
    assert fuli.rate is None and fuli.percent("rate") == "—"
    assert fuli.leader == "夏先华"
    group = next(g for g in street.groups if g.leader == "冯志明")
    assert group.subtotal.total == 0 and group.subtotal.percent("rate") == "—"


def test_a_summary_alone_is_used_and_marked_reported(street: StatisticsTable) -> None:
    renhe = by_community(street)["仁和"]
    assert renhe.basis == REPORTED
    assert (renhe.total, renhe.visited, renhe.residents, renhe.businesses) == (1300, 502, 349, 153)
    assert (renhe.received, renhe.outgoing) == (82, 56)
    assert renhe.percent("rate") == "38.62%"
    assert renhe.note == ""


def test_a_household_roster_is_no_register(tmp_path: Path) -> None:
    # 新民 keeps a 户册 and reports its figures in a 社区汇总, with no 走访/接待登记 this year
    # (last year's visit does not count): the table shows the reported figures, as 填报
    ws = Workspace(tmp_path).ensure()
    write_workbook(ws.inbox / "新民.xlsx", Sheet.of("团队名册", roster("新民", "夏先华")),
                   Sheet.of("户册", household_base("新民", "XM", ["居民户"] * 3)),
                   Sheet.of("走访登记", [visit("新民", "XM-0001", NEW_YEAR_EVE, visitor="夏先华")]),
                   Sheet.of("社区汇总", [summary(
                       "新民", "夏先华", total=3215, visited=1992, residents=1917, businesses=75,
                       received=45, outgoing=25)]))
    run(ws)
    xinmin = by_community(statistics(ws))["新民"]
    assert xinmin.basis == REPORTED
    assert (xinmin.total, xinmin.visited, xinmin.residents, xinmin.businesses, xinmin.received,
            xinmin.outgoing) == (3215, 1992, 1917, 75, 45, 25)
    # its 户册 alone, without the summary: computed, not 无数据
    ws2 = Workspace(tmp_path / "only").ensure()
    write_workbook(ws2.inbox / "新民.xlsx", Sheet.of("团队名册", roster("新民", "夏先华")),
                   Sheet.of("户册", household_base("新民", "XM", ["居民户"] * 3)))
    run(ws2)
    alone = by_community(statistics(ws2))["新民"]
    assert (alone.basis, alone.total, alone.visited) == (COMPUTED, 3, 0)


def test_registers_win_over_a_summary_and_the_difference_is_noted(
        street: StatisticsTable) -> None:
    huanzhu = by_community(street)["环珠"]
    assert huanzhu.basis == COMPUTED
    assert (huanzhu.total, huanzhu.visited, huanzhu.residents) == (4, 2, 2)
    assert huanzhu.note == ("社区汇总（截至2026-11-30）与台账不一致："
                            "已走访户数(户)填报3、计算2；群众(户)填报3、计算2")
    assert by_community(street)["龙导"].note == ""


def test_a_summary_is_compared_with_the_registers_at_its_own_date(tmp_path: Path) -> None:
    # a June summary that agrees with June's registers; visits go on after it
    ws = Workspace(tmp_path / "ws").ensure()
    june = dict(summary("环珠", "张建勋", total=4, visited=1, residents=1, businesses=0,
                        received=0, outgoing=0), 统计截至日期=D(2026, 6, 30))
    write_workbook(ws.inbox / "环珠.xlsx", Sheet.of("团队名册", roster("环珠", "张建勋")),
                   Sheet.of("户册", household_base("环珠", "HZ", ["居民户"] * 4)),
                   Sheet.of("走访登记", [visit("环珠", "HZ-0001", D(2026, 6, 2), visitor="张建勋"),
                                        visit("环珠", "HZ-0002", D(2026, 9, 8), visitor="张建勋")]),
                   Sheet.of("社区汇总", [june]))
    run(ws)
    huanzhu = by_community(statistics(ws))["环珠"]
    assert (huanzhu.basis, huanzhu.visited, huanzhu.note) == (COMPUTED, 2, "")  # no false alarm
    later = dict(june, **{"已走访户数(户)": 2, "群众(户)": 2})  # June's summary, overstated
    write_workbook(ws.inbox / "更正.xlsx", Sheet.of("社区汇总", [later]))
    run(ws)
    assert by_community(statistics(ws))["环珠"].note == (
        "社区汇总（截至2026-06-30）与台账不一致：已走访户数(户)填报2、计算1；群众(户)填报2、计算1")


def test_percent_rounds_half_up_exactly() -> None:
    assert percent(Fraction(1, 160)) == "0.63%"       # 0.625%, not 0.62%
    assert percent(Fraction(1, 8000)) == "0.01%"      # 0.0125%
    assert percent(Fraction(820, 1050)) == "78.10%"
    assert percent(Fraction(1, 1)) == "100.00%"
    assert percent(None) == "—"


def test_year_pace() -> None:
    assert year_pace(D(2026, 12, 1)) == Fraction(335, 365)
    assert percent(year_pace(D(2026, 12, 1))) == "91.78%"
    assert year_pace(D(2026, 12, 31)) == 1
    assert year_pace(D(2028, 1, 1)) == Fraction(1, 366)


def test_the_seeds_printed_table_is_rejected_for_changsheng(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws").ensure()
    write_workbook(ws.inbox / "统计表.xlsx", seed_table_sheet())
    result = run(ws)
    assert result.files[0].status == "rejected"
    assert result.findings["SUM-SPLIT"] == 1
    assert all(r.basis == NO_DATA for r in statistics(ws).rows)


# The seed's table as printed, 昌盛 corrected (群众 500): 社区: the printed figures.
PRINTED = {
    "龙导": ("李福坚", 1050, 820, 755, 65, 320, 58),
    "状元": ("李福坚", 1941, 862, 857, 5, 126, 182),
    "仁和": ("张建勋", 1300, 502, 349, 153, 82, 56),
    "环珠": ("张建勋", 1025, 759, 594, 165, 122, 1466),
    "富力": ("夏先华", 2393, 1407, 1281, 126, 985, 50),
    "新民": ("夏先华", 3215, 1992, 1917, 75, 45, 25),
    "鹤兴": ("冯志明", 1268, 739, 700, 39, 250, 22),
    "梅园南": ("冯志明", 1225, 520, 483, 37, 520, 34),
    "昌盛": ("黄耀东", 1550, 550, 500, 50, 32, 14),
    "龙田": ("黄耀东", 2620, 1050, 990, 60, 120, 150),
}


def test_the_seeds_table_as_a_summary_gives_the_reported_table(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws").ensure()
    sheet = seed_table_sheet(title="驻点团队联系群众数据统计表（统计截至2026年11月30日）")
    changsheng = [r[1] for r in sheet.rows].index("昌盛")
    rows = [list(r) for r in sheet.rows]
    assert rows[changsheng][4] == 1500 and SEED_ROWS[changsheng][4] == 1500
    rows[changsheng][4] = 500
    sheet.rows = rows
    write_workbook(ws.inbox / "统计表.xlsx", sheet)
    result = run(ws)
    assert result.files[0].status == "accepted"
    # Printed rates that are not visited/total: 78%, 74%, 59.00% twice, 61.95%, 42.00%,
    # 35.00%, 41.00% (44.41% and 38.62% are right).
    assert result.findings["SUM-RATE"] == 8
    assert result.findings["REQUIRED"] == 0  # the date was found in the title
    table = statistics(ws)
    assert [r.community for r in table.rows] == list(PRINTED)
    for r in table.rows:
        assert r.basis == REPORTED
        assert (r.leader, r.total, r.visited, r.residents, r.businesses, r.received,
                r.outgoing) == PRINTED[r.community]
    assert table.total.total == 17587 and table.total.visited == 9201
    assert table.total.percent("rate") == "52.32%"
