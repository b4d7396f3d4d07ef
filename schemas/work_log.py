"""工作台账 — the weekly work ledger of the stationing team (event ledger)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import Text, column, row_rule
from schemas.choices import STATION_KINDS


class WorkLog(pa.DataFrameModel):
    community: Series[Text] = column(
        "社区", public=False, description="所在社区名称", example="龙导")
    date: Series[pd.Timestamp] = column(
        "驻点日期", kind="date", past=True, public=False, description="驻点的日期", example="2026-11-03")
    start: Series[Text] = column(
        "开始时间", kind="time", public=False, description="驻点开始时间（时:分）", example="08:30")
    end: Series[Text] = column(
        "结束时间", kind="time", public=False, description="驻点结束时间（时:分）", example="12:00")
    place: Series[Text] = column(
        "驻点地点", prose=True, public=False, description="驻点的地点", example="龙导社区党群服务中心")
    leader: Series[Text] = column(
        "带队领导", public=False, description="带队的街道领导姓名", example="李福坚")
    participants: Series[pd.Int64Dtype] = column(
        "参加人数", kind="int", public=False, ge=1, description="参加驻点的人数", example="6")
    visited: Series[pd.Int64Dtype] = column(
        "走访户数", kind="int", public=False, ge=0, description="当天走访的户数", example="12")
    received: Series[pd.Int64Dtype] = column(
        "接待人次", kind="int", public=False, ge=0, description="当天接待的人次", example="5")
    collected: Series[pd.Int64Dtype] = column(
        "收集问题数", kind="int", public=False, ge=0, description="当天收集的问题数", example="3")
    solved: Series[pd.Int64Dtype] = column(
        "现场解决数", kind="int", public=False, ge=0,
        description="当天现场解决的问题数，不大于收集问题数", example="2")
    kind: Series[Text] = column(
        "驻点类型", public=False, choices=STATION_KINDS, description="驻点的类型",
        example="固定驻点日")
    remarks: Series[Text] = column(
        "备注", prose=True, public=False, required=False, description="其他说明", example="")

    @row_rule("RANGE", "现场解决数")
    def solved_within_collected(cls, df: pd.DataFrame) -> Series[bool]:
        return (df[cls.solved] <= df[cls.collected]).fillna(True)

    @row_rule("RANGE", "结束时间")
    def ends_after_start(cls, df: pd.DataFrame) -> Series[bool]:
        return (df[cls.end] > df[cls.start]).fillna(True)

    class Config:
        name = "工作台账"
        coerce = True
        metadata = {"kind": "event", "date": "date", "label": "工作台账"}
