"""走访登记 — the visit register (event ledger, part of the 登记簿)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import Text, column, row_rule
from schemas.choices import HOUSEHOLD_TYPES, VISIT_METHODS, VISIT_TARGETS


class Visit(pa.DataFrameModel):
    date: Series[pd.Timestamp] = column(
        "日期", kind="date", past=True, public=False, description="走访日期", example="2026-11-03")
    community: Series[Text] = column(
        "社区", public=False, description="所在社区名称", example="龙导")
    target_type: Series[Text] = column(
        "对象类型", public=False, choices=VISIT_TARGETS, description="走访对象的类型",
        example="居民户")
    household_id: Series[Text] = column(
        "户编号", public=False, code=True, required=False,
        description="户册中的户编号；对象为居民户、个体工商户、驻社区单位时必填", example="LD-0001")
    headcount: Series[pd.Int64Dtype] = column(
        "人数", kind="int", public=False, required=False, default=1, ge=1,
        description="联系的人数，不填按1人计", example="1")
    method: Series[Text] = column(
        "联系方式", public=False, choices=VISIT_METHODS, description="联系群众的方式",
        example="入户走访")
    visitor: Series[Text] = column(
        "走访人", public=False, description="走访的团队成员姓名（团队名册中的姓名）",
        example="李福坚")
    notes: Series[Text] = column(
        "情况记录", prose=True, public=False, description="走访情况（不公开）", example="了解家庭情况，无诉求")
    issue_id: Series[Text] = column(
        "问题编号", public=False, code=True, required=False, description="收集到问题时填问题台账中的编号",
        example="LD-2026-001")

    @row_rule("REQUIRED", "户编号")
    def household_needed(cls, df: pd.DataFrame) -> Series[bool]:
        needs = df[cls.target_type].isin(HOUSEHOLD_TYPES)
        return ~needs | df[cls.household_id].notna()

    class Config:
        name = "走访登记"
        coerce = True
        metadata = {"kind": "event", "date": "date", "label": "走访登记"}
