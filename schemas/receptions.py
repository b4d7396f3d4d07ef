"""接待登记 — the reception register, 接待登记表 (event ledger)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import Text, column, row_rule
from schemas.choices import RECEPTION_HANDLING, REFERRED


class Reception(pa.DataFrameModel):
    date: Series[pd.Timestamp] = column(
        "日期", kind="date", past=True, public=False, description="接待日期", example="2026-11-03")
    community: Series[Text] = column(
        "社区", public=False, description="所在社区名称", example="龙导")
    place: Series[Text] = column(
        "接待地点", prose=True, public=False, description="接待群众的地点", example="社区党群服务中心")
    receiver: Series[Text] = column(
        "接待人", public=False, description="接待的团队成员姓名", example="李福坚")
    visitors: Series[pd.Int64Dtype] = column(
        "来访人数", kind="int", public=False, ge=1, description="来访人数（按人次计，至少1）",
        example="2")
    visitor_name: Series[Text] = column(
        "来访人", public=False, description="来访群众姓名（不公开）", example="王某某")
    phone: Series[Text] = column(
        "联系电话", kind="phone", public=False, required=False,
        description="来访群众电话（不公开）", example="13800138000")
    matter: Series[Text] = column(
        "反映事项", prose=True, public=False, description="群众反映的事项（不公开）", example="楼道灯损坏")
    handling: Series[Text] = column(
        "处理方式", public=False, choices=RECEPTION_HANDLING, description="如何处理",
        example="现场解决")
    issue_id: Series[Text] = column(
        "问题编号", public=False, code=True, required=False, description="处理方式为转办时必填",
        example="LD-2026-001")

    @row_rule("REQUIRED", "问题编号")
    def referral_needs_issue(cls, df: pd.DataFrame) -> Series[bool]:
        return (df[cls.handling] != REFERRED).fillna(True) | df[cls.issue_id].notna()

    class Config:
        name = "接待登记"
        coerce = True
        metadata = {"kind": "event", "date": "date", "label": "接待登记"}
