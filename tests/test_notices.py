"""The public notices (pipeline.notices): windows, changes, NOTICE-LEAD, privacy, browsers."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

import schemas
from pipeline import notices
from pipeline.config import load_config
from pipeline.demo import build_demo
from pipeline.html import render
from pipeline.nightly import run_nightly
from pipeline.public_view import IssueResult, build_public_view
from pipeline.store import Master
from pipeline.workspace import Workspace
from tests.builders import Sheet, row, write_workbook
from tests.test_public_view import add_rows, new_master, schedule

if TYPE_CHECKING:
    from tests.browser import PageChecker

pytest_plugins = ("tests.browser",)

CONFIG = load_config(None)
D = dt.date
AS_OF = D(2026, 12, 1)  # a Tuesday
SCRIPT = "<script>alert(1)</script>"


def community_html(master: Master, as_of: dt.date, community: str = "龙导") -> str:
    view = build_public_view(master, CONFIG, as_of)
    return render("notice_community.html", page=notices.community_page(view, community))


def text_of(html: str, css_class: str) -> list[str]:
    """The text of every element whose class list has `css_class` (tags inside dropped)."""
    found = re.findall(rf'<(\w+) class="[^"]*\b{css_class}\b[^"]*">(.*?)</\1>', html, re.S)
    return [re.sub(r"<[^>]+>", "", inner).strip() for _, inner in found]


# -- schedule windows and the 发布日期 rule ----------------------------------------------------

def test_street_board_shows_this_week_and_the_next_two_from_as_of(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [
        schedule(D(2026, 11, 24), D(2026, 11, 17)),                    # past: gone
        schedule(D(2026, 12, 1), D(2026, 11, 24)),                     # today: this week
        schedule(D(2026, 12, 8), D(2026, 11, 24), community="状元"),
        schedule(D(2026, 12, 8), D(2026, 11, 24)),
        schedule(D(2026, 12, 20), D(2026, 11, 24)),                    # Sunday of week 3
        schedule(D(2026, 12, 21), D(2026, 11, 24)),                    # week 4: not on the board
    ])
    page = notices.index_page(build_public_view(master, CONFIG, AS_OF))
    weeks = [(w.label, w.span, [(d.day, d.weekday, [s.community for s in d.sessions])
                                for d in w.days]) for w in page.weeks]
    assert weeks == [
        ("本周", "11月30日至12月6日", [("12月1日", "星期二", ["龙导"])]),
        ("下周", "12月7日至12月13日", [("12月8日", "星期二", ["龙导", "状元"])]),
        ("12月14日起的一周", "12月14日至12月20日", [("12月20日", "星期日", ["龙导"])]),
    ]
    community = notices.community_page(build_public_view(master, CONFIG, AS_OF), "龙导")
    assert [s.day for s in community.sessions] == ["12月1日", "12月8日", "12月20日", "12月21日"]


def test_a_week_whose_sessions_are_over_says_so(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [schedule(D(2026, 12, 8), D(2026, 11, 25))])
    later = notices.index_page(build_public_view(master, CONFIG, D(2026, 12, 9)))
    assert (later.weeks[0].days, later.weeks[0].held) == ((), 1)
    html = render("notice_index.html", page=later)
    assert "本周的1场驻点已经结束，没有待进行的安排。" in html
    assert "没有已公布的驻点安排。" in html  # the weeks after it


@pytest.mark.parametrize(("as_of", "shown"), [(D(2026, 12, 1), False), (D(2026, 12, 2), True)])
def test_a_session_is_shown_from_its_publication_day_on(tmp_path: Path, as_of: dt.date,
                                                        shown: bool) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [schedule(D(2026, 12, 8), published=D(2026, 12, 2))])
    view = build_public_view(master, CONFIG, as_of)
    index = render("notice_index.html", page=notices.index_page(view))
    html = community_html(master, as_of)
    assert ("12月8日" in text_of(html, "nt-date")) is shown
    assert ("12月8日" in text_of(index, "nt-day")[0] if shown else text_of(index, "nt-day") == [])
    link = next(c for c in notices.index_page(view).communities if c.name == "龙导")
    assert link.next_session == ("12月8日（星期二）08:30–12:00" if shown else "暂无已公布的安排")


def test_a_change_replaces_the_regular_session_and_both_show(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [
        schedule(D(2026, 12, 8), D(2026, 11, 25)),
        schedule(D(2026, 12, 8), D(2026, 12, 1), kind="变更", 驻点地点="龙导社区居委会二楼",
                 开始时间="14:30", 结束时间="18:00", 变更说明="党群服务中心维修"),
    ])
    before = notices.community_page(build_public_view(master, CONFIG, D(2026, 11, 30)), "龙导")
    assert [(s.status, s.place, s.time, s.was) for s in before.sessions] == [
        ("按计划", "龙导社区党群服务中心", "08:30–12:00", None)]
    assert before.changes == ()

    page = notices.community_page(build_public_view(master, CONFIG, AS_OF), "龙导")
    (session,) = page.sessions
    assert (session.status, session.place, session.time, session.reason, session.announced) == (
        "有变更", "龙导社区居委会二楼", "14:30–18:00", "党群服务中心维修", "2026年12月1日")
    assert session.was == "08:30–12:00，龙导社区党群服务中心，带队领导李福坚"
    (change,) = page.changes
    assert (change.kind, change.day, change.was, change.now, change.reason, change.announced) == (
        "有变更", "12月8日", "08:30–12:00，龙导社区党群服务中心，带队领导李福坚",
        "14:30–18:00，龙导社区居委会二楼，带队领导李福坚", "党群服务中心维修", "2026年12月1日")

    html = community_html(master, AS_OF)
    assert text_of(html, "nt-place") == ["龙导社区居委会二楼"]
    assert text_of(html, "nt-was") == ["08:30–12:00，龙导社区党群服务中心，带队领导李福坚"] * 2
    assert text_of(html, "nt-now") == ["14:30–18:00，龙导社区居委会二楼，带队领导李福坚"]


def test_a_cancellation_taken_back_is_marked_as_replaced(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [
        schedule(D(2026, 12, 15), D(2026, 11, 25)),
        schedule(D(2026, 12, 15), D(2026, 12, 1), kind="取消", 变更说明="场地维修"),
        schedule(D(2026, 12, 15), D(2026, 12, 3), kind="变更", 变更说明="维修提前完成，恢复驻点",
                 驻点地点="龙导社区居委会二楼"),
    ])
    page = notices.community_page(build_public_view(master, CONFIG, D(2026, 12, 4)), "龙导")
    assert [(c.kind, c.announced, c.replaced_on) for c in page.changes] == [
        ("有变更", "2026年12月3日", None), ("已取消", "2026年12月1日", "2026年12月3日")]
    html = community_html(master, D(2026, 12, 4))
    assert text_of(html, "nt-replaced-note") == [
        "此通知已被2026年12月3日公布的新通知取代，请以最新通知为准。"]
    (session,) = page.sessions
    assert (session.status, session.place) == ("有变更", "龙导社区居委会二楼")


def test_a_cancellation_shows_as_cancelled_with_its_reason(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [
        schedule(D(2026, 12, 8), D(2026, 11, 25)),
        schedule(D(2026, 12, 8), D(2026, 12, 1), kind="取消", 变更说明="台风红色预警"),
        schedule(D(2026, 12, 15), D(2026, 11, 25)),
    ])
    view = build_public_view(master, CONFIG, AS_OF)
    page = notices.community_page(view, "龙导")
    assert [(s.day, s.status, s.cancelled, s.reason) for s in page.sessions] == [
        ("12月8日", "已取消", True, "台风红色预警"), ("12月15日", "按计划", False, None)]
    assert [(c.kind, c.now, c.reason) for c in page.changes] == [
        ("已取消", "本次驻点取消", "台风红色预警")]
    html = community_html(master, AS_OF)
    assert text_of(html, "nt-reason") == ["台风红色预警", "台风红色预警"]
    assert "本次驻点取消，请勿前往。" in html
    link = next(c for c in notices.index_page(view).communities if c.name == "龙导")
    assert link.next_session == "12月15日（星期二）08:30–12:00"  # the cancelled one is skipped


def test_old_changes_leave_the_boards_after_recent_days(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [
        schedule(D(2026, 11, 10), D(2026, 11, 9), kind="变更"),   # announced 22 days ago
        schedule(D(2026, 11, 24), D(2026, 11, 17), kind="取消"),  # announced 14 days ago
    ])
    page = notices.index_page(build_public_view(master, CONFIG, AS_OF))
    assert [(c.community, c.day, c.kind) for c in page.changes] == [("龙导", "11月24日", "已取消")]


# -- NOTICE-LEAD -------------------------------------------------------------------------------

def test_notice_lead_breach_for_a_change_on_the_day_not_one_day_ahead(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [
        schedule(D(2026, 12, 1), D(2026, 11, 24)),
        schedule(D(2026, 12, 1), D(2026, 12, 1), kind="变更", 驻点地点="社区居委会"),  # same day
        schedule(D(2026, 12, 8), D(2026, 11, 24), community="状元"),
        schedule(D(2026, 12, 8), D(2026, 12, 7), kind="取消", community="状元"),      # 1 day ahead
    ])
    breaches = notices.notice_lead_breaches(master, CONFIG, D(2026, 12, 7))
    assert breaches == [{
        "rule": "NOTICE-LEAD", "community": "龙导", "date": D(2026, 12, 1),
        "published": D(2026, 12, 1), "kind": "变更", "lead_days": 0, "required_days": 1,
        "message": "龙导社区2026年12月1日驻点的变更安排于2026年12月1日（当天）才公布，应至少提前1天公布",
    }]
    # the late change is published all the same
    page = notices.community_page(build_public_view(master, CONFIG, D(2026, 12, 1)), "龙导")
    assert [(s.day, s.place) for s in page.sessions] == [("12月1日", "社区居委会")]


def test_notice_lead_follows_the_policy_and_sees_a_late_date_still_to_come(
        tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [schedule(D(2026, 12, 8), D(2026, 12, 6), kind="变更"),
                              schedule(D(2026, 12, 15), D(2026, 12, 15))])  # to be late
    strict = load_config(None)
    strict = type(strict)(strict.street, strict.district, strict.leaders,
                          type(strict.policy)(notice_lead_days=3))
    (late,) = notices.notice_lead_breaches(master, CONFIG, D(2026, 12, 1))
    assert (late["date"], late["lead_days"]) == (D(2026, 12, 15), 0)
    assert "计划于2026年12月15日（当天）公布" in late["message"]
    early, late = notices.notice_lead_breaches(master, strict, D(2026, 12, 6))
    assert (early["lead_days"], early["required_days"]) == (2, 3)
    assert "于2026年12月6日（提前2天）才公布" in early["message"]
    # the clerk moves the late announcement earlier: no breach while it stands so
    add_rows(master, "驻点安排", [schedule(D(2026, 12, 15), D(2026, 12, 10))])
    assert notices.notice_lead_breaches(master, CONFIG, D(2026, 12, 1)) == []
    assert notices.notice_lead_breaches(master, CONFIG, D(2026, 12, 16)) == []


# -- team, issues, escaping --------------------------------------------------------------------

def roster() -> list[dict[str, Any]]:
    return [
        row("团队名册", 姓名="王成员", 团队职务="成员", 联系电话="13800000003", 身份="党员干部"),
        row("团队名册"),
        row("团队名册", 姓名="陈联络", 团队职务="联络员", 联系电话="020-84200002",
            身份="街道中层干部"),
        row("团队名册", 团队="辅助团队", 姓名="赵书记", 单位及职务="龙导社区党委书记",
            联系电话="020-84200004", 身份="社区两委"),
        row("团队名册", 团队="辅助团队", 姓名="钱委员", 团队职务="联络员",
            联系电话="020-84200005", 身份="社区两委"),
    ]


def test_team_issues_and_the_contact_card(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "团队名册", roster())
    add_rows(master, "驻点安排", [schedule(D(2026, 12, 8), D(2026, 11, 25)),
                              schedule(D(2026, 12, 15), D(2026, 11, 25))])
    add_rows(master, "问题台账", [
        row("问题台账", 问题编号="A", 公开摘要=SCRIPT),
        row("问题台账", 问题编号="B", 类别="环境卫生", 办理层级="街道", 办理状态="已办结",
            办结日期=D(2026, 11, 8), 办理结果="已清理", 反馈日期=D(2026, 11, 9), 公开摘要=None),
        row("问题台账", 问题编号="C", 登记日期=D(2025, 3, 1), 完成时限=D(2025, 3, 9),
            办理状态="已办结", 办结日期=D(2025, 3, 8), 办理结果="x", 反馈日期=D(2025, 3, 9)),
    ])
    view = build_public_view(master, CONFIG, AS_OF)
    page = notices.community_page(view, "龙导")
    assert [(t.name, [(m.name, m.role, m.phone, m.tel) for m in t.members]) for t in page.teams] == [
        ("驻点团队", [("李福坚", "负责人", "020-84201234", "tel:020-84201234"),
                  ("陈联络", "联络员", "020-84200002", "tel:020-84200002"),
                  ("王成员", "成员", "13800000003", "tel:13800000003")]),
        ("辅助团队", [("赵书记", "负责人", "020-84200004", "tel:020-84200004"),
                  ("钱委员", "联络员", "020-84200005", "tel:020-84200005")]),
    ]
    # last year's closed issue is left out; newest 登记日期 first
    assert [(i.category, i.status, i.level, i.registered, i.due, i.closed, i.feedback, i.summary)
            for i in page.issues] == [
        ("民生微实事", "办理中", "驻点团队", "2026年11月3日", "2026年11月10日", None, None, SCRIPT),
        ("环境卫生", "已办结", "街道", "2026年11月3日", "2026年11月10日", "2026年11月8日",
         "2026年11月9日", "（公开摘要审核后公布）"),
    ]
    assert page.issue_counts == (("办理中", 1), ("已办结", 1))
    assert page.regular == "每周二 08:30–12:00，龙导社区党群服务中心"

    card = notices.contact_card(view, "龙导")
    assert (card.day, card.time, card.place) == ("每周二", "08:30–12:00", "龙导社区党群服务中心")
    assert card.leader is not None and (card.leader.name, card.leader.phone) == (
        "李福坚", "020-84201234")
    assert [(c.label, c.name, c.phone) for c in card.contacts] == [
        ("驻点团队联络员", "陈联络", "020-84200002"), ("辅助团队负责人", "赵书记", "020-84200004"),
        ("辅助团队联络员", "钱委员", "020-84200005")]
    assert (card.street_team, card.support_team) == (("李福坚", "陈联络", "王成员"),
                                                     ("赵书记", "钱委员"))

    pages = notices.render_notices(view)
    html = pages[Path("龙导", "index.html")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert all("<script" not in text for text in pages.values())  # no JavaScript at all
    assert all(not re.search(r'(src|href)="(https?:)?//', text) for text in pages.values())
    assert len(re.findall(r'class="contact-card"', pages[Path("龙导", "联系卡.html")])) == 4
    assert text_of(html, "nt-summary") == [SCRIPT.replace("<", "&lt;").replace(">", "&gt;"),
                                           "（公开摘要审核后公布）"]


def test_an_extension_is_dialled_after_a_pause() -> None:
    assert notices.tel("020-84203655-801") == "tel:020-84203655,801"  # as stored from 转801
    assert notices.tel("020-84201234") == "tel:020-84201234"
    assert notices.tel("13800138000") == "tel:13800138000"


def test_a_card_without_a_roster_does_not_point_at_phones_it_lacks(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "团队名册", roster())  # 龙导's only
    pages = notices.render_notices(build_public_view(master, CONFIG, AS_OF))
    assert "拨打上面的电话" in pages[Path("龙导", "联系卡.html")]
    other = pages[Path("状元", "联系卡.html")]
    assert "拨打上面的电话" not in other and "团队名册尚未报送" in other


def test_an_issue_closed_after_the_as_of_date_is_shown_as_it_stood(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "问题台账", [row("问题台账", 办理状态="已办结", 办结日期=D(2026, 11, 25),
                                   办理结果="已修复", 反馈日期=D(2026, 11, 26))])
    then = notices.community_page(build_public_view(master, CONFIG, D(2026, 11, 22)), "龙导")
    assert [(i.status, i.closed, i.feedback) for i in then.issues] == [("办理中", None, None)]
    now = notices.community_page(build_public_view(master, CONFIG, D(2026, 11, 26)), "龙导")
    assert [(i.status, i.closed, i.feedback) for i in now.issues] == [
        ("已办结", "2026年11月25日", "2026年11月26日")]


def test_pages_written_for_every_community_with_links(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws").ensure()
    master = new_master(tmp_path)
    paths = notices.write_notices(ws, master, CONFIG, AS_OF)
    relative = sorted(str(p.relative_to(ws.public)) for p in paths)
    assert relative == sorted(["index.html"] + [f"{c}/{name}" for c in CONFIG.communities
                                                for name in ("index.html", "联系卡.html")])
    index = (ws.public / "index.html").read_text("utf-8")
    for target in ["statistics.html", quote("字段说明.html")] + [
            quote(f"{c}/index.html") for c in CONFIG.communities]:
        assert f'href="{target}"' in index
    community = (ws.public / "梅园南" / "index.html").read_text("utf-8")
    assert 'href="../index.html"' in community and 'href="../statistics.html"' in community
    assert f'href="{quote("联系卡.html")}"' in community
    assert "本页生成日期：2026年12月1日" in community


# -- end to end: no private value reaches outbox/public/ -------------------------------------

class Markers:
    """Unique marker strings for private columns, remembered with the columns they were put in."""

    def __init__(self) -> None:
        self.where: dict[str, tuple[str, ...]] = {}

    def text(self, *where: str) -> str:
        value = f"隐私标记甲{len(self.where) + 1}号"
        self.where[value] = where
        return value

    def phone(self, *where: str) -> str:
        value = f"139123456{len(self.where) + 10:02d}"
        self.where[value] = where
        return value

    def columns(self) -> set[str]:
        return {column for where in self.where.values() for column in where}


def private_free_columns() -> set[str]:
    """Every private column holding a name, phone, address, id or free text (`账.列`): choice,
    date, time and number columns are left out, and so is the community's own name."""
    return {f"{ledger}.{spec.header}" for ledger, model in schemas.LEDGERS.items()
            for spec in schemas.field_specs(model)
            if not spec.public and spec.kind in ("text", "phone") and not spec.choices
            and spec.name != "community"}


def private_workbook(path: Path, m: Markers) -> None:
    """Every ledger of 龙导, each private free-text, name, phone or address column a marker."""
    homes = [m.text("户册.户编号", "走访登记.户编号") for _ in range(3)]
    grid = m.text("户册.网格")
    issue_ids = [m.text("问题台账.问题编号", "走访登记.问题编号", "接待登记.问题编号")
                 for _ in range(2)]
    households = [row("户册", 户编号=h, 网格=grid, 地址=m.text("户册.地址")) for h in homes]
    visits = [row("走访登记", 日期=D(2026, 11, 24), 户编号=h, 走访人=m.text("走访登记.走访人"),
                  情况记录=m.text("走访登记.情况记录"), 问题编号=issue_ids[0]) for h in homes]
    receptions = [row("接待登记", 日期=D(2026, 11, 24), 接待地点=m.text("接待登记.接待地点"),
                      接待人=m.text("接待登记.接待人"), 来访人=m.text("接待登记.来访人"),
                      联系电话=m.phone("接待登记.联系电话"), 反映事项=m.text("接待登记.反映事项"),
                      处理方式="转办", 问题编号=issue_ids[1])]
    work_log = [row("工作台账", 驻点日期=D(2026, 11, 24), 驻点地点=m.text("工作台账.驻点地点"),
                    带队领导=m.text("工作台账.带队领导"), 备注=m.text("工作台账.备注"))]

    def issue(issue_id: str, **extra: Any) -> dict[str, Any]:
        return row("问题台账", 问题编号=issue_id, 问题描述=m.text("问题台账.问题描述"),
                   反映人=m.text("问题台账.反映人"), 联系电话=m.phone("问题台账.联系电话"),
                   责任人=m.text("问题台账.责任人"), 承办单位=m.text("问题台账.承办单位"),
                   办理措施=m.text("问题台账.办理措施"), **extra)

    issues = [issue(issue_ids[0], 公开摘要=SCRIPT),
              issue(issue_ids[1], 办理状态="已办结", 办结日期=D(2026, 11, 8),
                    办理结果=m.text("问题台账.办理结果"), 反馈日期=D(2026, 11, 9),
                    群众评价="满意", 公开摘要="清理3巷杂物")]
    write_workbook(path, Sheet.of("团队名册", roster()), Sheet.of("户册", households),
                   Sheet.of("走访登记", visits), Sheet.of("接待登记", receptions),
                   Sheet.of("工作台账", work_log), Sheet.of("问题台账", issues),
                   Sheet.of("驻点安排", [schedule(D(2026, 12, 8), D(2026, 11, 25))]))


def encodings(marker: str) -> list[bytes]:
    """How a marker could be spelled inside a file."""
    return [marker.encode("utf-8"), marker.encode("utf-16-le"), quote(marker).encode(),
            quote(marker).lower().encode(), json.dumps(marker).strip('"').encode()]


def file_contents(path: Path) -> Iterator[tuple[str, bytes]]:
    """A file's bytes, and each member of it when it is a zip (xlsx, docx …)."""
    data = path.read_bytes()
    yield str(path), data
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                yield f"{path}!{name}", archive.read(name)


def test_no_private_value_reaches_outbox_public(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws").ensure()
    markers = Markers()
    private_workbook(ws.inbox / "龙导_台账.xlsx", markers)
    summary = run_nightly(ws, as_of=AS_OF, out=io.StringIO())
    assert [f.status for f in summary.files] == ["accepted"], summary.files
    with Master(ws.master) as master:  # until publish.py calls it, render the notices here
        notices.write_notices(ws, master, ws.config(), AS_OF)
        assert len(master.current("问题台账")) == 2 and len(master.current("走访登记")) == 3

    files = [p for p in ws.public.rglob("*") if p.is_file()]
    names = {str(p.relative_to(ws.public)) for p in files}
    assert {"index.html", "龙导/index.html", "龙导/联系卡.html"} <= names
    assert markers.columns() == private_free_columns()
    assert len(private_free_columns()) == 24
    hits = [f"{'/'.join(markers.where[marker])} {marker!r} in {where}"
            for path in files for where, data in file_contents(path)
            for marker in markers.where if any(form in data for form in encodings(marker))]
    assert hits == []

    page = (ws.public / "龙导" / "index.html").read_text("utf-8")  # the public data is there
    for public in ("陈联络", "020-84200002", "清理3巷杂物", "龙导社区党群服务中心",
                   "&lt;script&gt;alert(1)&lt;/script&gt;"):
        assert public in page
    assert SCRIPT not in page


# -- in a browser: the demo's pages, at a phone's and a desktop's width ------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("demo") / "ws").ensure()
    build_demo(ws, AS_OF)
    summary = run_nightly(ws, as_of=AS_OF, out=io.StringIO())
    assert {f.status for f in summary.files} == {"accepted"}
    with Master(ws.master) as master:
        notices.write_notices(ws, master, ws.config(), AS_OF)
    return ws


PAGES = {"notice_index": "index.html", "notice_community": "状元/index.html",
         "notice_card": "状元/联系卡.html"}


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", list(PAGES))
def test_pages_fit_the_screen_without_errors(demo: Workspace, page_check: PageChecker,
                                             name: str, width: int) -> None:
    scroll_width, viewport, errors = page_check(demo.public / PAGES[name], width, name)
    assert errors == []
    assert viewport == width
    assert scroll_width <= viewport


def test_demo_pages_show_the_changes(demo: Workspace) -> None:
    html = (demo.public / "状元" / "index.html").read_text("utf-8")
    assert text_of(html, "badge")[:4] == ["按计划", "有变更", "已取消", "按计划"]
    assert "状元社区居委会二楼会议室" in text_of(html, "nt-place")
    assert notices.notice_lead_breaches(Master(demo.master), demo.config(), AS_OF) == []


def test_the_contact_card_prints_on_one_a4_page(demo: Workspace, chromium: Any) -> None:
    page = chromium.new_page()
    try:
        page.goto((demo.public / "状元" / "联系卡.html").resolve().as_uri())
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        page.emulate_media(media="print")
        cards = page.evaluate("() => [...document.querySelectorAll('.contact-card')]"
                              ".map(c => [c.scrollHeight, c.clientHeight])")
    finally:
        page.close()
    (Path(__file__).parent / "artifacts").mkdir(exist_ok=True)
    (Path(__file__).parent / "artifacts" / "notice_card.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2
                         for w, h in boxes)  # A4 in points
    assert len(cards) == 4
    assert all(scroll <= client for scroll, client in cards)  # nothing cut off


def test_a_large_teams_card_prints_whole(tmp_path: Path, chromium: Any) -> None:
    master = new_master(tmp_path)
    extra = [row("团队名册", 团队=team, 姓名=f"{team[:2]}成员{i:02d}", 团队职务="成员",
                 联系电话="13800000003", 身份="志愿者")
             for team, n in (("驻点团队", 8), ("辅助团队", 18)) for i in range(n)]
    add_rows(master, "团队名册", roster() + extra)
    add_rows(master, "驻点安排", [schedule(D(2026, 12, 8), D(2026, 11, 25),
                                       驻点地点="龙导社区党群服务中心一楼大厅（龙导尾大街3号，近地铁站B出口）")])
    pages = notices.render_notices(build_public_view(master, CONFIG, AS_OF))
    card = tmp_path / "联系卡.html"
    card.write_text(pages[Path("龙导", "联系卡.html")], "utf-8")  # its style is inline
    page = chromium.new_page()
    try:
        page.goto(card.resolve().as_uri())
        page.emulate_media(media="print")
        cards = page.evaluate("() => [...document.querySelectorAll('.contact-card')]"
                              ".map(c => [c.scrollHeight, c.clientHeight])")
    finally:
        page.close()
    assert len(cards) == 4 and all(scroll <= client for scroll, client in cards)  # no text cut


def test_the_issues_a_page_lists_match_the_years_figures() -> None:
    def issue(registered: dt.date, status: str, closed: dt.date | None) -> IssueResult:
        return IssueResult(community="龙导", category="环境卫生", level="驻点团队", status=status,
                           registered=registered, due=registered + dt.timedelta(days=7),
                           closed=closed, feedback=None, public_summary=f"摘要{registered}")

    as_of = dt.date(2026, 12, 29)
    issues = [
        issue(dt.date(2025, 12, 10), "已办结", dt.date(2026, 1, 5)),   # closed this year: counted
        issue(dt.date(2025, 11, 1), "已办结", dt.date(2025, 11, 20)),  # all last year: not
        issue(dt.date(2025, 10, 1), "办理中", None),                    # still open: shown
        issue(dt.date(2026, 3, 3), "已办结", dt.date(2026, 3, 9)),     # this year
    ]
    assert [i.registered for i in notices.shown_issues(issues, as_of)] == [
        dt.date(2025, 12, 10), dt.date(2025, 10, 1), dt.date(2026, 3, 3)]


def test_the_street_board_lists_every_community_and_the_statistics_table(tmp_path: Path) -> None:
    # DOMAIN: a street-level page lists every community and the statistics table
    ws = Workspace(tmp_path / "demo").ensure()
    build_demo(ws, AS_OF)
    with open(os.devnull, "w") as sink:
        run_nightly(ws, as_of=AS_OF, out=sink)
    index = (ws.public / "index.html").read_text("utf-8")
    section = index[index.index('id="statistics"'):]
    assert all(f">{c}<" in section for c in CONFIG.communities)
    for figure in ("17587", "9201", "52.32%", "李福坚", "全街道合计"):  # the seed's street total
        assert figure in section, figure
    assert 'href="#statistics"' in index and "<svg" not in section  # the chart stays on its page
