"""The fill-in templates: one per community, shaped by the schemas, and accepted by them when filled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

import schemas
from pipeline.check import check_file
from pipeline.config import Config, Leader, load_config
from pipeline.fill_templates import FIRST_DATA_ROW, LAST_DATA_ROW, write_templates
from pipeline.workspace import Workspace
from tests.builders import row

COMMUNITIES = ["龙导", "状元", "仁和", "环珠", "富力", "新民", "鹤兴", "梅园南", "昌盛", "龙田"]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, list[Path]]:
    workspace = Workspace(tmp_path_factory.mktemp("ws"))
    return workspace, write_templates(workspace, load_config(None))


@pytest.fixture(scope="module")
def longdao(written: tuple[Workspace, list[Path]]) -> Workbook:
    workspace, _ = written
    return load_workbook(workspace.templates / "龙导_台账填报模板.xlsx")


def _validations(ws: Worksheet, letter: str) -> list[DataValidation]:
    ref = f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_DATA_ROW}"
    return [dv for dv in ws.data_validations.dataValidation if str(dv.sqref) == ref]


def _list_values(wb: Workbook, formula: str) -> list[str]:
    """The cells a list validation's `'说明'!$L$2:$L$4` reference points at."""
    sheet, _, ref = formula.rpartition("!")
    ws = wb[sheet.strip("'")]
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    return [ws.cell(r, c).value for r in range(min_row, max_row + 1)
            for c in range(min_col, max_col + 1)]


def test_one_template_per_community(written: tuple[Workspace, list[Path]]) -> None:
    workspace, paths = written
    assert [p.name for p in paths] == [f"{c}_台账填报模板.xlsx" for c in COMMUNITIES]
    assert sorted(p.name for p in workspace.templates.iterdir()) == sorted(p.name for p in paths)
    assert all(p.parent == workspace.templates for p in paths)


def test_sheets_are_readme_then_ledgers_in_order(longdao: Workbook) -> None:
    assert longdao.sheetnames == [schemas.README_SHEET, *schemas.LEDGERS]


def test_readme_names_the_community_and_documents_every_column(longdao: Workbook) -> None:
    readme = longdao[schemas.README_SHEET]
    assert "龙导" in readme["A1"].value
    documented = {readme.cell(r, 1).value: readme.cell(r, 6).value
                  for r in range(1, readme.max_row + 1)}
    for model in schemas.LEDGERS.values():
        for spec in schemas.field_specs(model):
            assert documented[spec.header] in ("是", "否")
    rows = [[c.value for c in r[:6]] for r in readme.iter_rows()]
    assert ["情况记录", "走访情况（不公开）", "是", "文字", "了解家庭情况，无诉求", "否"] in rows
    assert ["身份", "成员身份", "是", "、".join(schemas.field_specs(schemas.Roster)[-1].choices),
            "街道班子成员", "否"] in rows


@pytest.mark.parametrize("ledger", list(schemas.LEDGERS))
def test_ledger_sheet_layout(longdao: Workbook, ledger: str) -> None:
    ws = longdao[ledger]
    specs = schemas.field_specs(schemas.LEDGERS[ledger])
    assert [c.value for c in ws[1]] == [s.header for s in specs]
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1])
    for col, spec in enumerate(specs, 1):
        cell = ws.cell(FIRST_DATA_ROW, col)
        last = ws.cell(LAST_DATA_ROW, col)
        expected = {"date": "yyyy-mm-dd", "time": "hh:mm", "percent": "0.00%"}.get(spec.kind)
        if expected:
            assert cell.number_format == expected, spec.header
            assert last.number_format == expected, spec.header


@pytest.mark.parametrize("ledger", list(schemas.LEDGERS))
def test_choice_columns_have_dropdowns_with_schema_values(longdao: Workbook, ledger: str) -> None:
    ws = longdao[ledger]
    for col, spec in enumerate(schemas.field_specs(schemas.LEDGERS[ledger]), 1):
        if not spec.choices:
            continue
        letter = ws.cell(1, col).column_letter
        dropdowns = [dv for dv in _validations(ws, letter) if dv.type == "list"]
        assert len(dropdowns) == 1, spec.header
        dv = dropdowns[0]
        assert _list_values(longdao, dv.formula1) == list(spec.choices)
        assert dv.showErrorMessage and dv.errorStyle == "stop"
        assert spec.header in dv.error


@pytest.mark.parametrize("ledger", list(schemas.LEDGERS))
def test_community_column_offers_only_this_community(written: tuple[Workspace, list[Path]],
                                                     ledger: str) -> None:
    workspace, _ = written
    wb = load_workbook(workspace.templates / "梅园南_台账填报模板.xlsx")
    ws = wb[ledger]
    headers = [c.value for c in ws[1]]
    letter = ws.cell(1, headers.index("社区") + 1).column_letter
    (dv,) = _validations(ws, letter)
    assert _list_values(wb, dv.formula1) == ["梅园南"]
    assert "梅园南" in wb[schemas.README_SHEET]["A1"].value


def test_int_columns_refuse_values_below_the_schema_minimum(longdao: Workbook) -> None:
    ws = longdao["接待登记"]
    headers = [c.value for c in ws[1]]
    letter = ws.cell(1, headers.index("来访人数") + 1).column_letter
    (dv,) = _validations(ws, letter)
    assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "1")


def test_field_doc_is_written_too(written: tuple[Workspace, list[Path]]) -> None:
    workspace, _ = written
    assert (workspace.public / "字段说明.html").is_file()


def test_rewriting_replaces_files_and_leaves_no_temp_files(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    config = Config(street="龙凤街道", district="海珠区", leaders=(Leader("李福坚", ("龙导",)),))
    first = write_templates(workspace, config)
    first[0].write_bytes(b"old")
    second = write_templates(workspace, config)
    assert first == second == [workspace.templates / "龙导_台账填报模板.xlsx"]
    assert load_workbook(second[0]).sheetnames == [schemas.README_SHEET, *schemas.LEDGERS]
    # temp files (".<name>.*.tmp") would show here too
    assert [p.name for p in workspace.templates.iterdir()] == ["龙导_台账填报模板.xlsx"]


# --- a clerk fills in a template: every schema accepts what the template invites --------------

def _clerk_value(kind: str, value: Any) -> Any:
    """What a cell holds after a clerk types `value` into Excel."""
    if kind == "time" and isinstance(value, str):
        hours, minutes = value.split(":")
        return dt.time(int(hours), int(minutes))
    return value


def _as_hhmm(value: Any) -> Any:
    if isinstance(value, dt.time | dt.datetime):
        return value.strftime("%H:%M")
    return None if pd.isna(value) else str(value)


def _typed(df: pd.DataFrame, model: Any) -> pd.DataFrame:
    columns: dict[str, Any] = {}
    for spec in schemas.field_specs(model):
        values = df[spec.header]
        if spec.kind == "date":
            columns[spec.header] = pd.to_datetime(values)
        elif spec.kind == "time":
            columns[spec.header] = values.map(_as_hhmm).astype(pd.StringDtype())
        elif spec.kind == "int":
            columns[spec.header] = pd.to_numeric(values).astype("Int64")
        elif spec.kind == "percent":
            columns[spec.header] = pd.to_numeric(values).astype("Float64")
        else:
            columns[spec.header] = values.astype(pd.StringDtype())
    return df.assign(**columns)


def test_a_filled_template_passes_every_schema(written: tuple[Workspace, list[Path]],
                                               tmp_path: Path) -> None:
    workspace, _ = written
    wb = load_workbook(workspace.templates / "龙导_台账填报模板.xlsx")
    for ledger, model in schemas.LEDGERS.items():
        ws = wb[ledger]
        values = row(ledger)
        for col, spec in enumerate(schemas.field_specs(model), 1):
            value = values[spec.header]
            if value is not None:
                ws.cell(FIRST_DATA_ROW, col, _clerk_value(spec.kind, value))
    filled = tmp_path / "龙导_第45周.xlsx"
    wb.save(filled)

    for ledger, model in schemas.LEDGERS.items():
        raw = _read(filled, ledger)
        assert list(raw.columns) == [s.header for s in schemas.field_specs(model)]
        assert len(raw) == 1, ledger
        validated = model.validate(_typed(raw, model), lazy=True)
        assert validated.iloc[0]["社区"] == "龙导"
    issue = _typed(_read(filled, "问题台账"), schemas.Issue).iloc[0]
    assert issue["完成时限"] == pd.Timestamp(2026, 11, 10)
    work = _typed(_read(filled, "工作台账"), schemas.WorkLog).iloc[0]
    assert (work["开始时间"], work["结束时间"]) == ("08:30", "12:00")


def _read(path: Path, ledger: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=ledger, dtype=object, engine="calamine")


def test_a_name_with_a_slash_or_dots_stays_a_file_in_templates(tmp_path: Path) -> None:
    config = Config(street="龙凤街道", district="海珠区",
                    leaders=(Leader("李福坚", ("乙/丙", "../../逃逸")),))
    ws = Workspace(tmp_path / "ws").ensure()
    paths = write_templates(ws, config)
    books = [p for p in paths if p.suffix == ".xlsx"]
    assert [p.name for p in books] == ["乙_丙_台账填报模板.xlsx", "_.._逃逸_台账填报模板.xlsx"]
    assert all(p.parent == ws.templates for p in books)


def test_a_template_sent_with_one_sheet_filled_draws_no_warning(
        written: tuple[Workspace, list[Path]], tmp_path: Path) -> None:
    workspace, _ = written
    wb = load_workbook(workspace.templates / "龙导_台账填报模板.xlsx")
    issue = row("问题台账")
    for col, spec in enumerate(schemas.field_specs(schemas.Issue), 1):
        if issue[spec.header] is not None:
            wb["问题台账"].cell(FIRST_DATA_ROW, col, _clerk_value(spec.kind, issue[spec.header]))
    filled = tmp_path / "龙导_问题.xlsx"
    wb.save(filled)
    blank = tmp_path / "龙导_空白.xlsx"
    load_workbook(workspace.templates / "龙导_台账填报模板.xlsx").save(blank)

    config = load_config(None)
    one = check_file(filled, config, dt.date(2026, 12, 1)).verdict
    assert (one.status, one.errors, one.warnings) == ("valid", [], [])  # the 说明 says: leave them
    assert {s.kind: s.rows for s in one.sheets} == {**dict.fromkeys(schemas.LEDGERS, 0), "问题台账": 1}
    none = check_file(blank, config, dt.date(2026, 12, 1)).verdict
    assert none.status == "valid" and none.errors == []
    assert sorted((f.rule, f.sheet) for f in none.warnings) == sorted(
        ("SHEET", ledger) for ledger in schemas.LEDGERS)  # nothing anywhere: each sheet said
