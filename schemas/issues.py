"""问题台账 — the issue ledger (keyed by 问题编号; newest row wins; history kept)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import Text, column, not_before, row_rule
from schemas.choices import (
    CLOSED,
    ISSUE_CATEGORIES,
    ISSUE_LEVELS,
    ISSUE_SOURCES,
    ISSUE_STATUSES,
    RATINGS,
)
from schemas.privacy import keeps_residents_out


class Issue(pa.DataFrameModel):
    issue_id: Series[Text] = column(
        "问题编号", public=False, code=True, description="问题的编号，在全街道唯一", example="LD-2026-001")
    community: Series[Text] = column(
        "社区", public=True, description="所在社区名称", example="龙导")
    registered: Series[pd.Timestamp] = column(
        "登记日期", kind="date", past=True, public=True, description="问题登记的日期", example="2026-11-03")
    source: Series[Text] = column(
        "来源", public=False, choices=ISSUE_SOURCES, description="问题从哪里收集", example="接待")
    category: Series[Text] = column(
        "类别", public=True, choices=ISSUE_CATEGORIES, description="问题类别",
        example="民生微实事")
    description: Series[Text] = column(
        "问题描述", prose=True, public=False, description="问题的具体描述（不公开）", example="3栋楼道灯损坏")
    reporter: Series[Text] = column(
        "反映人", public=False, description="反映问题的群众（不公开）", example="王某某")
    phone: Series[Text] = column(
        "联系电话", kind="phone", public=False, required=False,
        description="反映人电话（不公开）", example="13800138000")
    owner: Series[Text] = column(
        "责任人", public=False, required_rule="ISSUE-OWNER", description="负责办理的人",
        example="李福坚")
    level: Series[Text] = column(
        "办理层级", public=True, choices=ISSUE_LEVELS,
        description="驻点团队 → 街道 → 区直单位 → 区委区政府，只能逐级上升", example="驻点团队")
    handler_unit: Series[Text] = column(
        "承办单位", public=False, required=False, description="承办的单位", example="城管科")
    measures: Series[Text] = column(
        "办理措施", prose=True, public=False, required_rule="ISSUE-OWNER", description="处理办法",
        example="联系物业更换灯具")
    due: Series[pd.Timestamp] = column(
        "完成时限", kind="date", public=True, required_rule="ISSUE-OWNER",
        description="应完成的日期，不早于登记日期", example="2026-11-10")
    status: Series[Text] = column(
        "办理状态", public=True, choices=ISSUE_STATUSES, description="当前办理状态",
        example="办理中")
    closed: Series[pd.Timestamp] = column(
        "办结日期", kind="date", past=True, public=True, required=False,
        description="办结的日期；已办结时必填", example="2026-11-08")
    result: Series[Text] = column(
        "办理结果", prose=True, public=False, required=False, description="办理结果；已办结时必填",
        example="已更换灯具")
    feedback: Series[pd.Timestamp] = column(
        "反馈日期", kind="date", past=True, public=True, required=False,
        description="向群众反馈结果的日期", example="2026-11-09")
    rating: Series[Text] = column(
        "群众评价", public=True, required=False, choices=RATINGS, description="群众对结果的评价",
        example="满意")
    public_summary: Series[Text] = column(
        "公开摘要", prose=True, public=True, required=False,
        description="经审核可在公开栏公布的摘要（不含群众个人信息）", example="更换3栋楼道灯")

    @row_rule("ISSUE-DATES", "完成时限")
    def due_after_registered(cls, df: pd.DataFrame) -> Series[bool]:
        return not_before(df[cls.due], df[cls.registered])

    @row_rule("ISSUE-DATES", "办结日期")
    def closed_after_registered(cls, df: pd.DataFrame) -> Series[bool]:
        return not_before(df[cls.closed], df[cls.registered])

    @row_rule("ISSUE-DATES", "反馈日期")
    def feedback_after_closed(cls, df: pd.DataFrame) -> Series[bool]:
        return not_before(df[cls.feedback], df[cls.closed])

    @row_rule("ISSUE-CLOSED", "办结日期")
    def closed_has_date(cls, df: pd.DataFrame) -> Series[bool]:
        return (df[cls.status] != CLOSED).fillna(True) | df[cls.closed].notna()

    @row_rule("ISSUE-CLOSED", "办理结果")
    def closed_has_result(cls, df: pd.DataFrame) -> Series[bool]:
        return (df[cls.status] != CLOSED).fillna(True) | df[cls.result].notna()

    @row_rule("ISSUE-FEEDBACK", "反馈日期")
    def closed_is_fed_back(cls, df: pd.DataFrame) -> Series[bool]:
        return (df[cls.status] != CLOSED).fillna(True) | df[cls.feedback].notna()

    @row_rule("FORMAT", "公开摘要")
    def summary_names_no_resident(cls, df: pd.DataFrame) -> Series[bool]:
        """公开摘要 goes on the notice board: never a resident's name, phone or ID number,
        not even masked (DOMAIN): the issue's own 反映人 and 联系电话, written out, masked
        (王某, *大妈) or as surname and form of address (王先生); any masked surname (陈某);
        any mobile or ID number, written out or starred (139****2222). Office numbers
        (020-…) may stay."""
        return keeps_residents_out(df[cls.public_summary], names=df[cls.reporter],
                                   phones=df[cls.phone])

    class Config:
        name = "问题台账"
        coerce = True
        unique = ["问题编号"]
        # a clerk logs an issue's progress as new rows: within a sheet the later row of an
        # issue is the newer, the earlier ones its history (not a UNIQUE error)
        metadata = {"kind": "keyed", "key": ["issue_id"], "label": "问题台账", "rows_in_order": True}
