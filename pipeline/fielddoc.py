"""字段说明: what every ledger column means, told to a person, generated from the schemas.

`describe_ledgers` is the one wording of the field documentation; the public page
`outbox/public/字段说明.html` and the 说明 sheet of every fill-in template read it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandera.pandas as pa

import schemas
from pipeline.atomic import AtomicBatch, joined
from pipeline.html import render
from pipeline.workspace import Workspace

FIELD_DOC_NAME = "字段说明.html"
COMMUNITY_FIELD = "community"  # the attribute name every ledger model gives its community column

# How a value of each kind is written, for columns without a list of allowed values.
KIND_HINTS: dict[str, str] = {
    "text": "文字",
    "int": "整数",
    "date": "日期（年-月-日）",
    "time": "时间（时:分，24小时制）",
    "percent": "百分比，如 58.28%",
    "phone": "手机号码或固定电话",
}

# How a newer submission of a ledger is merged (DOMAIN.md), by the ledger's kind.
SNAPSHOT_SCOPE = "整表报送：本社区新报送的这张表整体替换原有的表。"
EVENT_SCOPE = "按周报送：重新报送某几周的记录时，替换本社区这几周原有的记录，不会重复计算。"
KEYED_SCOPE = "按{key}更新：同一{key}以最新报送的一行为准，以前的记录作为历史保留。"


@dataclass(frozen=True)
class FieldDoc:
    """One column as a clerk or resident reads it."""

    header: str
    description: str
    required: bool
    allowed: str
    example: str
    public: bool

    @property
    def required_text(self) -> str:
        return "必填" if self.required else "可选"

    @property
    def public_text(self) -> str:
        return "公开" if self.public else "不公开"


@dataclass(frozen=True)
class LedgerDoc:
    """One ledger: its sheet name, how a resubmission is merged, and its columns in sheet order."""

    name: str
    scope: str
    fields: tuple[FieldDoc, ...]


@dataclass(frozen=True)
class FieldDocPage:
    """The context of templates/fields.html."""

    title: str
    street: str
    ledgers: tuple[LedgerDoc, ...]


def community_header(model: type[pa.DataFrameModel]) -> str | None:
    """The header of a ledger's community column (pandera's `Model.column` gives the alias)."""
    header = getattr(model, COMMUNITY_FIELD, None)
    return header if isinstance(header, str) else None


def allowed_values(spec: schemas.FieldSpec) -> str:
    """The allowed values of a column joined by 、, or how its values are written."""
    if spec.choices:
        return "、".join(spec.choices)
    hint = KIND_HINTS[spec.kind]
    if spec.kind == "int" and spec.minimum is not None:
        hint = f"{hint}，不小于{spec.minimum:g}"
    return hint


def describe_field(spec: schemas.FieldSpec) -> FieldDoc:
    return FieldDoc(
        header=spec.header, description=spec.description, required=spec.required,
        allowed=allowed_values(spec), example=spec.example, public=spec.public,
    )


def describe_ledger(name: str, model: type[pa.DataFrameModel],
                    community: str | None = None) -> LedgerDoc:
    """A ledger's documentation; with `community`, its community column names only that one."""
    fields = [describe_field(spec) for spec in schemas.field_specs(model)]
    own = community_header(model)
    if community is not None and own is not None:
        fields = [
            FieldDoc(f.header, f.description, f.required, community, community, f.public)
            if f.header == own else f
            for f in fields
        ]
    return LedgerDoc(name=name, scope=_scope(model), fields=tuple(fields))


def describe_ledgers(community: str | None = None) -> list[LedgerDoc]:
    """Every ledger of `schemas.LEDGERS`, in order."""
    return [describe_ledger(name, model, community) for name, model in schemas.LEDGERS.items()]


def _scope(model: type[pa.DataFrameModel]) -> str:
    meta: dict[str, Any] = schemas.ledger_meta(model)
    kind = meta.get("kind")
    if kind == "snapshot":
        return SNAPSHOT_SCOPE
    if kind == "event":
        return EVENT_SCOPE
    key = "＋".join(str(getattr(model, name, name)) for name in meta.get("key", []))
    return KEYED_SCOPE.format(key=key)


def field_doc_page(street: str) -> FieldDocPage:
    """The public page: a private column's example (a made-up name, phone or address, but
    one a resident might really have) is not shown there, only in the fill-in templates."""
    title = f"{street}驻点台账字段说明" if street else "驻点台账字段说明"
    ledgers = tuple(
        replace(ledger, fields=tuple(f if f.public else replace(f, example="")
                                     for f in ledger.fields))
        for ledger in describe_ledgers())
    return FieldDocPage(title=title, street=street, ledgers=ledgers)


def write_field_doc(workspace: Workspace, batch: AtomicBatch | None = None) -> Path:
    """Render `outbox/public/字段说明.html` from the schemas; written atomically (with
    `batch`, when it commits)."""
    page = field_doc_page(workspace.config().street)
    path = workspace.public / FIELD_DOC_NAME
    with joined(batch) as into:
        return into.write_text(path, render("fields.html", page=page))
