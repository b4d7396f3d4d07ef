"""schemas.base.Text: pandas' StringDtype, with its dtype checked once per column."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.engines import pandas_engine

from schemas import Household
from schemas.base import Text


def households(**columns: object) -> pd.DataFrame:
    base: dict[str, object] = {Household.community: ["龙导", "龙导"], Household.grid: ["1", "2"],
                               Household.household_id: ["LD-0001", "LD-0002"],
                               Household.type: ["居民户", "居民户"],
                               Household.address: ["一巷1号", "一巷2号"]}
    base.update({getattr(Household, name): value for name, value in columns.items()})
    return pd.DataFrame(base)


def test_text_columns_are_string_dtype() -> None:
    schema = Household.to_schema()
    text = [c for c in schema.columns.values() if isinstance(c.dtype, Text)]
    assert [c.name for c in text] == [Household.community, Household.grid,
                                      Household.household_id, Household.type, Household.address]
    assert {c.dtype.type for c in text} == {pandas_engine.Engine.dtype(pd.StringDtype).type}


def test_the_check_answers_once_for_the_column() -> None:
    string, integer = (pandas_engine.Engine.dtype(t) for t in (pd.StringDtype(), "Int64"))
    data = pd.Series(["a", "b"], dtype=pd.StringDtype())
    assert Text().check(string, data) is True
    assert Text().check(integer, pd.Series([1, 2], dtype="Int64")) is False


def test_a_text_column_typed_otherwise_is_coerced_then_checked() -> None:
    valid = Household.validate(households(grid=[1, 2]))
    assert valid[Household.grid].tolist() == ["1", "2"]
    assert isinstance(valid[Household.grid].dtype, pd.StringDtype)
    with pytest.raises(pa.errors.SchemaError, match=Household.type):
        Household.validate(households(type=["居民户", "别墅"]))
