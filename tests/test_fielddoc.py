"""The public field documentation: every column of every ledger, with its public/private mark."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import schemas
from pipeline.fielddoc import write_field_doc
from pipeline.workspace import Workspace

if TYPE_CHECKING:
    from tests.browser import PageChecker

pytest_plugins = ("tests.browser",)


class _Tables(HTMLParser):
    """Each <h2> ledger name -> its table's body rows, as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.wrapped: list[str] = []
        self._ledger = ""
        self._in: str | None = None
        self._text = ""
        self._row: list[str] | None = None
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack.append(tag)
        if tag == "div" and ("class", "table-wrap") in attrs:
            self.wrapped.append(self._ledger)
        if tag in ("h2", "td"):
            self._in, self._text = tag, ""
        elif tag == "tr" and "tbody" in self._stack:
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
        if tag == "h2":
            self._ledger = self._text.strip()
            self.tables[self._ledger] = []
            self._in = None
        elif tag == "td" and self._row is not None:
            self._row.append(self._text.strip())
            self._in = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._ledger].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = write_field_doc(Workspace(tmp_path_factory.mktemp("ws")))
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tables(page: tuple[Path, str]) -> _Tables:
    parser = _Tables()
    parser.feed(page[1])
    return parser


def test_page_is_written_to_public(page: tuple[Path, str]) -> None:
    path, text = page
    assert path.name == "字段说明.html" and path.parent.name == "public"
    assert text.startswith("<!doctype html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert "<h1>龙凤街道驻点台账字段说明</h1>" in text


def test_every_ledger_has_a_wrapped_table_of_its_headers(tables: _Tables) -> None:
    assert list(tables.tables) == list(schemas.LEDGERS)
    assert tables.wrapped == list(schemas.LEDGERS)
    for ledger, model in schemas.LEDGERS.items():
        rows = tables.tables[ledger]
        assert [r[0] for r in rows] == [s.header for s in schemas.field_specs(model)]


def test_each_row_carries_the_schema_facts(tables: _Tables) -> None:
    for ledger, model in schemas.LEDGERS.items():
        for cells, spec in zip(tables.tables[ledger], schemas.field_specs(model), strict=True):
            header, description, required, allowed, example, public = cells
            assert description == spec.description
            assert required == ("必填" if spec.required else "可选")
            if spec.choices:
                assert allowed == "、".join(spec.choices)
            # a private column's example (a made-up name, phone, address) stays off this
            # public page: a resident might really have it
            assert example == (spec.example if spec.public else "—")
            assert public == ("公开" if spec.public else "不公开")


def test_private_fields_are_marked_not_public(tables: _Tables) -> None:
    visits = {cells[0]: cells for cells in tables.tables["走访登记"]}
    assert visits["情况记录"][5] == "不公开"
    issues = {cells[0]: cells for cells in tables.tables["问题台账"]}
    assert issues["反映人"][5] == "不公开"
    assert issues["公开摘要"][5] == "公开"
    assert visits["人数"][2:4] == ["可选", "整数，不小于1"]


def test_page_fits_a_phone_without_sideways_scrolling(page: tuple[Path, str],
                                                      page_check: PageChecker) -> None:
    result = page_check(page[0], 390, "字段说明")
    assert result.console_errors == []
    assert result.viewport_width == 390
    assert result.scroll_width <= 390
