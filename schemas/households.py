"""户册 — the household base of a community (snapshot)."""

import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import Text, column
from schemas.choices import HOUSEHOLD_TYPES


class Household(pa.DataFrameModel):
    community: Series[Text] = column(
        "社区", public=True, description="所在社区名称", example="龙导")
    grid: Series[Text] = column(
        "网格", public=False, description="网格编号或名称", example="第1网格")
    household_id: Series[Text] = column(
        "户编号", public=False, code=True, description="户的编号，在本社区内唯一", example="LD-0001")
    type: Series[Text] = column(
        "类型", public=False, choices=HOUSEHOLD_TYPES, description="户的类型", example="居民户")
    address: Series[Text] = column(
        "地址", prose=True, public=False, required=False, description="门牌地址（不公开）",
        example="龙凤路1号101")

    class Config:
        name = "户册"
        coerce = True
        unique = ["社区", "户编号"]
        metadata = {"kind": "snapshot", "label": "户册"}
