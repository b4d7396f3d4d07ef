"""团队名册 — the team roster of a community (snapshot: the newest accepted roster replaces the older)."""

import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import Text, column
from schemas.choices import IDENTITIES, TEAM_ROLES, TEAMS


class Roster(pa.DataFrameModel):
    community: Series[Text] = column(
        "社区", public=True, description="所在社区名称，与配置中的社区一致", example="龙导")
    team: Series[Text] = column(
        "团队", public=True, choices=TEAMS, description="驻点团队（街道）或辅助团队（社区）",
        example="驻点团队")
    name: Series[Text] = column(
        "姓名", public=True, description="团队成员姓名", example="李福坚")
    role: Series[Text] = column(
        "团队职务", public=True, choices=TEAM_ROLES,
        description="每个团队恰有一名负责人和一名联络员", example="负责人")
    post: Series[Text] = column(
        "单位及职务", prose=True, public=True, description="工作单位及职务", example="龙凤街道党工委副书记")
    phone: Series[Text] = column(
        "联系电话", kind="phone", public=True,
        description="办公电话或工作手机（公开在驻点联系卡上）", example="020-84201234")
    identity: Series[Text] = column(
        "身份", public=False, choices=IDENTITIES, description="成员身份",
        example="街道班子成员")

    class Config:
        name = "团队名册"
        coerce = True
        metadata = {"kind": "snapshot", "label": "团队名册"}
