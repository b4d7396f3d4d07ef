"""The privacy boundary (pipeline.public_view): only public columns, only published notices."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import schemas
from pipeline.config import load_config
from pipeline.public_view import (
    VIEW_TYPES,
    Announcement,
    IssueResult,
    PrivateFieldError,
    Session,
    TeamMember,
    build_public_view,
    view_fields,
)
from pipeline.store import Master
from schemas import Issue
from tests.builders import row

CONFIG = load_config(None)
D = dt.date


# -- a master built in code (shared with tests/test_notices.py) ----------------------------

def new_master(tmp_path: Path) -> Master:
    return Master(tmp_path / "data" / "master.sqlite")


def add_rows(master: Master, ledger: str, rows: list[dict[str, Any]]) -> None:
    """Merge `rows` (header-keyed, as tests.builders.row makes them) as one accepted submission."""
    with master.transaction():
        submission = master.add_submission(
            file_name=f"{ledger}.xlsx", sha256=f"{id(rows)}-{len(rows)}",
            received_at="2026-12-01T00:00:00+08:00", run_as_of="2026-12-01", status="accepted",
            community=None, errors=0, warnings=0, archive_path="archive/x.xlsx",
            feedback_path=None, verdict_json="{}")
        frame = pd.DataFrame(rows, index=range(2, len(rows) + 2))
        master.merge(submission, ledger, ledger, frame)


def schedule(day: D, published: D, kind: str = "常规", community: str = "龙导",
             **overrides: Any) -> dict[str, Any]:
    reason = None if kind == "常规" else overrides.pop("变更说明", f"{kind}原因")
    return row("驻点安排", 社区=community, 驻点日期=day, 发布日期=published, 安排类型=kind,
               变更说明=reason, **overrides)


# -- no private field, by construction ------------------------------------------------------

@pytest.mark.parametrize("cls", VIEW_TYPES, ids=lambda c: c.__name__)
def test_view_types_hold_only_columns_the_schema_marks_public(cls: Any) -> None:
    specs = {spec.name: spec for spec in schemas.field_specs(cls.SOURCE)}
    names = [f.name for f in dataclasses.fields(cls)]
    assert names and all(name in specs for name in names)
    assert [name for name in names if not specs[name].public] == []
    assert set(view_fields(cls).values()) <= set(schemas.public_headers(cls.SOURCE))


def test_the_view_types_are_the_ones_expected() -> None:
    """A change here is a decision about what residents see: review it."""
    assert {cls.__name__: view_fields(cls) for cls in VIEW_TYPES} == {
        "Announcement": {"community": "社区", "date": "驻点日期", "start": "开始时间",
                         "end": "结束时间", "place": "驻点地点", "leader": "带队领导",
                         "phone": "联系电话", "published": "发布日期", "kind": "安排类型",
                         "reason": "变更说明"},
        "TeamMember": {"community": "社区", "team": "团队", "name": "姓名", "role": "团队职务",
                       "post": "单位及职务", "phone": "联系电话"},
        "IssueResult": {"community": "社区", "category": "类别", "level": "办理层级",
                        "status": "办理状态", "registered": "登记日期", "due": "完成时限",
                        "closed": "办结日期", "feedback": "反馈日期", "public_summary": "公开摘要"},
    }


def test_a_view_type_naming_a_private_column_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Leaky:
        SOURCE = Issue
        category: str
        reporter: str  # 反映人: private

    with pytest.raises(PrivateFieldError, match="reporter"):
        view_fields(Leaky)


def test_the_view_carries_no_private_value(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "团队名册", [row("团队名册", 身份="街道班子成员")])
    add_rows(master, "问题台账", [row("问题台账", 问题编号="隐私标记编号", 问题描述="隐私标记描述",
                                  反映人="隐私标记人", 联系电话="13912345601", 责任人="隐私标记责任",
                                  承办单位="隐私标记单位", 办理措施="隐私标记措施",
                                  办理状态="已办结", 办结日期=D(2026, 11, 8),
                                  办理结果="隐私标记结果", 反馈日期=D(2026, 11, 9))])
    view = build_public_view(master, CONFIG, D(2026, 12, 1))
    text = repr(view)
    assert "隐私标记" not in text and "13912345601" not in text and "街道班子成员" not in text
    assert view.members == (TeamMember("龙导", "驻点团队", "李福坚", "负责人", "龙凤街道党工委书记",
                                       "020-84201234"),)
    assert view.issues == (IssueResult("龙导", "民生微实事", "驻点团队", "已办结", D(2026, 11, 3),
                                       D(2026, 11, 10), D(2026, 11, 8), D(2026, 11, 9),
                                       "更换3栋楼道灯"),)


# -- what is visible at as_of -----------------------------------------------------------------

def test_an_announcement_exists_from_its_publication_day_on(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [schedule(D(2026, 12, 8), published=D(2026, 12, 2))])
    before = build_public_view(master, CONFIG, D(2026, 12, 1))
    on_the_day = build_public_view(master, CONFIG, D(2026, 12, 2))
    assert before.sessions == ()
    assert [(s.community, s.date, s.current.published) for s in on_the_day.sessions] == [
        ("龙导", D(2026, 12, 8), D(2026, 12, 2))]


def test_the_newest_visible_announcement_is_current(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [schedule(D(2026, 12, 8), published=D(2026, 11, 25))])
    add_rows(master, "驻点安排", [schedule(D(2026, 12, 8), published=D(2026, 12, 3), kind="变更",
                                       驻点地点="龙导社区居委会二楼")])

    def session(as_of: D) -> Session:
        (only,) = build_public_view(master, CONFIG, as_of).sessions
        return only

    assert session(D(2026, 12, 2)).current.kind == "常规"
    assert session(D(2026, 12, 2)).earlier == ()
    changed = session(D(2026, 12, 3))
    assert (changed.current.kind, changed.current.place) == ("变更", "龙导社区居委会二楼")
    assert [(a.kind, a.place) for a in changed.earlier] == [("常规", "龙导社区党群服务中心")]


def test_a_resubmitted_announcement_counts_once_as_last_submitted(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "驻点安排", [schedule(D(2026, 12, 8), D(2026, 12, 1), 开始时间="08:00")])
    add_rows(master, "驻点安排", [schedule(D(2026, 12, 8), D(2026, 12, 1), 开始时间="08:30")])
    (session,) = build_public_view(master, CONFIG, D(2026, 12, 1)).sessions
    assert session.earlier == () and session.current.start == "08:30"


def test_issues_registered_after_as_of_and_other_streets_are_left_out(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "问题台账", [
        row("问题台账", 问题编号="A", 登记日期=D(2026, 12, 1)),
        row("问题台账", 问题编号="B", 登记日期=D(2026, 12, 2), 完成时限=D(2026, 12, 9)),
        row("问题台账", 问题编号="C", 社区="别的社区"),
    ])
    view = build_public_view(master, CONFIG, D(2026, 12, 1))
    assert [(i.community, i.registered) for i in view.issues] == [("龙导", D(2026, 12, 1))]


def test_announcement_lead_days() -> None:
    item = Announcement("龙导", D(2026, 12, 8), "08:30", "12:00", "x", "y", "020-84201234",
                        D(2026, 12, 7), "变更", "z")
    assert item.lead_days() == 1
    assert dataclasses.replace(item, published=D(2026, 12, 8)).lead_days() == 0


def test_a_communitys_leader_is_its_rosters_head_else_the_configs(tmp_path: Path) -> None:
    master = new_master(tmp_path)
    add_rows(master, "团队名册", [row("团队名册", 社区="仁和", 姓名="王新"),
                               row("团队名册", 社区="仁和", 姓名="陈联络", 团队职务="联络员"),
                               row("团队名册", 社区="仁和", 团队="辅助团队", 姓名="赵书记",
                                   身份="社区两委")])
    leaders = build_public_view(master, CONFIG, D(2026, 12, 1)).leaders
    assert leaders["仁和"] == "王新"  # the roster's 驻点团队负责人, not the 辅助团队's
    assert leaders["龙导"] == CONFIG.leader_of("龙导") and leaders["龙导"]  # no roster yet
