"""社区汇总 — community summary figures (keyed by 社区 + 统计截至日期).

The row of the seed's statistics table; its two-row header (其中 over 群众/企业) and
its rate column headed 团队负责人户数(户) read as they are (alt_headers).
"""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import Text, column, row_rule


class Summary(pa.DataFrameModel):
    as_of: Series[pd.Timestamp] = column(
        "统计截至日期", kind="date", public=True, required=False,
        description="数据统计截至的日期；可在表头标题处写一次", example="2026-11-30")
    leader: Series[Text] = column(
        "驻点领导", public=True, repeats=True, example="李福坚",
        description="驻点团队负责人（街道领导）；同一领导的几个社区可只写第一行")
    community: Series[Text] = column(
        "社区", public=True, description="社区名称", example="龙导")
    total: Series[pd.Int64Dtype] = column(
        "总户数(户)", kind="int", public=True, ge=0, alt_headers=("总户数",),
        description="户册中的总户数（居民户、个体工商户、驻社区单位）", example="1050")
    visited: Series[pd.Int64Dtype] = column(
        "已走访户数(户)", kind="int", public=True, ge=0, alt_headers=("已走访户数",),
        description="本年已走访的户数（同一户只计一次）", example="820")
    residents: Series[pd.Int64Dtype] = column(
        "群众(户)", kind="int", public=True, ge=0, alt_headers=("群众",),
        description="其中居民户", example="755")
    businesses: Series[pd.Int64Dtype] = column(
        "企业/工商户(户)", kind="int", public=True, ge=0, alt_headers=("企业/工商户",),
        description="其中个体工商户和驻社区单位", example="65")
    rate: Series[pd.Float64Dtype] = column(
        "走访率", kind="percent", public=True, required=False,
        alt_headers=("团队负责人户数(户)", "走访率(%)"),
        description="已走访户数÷总户数，可不填（系统自动计算）", example="78.10%")
    received: Series[pd.Int64Dtype] = column(
        "接待群众数(人次)", kind="int", public=True, ge=0, alt_headers=("接待群众数",),
        description="本年接待群众人次", example="320")
    outgoing: Series[pd.Int64Dtype] = column(
        "联系外出人员(人)", kind="int", public=True, ge=0, alt_headers=("联系外出人员",),
        description="本年联系的外出务工人员人数", example="58")

    @row_rule("SUM-BOUND", "已走访户数(户)")
    def visited_within_total(cls, df: pd.DataFrame) -> Series[bool]:
        return (df[cls.visited] <= df[cls.total]).fillna(True)

    @row_rule("SUM-SPLIT", "已走访户数(户)")
    def split_adds_up(cls, df: pd.DataFrame) -> Series[bool]:
        return (df[cls.residents] + df[cls.businesses] == df[cls.visited]).fillna(True)

    @row_rule("SUM-RATE", "走访率")
    def stated_rate_matches(cls, df: pd.DataFrame) -> Series[bool]:
        # the computed rate rounded half up, as the statistics table prints it (3.125% is
        # 3.13%): pandas' round() goes half to even
        computed = (df[cls.visited] * 10000 / df[cls.total] + 0.5) // 1 / 100
        stated = (df[cls.rate] * 10000 + 0.5) // 1 / 100
        return (stated - computed).abs().lt(0.005).fillna(True)

    class Config:
        name = "社区汇总"
        coerce = True
        unique = ["社区", "统计截至日期"]
        metadata = {"kind": "keyed", "key": ["community", "as_of"], "label": "社区汇总"}
