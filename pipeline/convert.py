"""From a located Table of raw cell values to a typed DataFrame the schema can validate.

One bad cell is one finding: a value that does not convert becomes a TYPE finding and
a missing value in the frame, and the cell is remembered so that later checks do not
report it again.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa

from pipeline.cells import (
    CONVERTERS,
    EXCEL_ERRORS,
    CellError,
    CellProblem,
    clean_text,
    display,
    to_prose,
)
from pipeline.findings import Finding
from pipeline.messages import say
from pipeline.reader import Table
from schemas import FieldSpec, field_specs
from schemas.rules import WARNING

DTYPES = {
    "text": "string", "phone": "string", "time": "string", "int": "Int64",
    "percent": "Float64", "date": "datetime64[ns]",
}


@dataclass
class LedgerRows:
    """The typed rows of one ledger sheet (index = Excel row numbers)."""

    ledger: str
    sheet: str
    frame: pd.DataFrame
    letters: dict[str, str] = field(default_factory=dict)  # header -> column letter

    def cell(self, header: str, row: int) -> str | None:
        letter = self.letters.get(header)
        return f"{letter}{row}" if letter else None


@dataclass
class Converted:
    frame: pd.DataFrame                                     # index = Excel row numbers
    source: Table                                           # the cells it was converted from
    findings: list[Finding] = field(default_factory=list)
    bad_cells: set[tuple[int, str]] = field(default_factory=set)  # (row, header) already reported

    def shown(self, row: int, header: str) -> str:
        """The original value of a cell as the clerk sees it ("" when there is none);
        worked out only for the cells a finding points at."""
        position = self._positions.get(row)
        if header not in self.source.values or position is None:
            return ""
        return display(self.source.values[header][position])

    @functools.cached_property
    def _positions(self) -> dict[int, int]:
        return {row: i for i, row in enumerate(self.source.rows)}


def convert_table(table: Table, model: type[pa.DataFrameModel]) -> Converted:
    """Typed columns for every schema field (absent optional columns are all missing)."""
    out = Converted(frame=pd.DataFrame(index=pd.Index(table.rows, name="行号")), source=table)
    columns: dict[str, pd.Series] = {}
    for spec in field_specs(model):
        raw = table.values.get(spec.header)
        if raw is None:
            columns[spec.header] = pd.Series(pd.NA, index=out.frame.index, dtype=DTYPES[spec.kind])
            continue
        columns[spec.header] = _convert_column(table, spec, raw, out)
        if spec.repeats:  # the seed's table names each leader once, over blank cells
            columns[spec.header] = columns[spec.header].ffill()
    out.frame = pd.DataFrame(columns, index=out.frame.index)
    return out


def _convert_column(table: Table, spec: FieldSpec, raw: list, out: Converted) -> pd.Series:
    """A column repeats its values (the community, a few choices, the week's dates, the
    team's names): each distinct value is converted once, and each bad cell reported."""
    outcomes: dict[tuple[type, Any], tuple[Any, str | None]] = {}
    values: list[Any] = []
    for excel_row, value in zip(table.rows, raw, strict=True):
        key = (type(value), value)  # 1, 1.0 and True are equal keys but not equal cells
        outcome = outcomes.get(key)
        if outcome is None:
            outcome = outcomes[key] = _convert_cell(spec, value)
        converted, problem = outcome
        if problem:
            _bad(out, table, spec, excel_row, display(value), problem)
        values.append(converted)
    # straight into the column's dtype: through object and astype took twice as long
    # (five times for dates)
    return pd.Series(values, index=out.frame.index, dtype=DTYPES[spec.kind])


def _convert_cell(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """A cell's typed value and None, or None and the message key of what is wrong."""
    if isinstance(value, CellProblem):
        return None, value.key
    if isinstance(value, str) and clean_text(value).upper() in EXCEL_ERRORS:
        return None, "TYPE.error_value"
    if isinstance(value, str) and not spec.prose and value.lstrip().startswith("'"):
        value = value.lstrip()[1:]  # '2026-11-03, 'LD-0003: Excel's text mark, typed out
    try:
        converted = to_prose(value) if spec.prose else CONVERTERS[spec.kind](value)
    except CellError as err:
        return None, err.key
    if converted is None and spec.default is not None:
        converted = spec.default
    elif spec.code and isinstance(converted, str):
        converted = converted.upper()  # ld-0001 and LD-0001 are one household
    elif spec.choices and isinstance(converted, str) and converted not in spec.choices:
        squeezed = "".join(converted.split())  # 现场 解决, 已 办结: spaced out to align
        if squeezed in spec.choices:
            converted = squeezed
    return converted, None


def _bad(out: Converted, table: Table, spec: FieldSpec, row: int, shown: str, key: str) -> None:
    out.bad_cells.add((row, spec.header))
    severity = ""  # the rule's own
    if key == "TYPE.formula_no_value" and spec.kind == "percent":
        # 走访率 =D5/C5 saved without its result: the system computes the rate anyway
        key, severity = "TYPE.formula_no_value.computed", WARNING
    out.findings.append(Finding(
        "TYPE", say(key, value=shown, example=spec.example), sheet=table.sheet,
        cell=table.cell(spec.header, row), row=row, column=spec.header, value=shown,
        severity=severity))
