"""The guard: every hostile or broken file gets its own clear message, a good one its facts."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter

from pipeline.guard import Limits, PackageFacts, SheetFacts, Unreadable, inspect_package
from tests.builders import Sheet, write_workbook
from tests.builders import hostile as h


def refused(path: Path, limits: Limits | None = None) -> Unreadable:
    with pytest.raises(Unreadable) as caught:
        inspect_package(path, limits)
    return caught.value


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


# --- files that are not a workbook ------------------------------------------------------


@pytest.mark.parametrize("name", list(h.HOSTILE))
def test_each_hostile_file_gets_its_message(folder: Path, name: str) -> None:
    builder, key = h.HOSTILE[name]
    exc = refused(builder(folder))
    assert exc.key == key
    assert exc.message  # the catalogue text, placeholders filled


def test_old_xls_and_encrypted_are_told_apart(folder: Path) -> None:
    assert "旧版Excel格式" in refused(h.old_xls(folder)).message
    assert "密码" in refused(h.encrypted_xlsx(folder)).message


def test_truncated_zip_says_it_is_incomplete(folder: Path) -> None:
    exc = refused(h.truncated_zip(folder))
    assert exc.values["detail"] == "文件不完整，可能在下载或复制时被截断"


def test_member_longer_than_declared_is_never_inflated(folder: Path) -> None:
    exc = refused(h.lying_sizes(folder))
    assert (exc.key, exc.values["detail"]) == ("FILE.corrupt", "压缩数据校验失败")


def test_other_office_formats_are_named(tmp_path: Path) -> None:
    path = tmp_path / "表格.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    exc = refused(path)
    assert exc.key == "FILE.other_format"
    assert ".ods" in exc.message


@pytest.mark.parametrize(("main", "kind"), [("word/document.xml", ".docx"),
                                            ("ppt/presentation.xml", ".pptx")])
def test_a_word_or_powerpoint_file_renamed_is_named(tmp_path: Path, main: str, kind: str) -> None:
    path = tmp_path / "台账.xlsx"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
    with zipfile.ZipFile(path, "w") as zf:  # as Word and PowerPoint write them
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/'
                    f'package/2006/relationships"><Relationship Id="rId1" Type="{office}" '
                    f'Target="{main}"/></Relationships>')
        zf.writestr(main, "<document/>")
    exc = refused(path)
    assert exc.key == "FILE.other_format" and kind in exc.message


def test_zip_without_workbook_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "压缩包.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert refused(path).values["detail"] == "压缩包中没有工作簿部件xl/workbook.xml"


def test_missing_file_and_folder_are_unreadable(tmp_path: Path) -> None:
    assert refused(tmp_path / "没有这个文件.xlsx").key == "FILE.unreadable"
    assert refused(tmp_path).key == "FILE.unreadable"


# --- limits -----------------------------------------------------------------------------


def test_zip_bomb_is_refused_from_the_directory_alone(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = h.zip_bomb(folder)
    assert path.stat().st_size < 1 << 20

    def no_inflating(*args: object, **kwargs: object) -> None:
        raise AssertionError("the guard inflated a member of a zip bomb")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    exc = refused(path)
    assert exc.key == "FILE.bomb"
    assert exc.values["size"] == "320.0 MB"
    assert "压缩比" in exc.message


def test_uncompressed_total_and_ratio_are_separate_limits(folder: Path) -> None:
    path = h.valid_workbook(folder, "限额.xlsx")
    assert refused(path, Limits(max_uncompressed_bytes=10_000)).key == "FILE.bomb"
    inspect_package(path, Limits(max_compression_ratio=1.01))  # small members are never bombs


def test_file_too_big(folder: Path) -> None:
    exc = refused(h.valid_workbook(folder, "太大.xlsx"), Limits(max_file_bytes=1000))
    assert exc.key == "FILE.too_big"
    assert exc.values["limit"] == "1000 字节"


def test_too_many_members(folder: Path) -> None:
    exc = refused(h.valid_workbook(folder, "部件多.xlsx"), Limits(max_members=5))
    assert exc.key == "FILE.corrupt"
    assert "超过上限5个" in exc.message


@pytest.mark.parametrize("style", h.FAR_CELL_STYLES)
def test_far_cell_is_refused_however_it_is_written(folder: Path, style: str) -> None:
    exc = refused(h.far_cell(folder, style))
    assert exc.key == "FILE.extent"
    assert exc.values["cell"] == "XFD1048576"
    assert "Sheet1" in exc.message and "XFD1048576" in exc.message


def test_million_rows_names_the_real_last_cell(folder: Path) -> None:
    exc = refused(h.million_rows(folder))
    assert exc.key == "FILE.extent"
    assert (exc.values["cell"], exc.values["rows"]) == ("C1000000", 1_000_000)


def test_extent_limit_is_a_parameter(folder: Path) -> None:
    path = h.valid_workbook(folder, "范围.xlsx")
    exc = refused(path, Limits(max_rows=5))
    assert (exc.key, exc.values["sheet"], exc.values["cell"]) == ("FILE.extent", "走访登记", "D6")
    assert refused(path, Limits(max_columns=3)).values["cell"] == "D6"


def test_huge_shared_string_names_its_sheet_and_cell(folder: Path) -> None:
    exc = refused(h.huge_cell(folder))
    assert exc.key == "FILE.cell_too_long"
    assert (exc.values["sheet"], exc.values["cell"]) == ("Sheet1", "B2")
    assert exc.values["size"] == "约6990万字"
    assert "Sheet1" in exc.message and "32767字" in exc.message


def test_long_shared_string_names_its_cell(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "长文本.xlsx",
                          Sheet(name="走访登记", header=["情况记录"], rows=[["短"], ["很" * 60]]))
    exc = refused(path, Limits(max_cell_chars=50))
    assert (exc.key, exc.values["sheet"], exc.values["size"]) == ("FILE.cell_too_long", "走访登记", "60字")
    assert exc.values.get("cell") == "A3"
    inspect_package(path, Limits(max_cell_chars=60))


def test_long_inline_text_names_its_cell(tmp_path: Path) -> None:
    rows = '<row r="7"><c r="B7" t="inlineStr"><is><t>' + "字" * 100 + "</t></is></c></row>"
    sheet = h.MAIN_NS.join(['<worksheet xmlns="', f'"><sheetData>{rows}</sheetData></worksheet>'])
    exc = refused(h.from_base(tmp_path, "内联.xlsx", {h.SHEET_PART: sheet.encode()}),
                  Limits(max_cell_chars=50))
    assert (exc.key, exc.values["cell"], exc.values["size"]) == ("FILE.cell_too_long", "B7", "100字")


# --- XML tricks ---------------------------------------------------------------------------


def test_doctype_in_any_part_is_refused(tmp_path: Path) -> None:
    base = h.valid_workbook(tmp_path)
    with zipfile.ZipFile(base) as zf:
        core = zf.read("docProps/core.xml")
    path = h.replace_parts(base, tmp_path / "core.xlsx", {
        "docProps/core.xml": b'<!DOCTYPE x [<!ENTITY a "b">]>' + core})
    assert refused(path).key == "FILE.entity"


@pytest.mark.parametrize("sheet", [
    '<?xml version="1.0" encoding="UTF-16"?><worksheet/>'.encode("utf-16"),
    b'<?xml version="1.0" encoding="UTF-7"?><worksheet/>',
    b"\x00\x01\x02 not xml",
])
def test_sheet_that_is_not_utf8_xml_is_corrupt(tmp_path: Path, sheet: bytes) -> None:
    path = h.from_base(tmp_path, "编码.xlsx", {h.SHEET_PART: sheet})
    assert refused(path).key == "FILE.corrupt"


# --- a good workbook ---------------------------------------------------------------------


def test_valid_workbook_facts(folder: Path) -> None:
    facts = inspect_package(h.valid_workbook(folder))
    assert isinstance(facts, PackageFacts)
    assert facts.names == ["说明", "走访登记", "问题台账"]
    visits = facts.sheet("走访登记")
    assert visits is not None
    assert (visits.max_row, visits.max_col, visits.far_cell) == (6, 4, "D6")
    assert visits.has_formulas and visits.hidden_rows == [4]
    assert visits.part.startswith("xl/worksheets/")
    issues = facts.sheet("问题台账")
    assert issues == SheetFacts(name="问题台账", part="xl/worksheets/sheet3.xml", max_row=3, max_col=3)
    assert facts.sheet("没有") is None


def test_odd_file_name_is_no_problem(folder: Path) -> None:
    path = h.odd_name(folder)
    assert path.name == h.ODD_NAME
    assert inspect_package(path).names == ["说明", "走访登记", "问题台账"]


def test_extent_comes_from_cells_not_dimension(tmp_path: Path) -> None:
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
             b"</sheetData></worksheet>")
    facts = inspect_package(h.from_base(tmp_path, "维度.xlsx", {h.SHEET_PART: sheet}))
    assert facts.sheets[0].far_cell == "A1"


def test_cells_out_of_order_still_give_the_true_extent(tmp_path: Path) -> None:
    cells = "".join(f'<row r="{r}"><c r="B{r}"><v>1</v></c></row>' for r in range(300, 0, -1))
    cells += '<row r="301"><c r="C2"><v>1</v></c></row>'
    sheet = h.MAIN_NS.join(['<worksheet xmlns="', f'"><sheetData>{cells}</sheetData></worksheet>'])
    facts = inspect_package(h.from_base(tmp_path, "乱序.xlsx", {h.SHEET_PART: sheet.encode()}))
    assert facts.sheets[0].far_cell == "C300"


def test_cells_without_ref_are_counted(tmp_path: Path) -> None:
    rows = '<row r="2"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row><row hidden="1"><c/></row>'
    sheet = h.MAIN_NS.join(['<worksheet xmlns="', f'"><sheetData>{rows}</sheetData></worksheet>'])
    facts = inspect_package(h.from_base(tmp_path, "无位置.xlsx", {h.SHEET_PART: sheet.encode()}))
    # row 3's <c/> holds nothing: hidden, but no extent
    assert (facts.sheets[0].far_cell, facts.sheets[0].hidden_rows) == ("C2", [3])


@pytest.mark.parametrize("slow", [False, True])
def test_empty_formatted_cells_are_no_extent(tmp_path: Path, slow: bool) -> None:
    # a header row filled yellow across to IV, borders drawn down to row 200,010
    styled = "".join(f'<c r="{get_column_letter(c)}1" s="1"/>' for c in range(3, 257))
    rows = (f'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>2</v></c>{styled}</row>'
            '<row r="200010"><c r="A200010" s="2"/></row>')
    if slow:  # cells written without r= take the exact path
        rows += '<row r="200011"><c s="2"/><c s="2"/></row>'
    sheet = h.MAIN_NS.join(['<worksheet xmlns="', f'"><sheetData>{rows}</sheetData></worksheet>'])
    facts = inspect_package(h.from_base(tmp_path, "格式.xlsx", {h.SHEET_PART: sheet.encode()}))
    assert facts.sheets[0].far_cell == "B1"


@pytest.mark.parametrize("ref", ["A" + "9" * 5000, "A" * 5000 + "1", "A000000000000000000000001"])
def test_absurd_references_are_far_out_or_harmless(tmp_path: Path, ref: str) -> None:
    rows = f'<row r="1"><c r="{ref}"><v>1</v></c></row>'
    sheet = h.MAIN_NS.join(['<worksheet xmlns="', f'"><sheetData>{rows}</sheetData></worksheet>'])
    path = h.from_base(tmp_path, "离谱.xlsx", {h.SHEET_PART: sheet.encode()})
    if ref.endswith("0001"):
        assert inspect_package(path).sheets[0].far_cell == "A1"
    else:
        assert refused(path).key == "FILE.extent"


def test_tag_that_never_closes_does_not_hang_the_scan(tmp_path: Path) -> None:
    rows = '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row><x:c ' + 'a "b" ' * 5_000 + "<x:v/>"
    sheet = h.MAIN_NS.join(['<x:worksheet xmlns:x="', f'"><x:sheetData>{rows}</x:sheetData></x:worksheet>'])
    facts = inspect_package(h.from_base(tmp_path, "不闭合.xlsx", {h.SHEET_PART: sheet.encode()}))
    assert facts.sheets[0].far_cell == "A1"
