"""The one way a ledger column is described: `column(...)` and the `FieldSpec` read back from it.

Every schema module declares its columns with `column`, so the alias (the Chinese
header), the value kind, the allowed values, the public/private mark and the rule of
each check live on the pandera field and nowhere else. Templates, the validator, the
field documentation and the public filter all read `field_specs(model)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import pandera.pandas as pa
from pandera import dtypes
from pandera.engines import pandas_engine

Kind = Literal["text", "int", "date", "time", "percent", "phone"]

MOBILE = r"1[3-9]\d{9}"
LANDLINE = r"(0\d{2,3}-?)?[2-9]\d{6,7}(-\d{1,5})?"
PHONE_PATTERN = rf"^(?:{MOBILE}|{LANDLINE})$"
TIME_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d$"


@pandas_engine.Engine.register_dtype
@dtypes.immutable(init=True)
class Text(pandas_engine.STRING):  # type: ignore[misc]
    """A text column: pandas' StringDtype, as pandera's own STRING, whose dtype is checked
    once for the column. (pandera's STRING answers per element when given the data, and
    then formats an empty failure-case table for every passing column: about half of
    each sheet's validation time.)"""

    def check(self, pandera_dtype: dtypes.DataType, data_container: Any = None) -> bool:
        return bool(super().check(pandera_dtype))


@dataclass(frozen=True)
class FieldSpec:
    """What a column is, read back from its pandera field."""

    name: str
    header: str
    kind: Kind
    public: bool
    required: bool
    choices: tuple[str, ...]
    description: str
    example: str
    alt_headers: tuple[str, ...]
    required_rule: str
    default: Any
    minimum: float | None
    prose: bool  # free text a person reads (notes, reasons, places): keeps its punctuation
    repeats: bool  # a grouping column: a blank cell under a filled one means the same again
    code: bool  # an identifier (户编号, 问题编号): its letters upper case, ld-0001 is LD-0001
    past: bool  # the date of something done: later than the run's date is worth a 警告


def column(
    header: str,
    *,
    kind: Kind = "text",
    public: bool,
    description: str,
    example: str,
    required: bool = True,
    choices: Sequence[str] = (),
    alt_headers: Sequence[str] = (),
    required_rule: str = "REQUIRED",
    default: Any = None,
    ge: float | None = None,
    prose: bool = False,
    repeats: bool = False,
    code: bool = False,
    past: bool = False,
) -> Any:
    """A ledger column: a pandera Field whose metadata carries everything else we know."""
    checks: dict[str, Any] = {}
    if choices:
        checks["isin"] = list(choices)
    if ge is not None:
        checks["ge"] = ge
    if kind == "phone":
        checks["str_matches"] = PHONE_PATTERN
    if kind == "time":
        checks["str_matches"] = TIME_PATTERN
    return pa.Field(
        alias=header,
        nullable=not required,
        metadata={
            "kind": kind,
            "public": public,
            "required": required,
            "choices": tuple(choices),
            "description": description,
            "example": example,
            "alt_headers": tuple(alt_headers),
            "required_rule": required_rule,
            "default": default,
            "minimum": ge,
            "prose": prose,
            "repeats": repeats,
            "code": code,
            "past": past,
        },
        **checks,
    )


def row_rule(rule_id: str, column_header: str) -> Callable[[Any], Any]:
    """A row-level check named `RULE@列名`: the rule ID and the column a finding points at."""
    return pa.dataframe_check(name=f"{rule_id}@{column_header}")


def not_before(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """True where `later` >= `earlier`, or where either is missing (REQUIRED reports that)."""
    return (later.isna() | earlier.isna() | (later >= earlier)).astype(bool)


def field_specs(model: type[pa.DataFrameModel]) -> list[FieldSpec]:
    """The columns of a ledger, in sheet order."""
    schema = model.to_schema()
    names = {field_alias: name for name, field_alias in _aliases(model).items()}
    specs = []
    for header, col in schema.columns.items():
        meta = col.metadata or {}
        specs.append(
            FieldSpec(
                name=names[header],
                header=header,
                kind=meta["kind"],
                public=meta["public"],
                required=meta["required"],
                choices=meta["choices"],
                description=meta["description"],
                example=meta["example"],
                alt_headers=meta["alt_headers"],
                required_rule=meta["required_rule"],
                default=meta["default"],
                minimum=meta["minimum"],
                prose=meta.get("prose", False),
                repeats=meta.get("repeats", False),
                code=meta.get("code", False),
                past=meta.get("past", False),
            )
        )
    return specs


def _aliases(model: type[pa.DataFrameModel]) -> dict[str, str]:
    """Python field name -> Chinese header (pandera keys `__fields__` by alias)."""
    return {field.original_name: field.alias or field.original_name
            for _, field in model.__fields__.values()}


def ledger_meta(model: type[pa.DataFrameModel]) -> dict[str, Any]:
    """The ledger-level facts of a model's Config.metadata (kind, key, date column, ...)."""
    return dict(model.Config.metadata or {})


def public_headers(model: type[pa.DataFrameModel]) -> list[str]:
    return [spec.header for spec in field_specs(model) if spec.public]
