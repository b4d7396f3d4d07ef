"""驻点安排 — the stationing schedule for publication (keyed by 社区 + 驻点日期; history kept)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import Text, column, row_rule
from schemas.choices import SCHEDULE_CHANGES, SCHEDULE_KINDS
from schemas.privacy import keeps_residents_out


class Schedule(pa.DataFrameModel):
    community: Series[Text] = column(
        "社区", public=True, description="所在社区名称", example="龙导")
    date: Series[pd.Timestamp] = column(
        "驻点日期", kind="date", public=True, description="驻点的日期", example="2026-12-08")
    start: Series[Text] = column(
        "开始时间", kind="time", public=True, description="开始时间（时:分）", example="08:30")
    end: Series[Text] = column(
        "结束时间", kind="time", public=True, description="结束时间（时:分）", example="12:00")
    place: Series[Text] = column(
        "驻点地点", prose=True, public=True, description="驻点的地点", example="龙导社区党群服务中心")
    leader: Series[Text] = column(
        "带队领导", public=True, description="带队的街道领导姓名", example="李福坚")
    phone: Series[Text] = column(
        "联系电话", kind="phone", public=True, description="公开的办公电话",
        example="020-84201234")
    published: Series[pd.Timestamp] = column(
        "发布日期", kind="date", public=True, description="向群众公布的日期，至少提前1天",
        example="2026-12-01")
    kind: Series[Text] = column(
        "安排类型", public=True, choices=SCHEDULE_KINDS, description="常规安排、变更或取消",
        example="常规")
    reason: Series[Text] = column(
        "变更说明", prose=True, public=True, required=False, description="变更或取消时必填，说明原因",
        example="因台风预警改期")

    @row_rule("REQUIRED", "变更说明")
    def change_has_reason(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df[cls.kind].isin(SCHEDULE_CHANGES).fillna(False) | df[cls.reason].notna()

    @row_rule("FORMAT", "变更说明")
    def reason_names_no_resident(cls, df: pd.DataFrame) -> Series[bool]:
        """The reason is published as written: no resident's masked name, mobile or ID
        number (the phone the public may call goes in 联系电话)."""
        return keeps_residents_out(df[cls.reason], officials=df[cls.phone])

    @row_rule("FORMAT", "驻点地点")
    def place_names_no_resident(cls, df: pd.DataFrame) -> Series[bool]:
        return keeps_residents_out(df[cls.place], officials=df[cls.phone])

    @row_rule("RANGE", "结束时间")
    def ends_after_start(cls, df: pd.DataFrame) -> Series[bool]:
        return (df[cls.end] > df[cls.start]).fillna(True)

    class Config:
        name = "驻点安排"
        coerce = True
        unique = ["社区", "驻点日期", "发布日期"]
        metadata = {"kind": "keyed", "key": ["community", "date"], "order": "published",
                    "label": "驻点安排"}
