"""Hostile and broken files, built in code: each builder writes one into `folder`.

The big ones (a zip bomb, 200 MB in one cell, a million rows) are streamed into the zip
part by part, so building them costs seconds and little memory. The OLE2 files (old .xls,
a password-protected workbook) are minimal but well-formed Compound File Binary files.
"""

from __future__ import annotations

import random
import struct
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from tests.builders import Sheet, write_workbook

MiB = 1 << 20
SHEET_PART = "xl/worksheets/sheet1.xml"
SHARED_PART = "xl/sharedStrings.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ODD_NAME = "龙导 社区#1 %20 '引号' \"双引号\" & (副本)；第48周.xlsx"

Part = bytes | Callable[[IO[bytes]], None]


# --- plain workbooks ------------------------------------------------------------------


def valid_workbook(folder: Path, name: str = "valid.xlsx") -> Path:
    """Three sheets in this order: 说明 (A1 only), 走访登记 (A1:D6, a formula in D6, row 4
    hidden), 问题台账 (A1:C3, values only)."""
    return write_workbook(
        folder / name,
        Sheet(name="说明", header=["本工作簿用于测试"]),
        Sheet(name="走访登记", header=["日期", "社区", "户编号", "人数"],
              rows=[["2026-11-03", "龙导", f"LD-000{i}", i] for i in range(1, 5)],
              title=["龙导社区走访登记"], hidden_rows=[4], extra={"D6": "=SUM(D3:D5)"}),
        Sheet(name="问题台账", header=["问题编号", "社区", "责任人"],
              rows=[["LD-2026-001", "龙导", "李福坚"], ["LD-2026-002", "龙导", "李福坚"]]),
    )


def odd_name(folder: Path) -> Path:
    """A valid workbook whose file name has spaces, Chinese, #, %, quotes, & and brackets."""
    return valid_workbook(folder, ODD_NAME)


def replace_parts(src: Path, dst: Path, parts: dict[str, Part], level: int = 6) -> Path:
    """Copy the zip `src` to `dst`, with the members in `parts` replaced or added; a
    callable part is given the open member to stream into."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED,
                                                      compresslevel=level) as zout:
        for info in zin.infolist():
            if info.filename not in parts:
                zout.writestr(info.filename, zin.read(info.filename))
        for name, part in parts.items():
            if callable(part):
                with zout.open(name, "w", force_zip64=True) as member:
                    part(member)
            else:
                zout.writestr(name, part)
    return dst


def from_base(folder: Path, name: str, parts: dict[str, Part], level: int = 6) -> Path:
    """A one-sheet openpyxl workbook with `parts` replaced, written to folder/name."""
    base = write_workbook(folder / ".base.xlsx", Sheet(name="Sheet1", header=["A"]))
    try:
        return replace_parts(base, folder / name, parts, level)
    finally:
        base.unlink()


def _with_sheet(folder: Path, name: str, sheet: Part) -> Path:
    return from_base(folder, name, {SHEET_PART: sheet})


def _sheet_xml(rows: str, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f"xmlns:{prefix}" if prefix else "xmlns"
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<{p}worksheet {ns}="{MAIN_NS}"><{p}sheetData>{rows}</{p}sheetData></{p}worksheet>'
            ).encode()


# --- not an xlsx at all ---------------------------------------------------------------


def empty_file(folder: Path) -> Path:
    path = folder / "空文件.xlsx"
    path.write_bytes(b"")
    return path


def csv_as_xlsx(folder: Path) -> Path:
    path = folder / "其实是CSV.xlsx"
    path.write_text("日期,社区,户编号\n2026-11-03,龙导,LD-0001\n", encoding="utf-8-sig")
    return path


def old_xls(folder: Path) -> Path:
    """An Excel 97-2003 file: an OLE2 compound file with a 'Workbook' stream (a BIFF8 BOF)."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0206)
    path = folder / "旧格式.xlsx"
    path.write_bytes(compound_file([("Workbook", bof)]))
    return path


def encrypted_xlsx(folder: Path) -> Path:
    """A password-protected workbook as Excel writes it: an OLE2 compound file holding the
    EncryptionInfo and EncryptedPackage streams (the package itself is random bytes)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
        b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"/>'
        b"</encryption>")
    package = struct.pack("<Q", 6000) + random.Random(3).randbytes(6144)
    path = folder / "有密码.xlsx"
    path.write_bytes(compound_file([("EncryptionInfo", info), ("EncryptedPackage", package)]))
    return path


def compound_file(streams: list[tuple[str, bytes]]) -> bytes:
    """A minimal Compound File Binary (v3, 512-byte sectors) holding up to three streams.

    Streams are padded to 4096 bytes so they live in regular sectors (no mini stream).
    """
    if len(streams) > 3:
        raise ValueError("one directory sector holds the root and three streams")
    sector, end, free, fat_sector, none = 512, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat, body, starts = [fat_sector, end], b"", []
    for _, payload in streams:
        payload = payload.ljust(4096, b"\0")
        count = -(-len(payload) // sector)
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [end]
        body += payload.ljust(count * sector, b"\0")

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return struct.pack("<64sHBBIII16sIQQIQ", raw.ljust(64, b"\0"), len(raw), kind, 1,
                           none, right, child, bytes(16), 0, 0, 0, start, size)

    order = sorted(range(len(streams)), key=lambda i: (len(streams[i][0]), streams[i][0].upper()))
    directory = entry("Root Entry", 5, order[0] + 1 if order else none, none, end, 0)
    for i, (name, payload) in enumerate(streams):
        at = order.index(i)
        right = order[at + 1] + 1 if at + 1 < len(order) else none
        directory += entry(name, 2, none, right, starts[i], len(payload))
    directory = directory.ljust(sector, b"\0")
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16),
                         0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *([free] * 108))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(sector, b"\xff")
    return header + fat_bytes + directory + body


# --- broken or hostile zips -----------------------------------------------------------


def truncated_zip(folder: Path) -> Path:
    """A valid workbook cut in half, as an interrupted download leaves it."""
    data = valid_workbook(folder, ".whole.xlsx").read_bytes()
    (folder / ".whole.xlsx").unlink()
    path = folder / "不完整.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def bad_crc(folder: Path) -> Path:
    """A complete zip whose sheet data was altered after its CRC was written."""
    path = valid_workbook(folder, "校验错.xlsx")
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet2.xml")
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    data[start + info.compress_size // 2] ^= 0x55
    path.write_bytes(bytes(data))
    return path


def lying_sizes(folder: Path, real: int = 16 * MiB, declared: int = 4096) -> Path:
    """A sheet part whose zip directory declares `declared` bytes but inflates to `real`."""
    def zeros(out: IO[bytes]) -> None:
        _write_repeated(out, b'<c r="A1"><v>0</v></c>', real)
    path = _with_sheet(folder, "尺寸造假.xlsx", zeros)
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    count, at = struct.unpack("<H4xI", data[end + 10:end + 20])
    for _ in range(count):  # walk the central directory to the sheet's entry
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[at + 28:at + 34])
        if data[at + 46:at + 46 + name_len] == SHEET_PART.encode():
            data[at + 24:at + 28] = struct.pack("<I", declared)  # its uncompressed size
            break
        at += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))
    return path


def zip_bomb(folder: Path, size: int = 320 * MiB) -> Path:
    """A sheet XML of `size` bytes (mostly zeros inside one cell) deflated to under 1 MB."""
    def sheet(out: IO[bytes]) -> None:
        out.write(_sheet_xml("")[:-len(b"</sheetData></worksheet>")]
                  + b'<row r="1"><c r="A1" t="inlineStr"><is><t>')
        _write_repeated(out, b"0", size)
        out.write(b"</t></is></c></row></sheetData></worksheet>")
    return from_base(folder, "解压炸弹.xlsx", {SHEET_PART: sheet}, level=9)


def billion_laughs(folder: Path) -> Path:
    lol = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
    xml = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [' + "".join(lol) + "]>"
           + _sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>')
           .decode().split("?>", 1)[1])
    return _with_sheet(folder, "实体炸弹.xlsx", xml.encode())


def xxe(folder: Path) -> Path:
    xml = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           + _sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>')
           .decode().split("?>", 1)[1])
    return _with_sheet(folder, "外部实体.xlsx", xml.encode())


FAR_CELL_STYLES = ("plain", "prefixed", "attribute_gt", "no_ref")


def far_cell(folder: Path, style: str = "plain") -> Path:
    """One cell at A1 and one at XFD1048576: calamine and fastexcel abort on it (SIGABRT).

    `style` writes the far cell the ways a parser still accepts: 'prefixed' (x:c
    elements), 'attribute_gt' (a '>' inside an earlier attribute), 'no_ref' (a full last
    row of 16384 cells without r=, placed by counting).
    """
    first = '<row r="1"><c r="A1"><v>1</v></c></row>'
    rows = {
        "plain": first + '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>',
        "prefixed": first.replace("<", "<x:").replace("<x:/", "</x:")
        + '<x:row r="1048576"><x:c r="XFD1048576"><x:v>2</x:v></x:c></x:row>',
        "attribute_gt": first + '<row r="1048576"><c s="0" cm=">" r="XFD1048576"><v>2</v></c></row>',
        "no_ref": first + '<row r="1048576">' + "<c><v>2</v></c>" * 16384 + "</row>",
    }[style]
    return _with_sheet(folder, f"远端单元格_{style}.xlsx", _sheet_xml(rows, "x" if style == "prefixed" else ""))


def huge_cell(folder: Path, size: int = 200 * MiB) -> Path:
    """One cell (a shared string) holding `size` bytes of varied Chinese text.

    The text repeats a 30 kB random block, so it deflates about 100:1: under the ratio
    limit, not a zip bomb, just far too much text for one cell.
    """
    rng = random.Random(7)
    block = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(10_000)).encode()

    def shared(out: IO[bytes]) -> None:
        out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  f'<sst xmlns="{MAIN_NS}" count="2" uniqueCount="2"><si><t>标题</t></si><si><t>'
                  .encode())
        _write_repeated(out, block, size)
        out.write(b"</t></si></sst>")

    sheet = _sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
                       '<row r="2"><c r="B2" t="s"><v>1</v></c></row>')
    probe = from_base(folder, ".probe.xlsx", {})
    with zipfile.ZipFile(probe) as zf:
        types = zf.read("[Content_Types].xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    probe.unlink()
    if "sharedStrings" not in types:
        types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
                              '"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                              'sharedStrings+xml"/></Types>')
        rels = rels.replace("</Relationships>", '<Relationship Id="rIdSST" Type="http://schemas.'
                            'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                            'Target="sharedStrings.xml"/></Relationships>')
    return from_base(folder, "超长单元格.xlsx", {
        SHEET_PART: sheet, SHARED_PART: shared, "[Content_Types].xml": types.encode(),
        "xl/_rels/workbook.xml.rels": rels.encode()})


def million_rows(folder: Path, rows: int = 1_000_000) -> Path:
    """A plain 3-column sheet of `rows` rows, streamed into the zip (not via openpyxl)."""
    def sheet(out: IO[bytes]) -> None:
        out.write(_sheet_xml("")[:-len(b"</sheetData></worksheet>")])
        for block in _row_blocks(rows):
            out.write(block)
        out.write(b"</sheetData></worksheet>")
    return from_base(folder, "一百万行.xlsx", {SHEET_PART: sheet}, level=1)


def rows_sheet(rows: int, columns: int = 12) -> Callable[[IO[bytes]], None]:
    """A ledger-like sheet part of `rows` x `columns` (for measuring the guard)."""
    def sheet(out: IO[bytes]) -> None:
        out.write(_sheet_xml("")[:-len(b"</sheetData></worksheet>")])
        for block in _row_blocks(rows, columns):
            out.write(block)
        out.write(b"</sheetData></worksheet>")
    return sheet


def _row_blocks(rows: int, columns: int = 3, per_block: int = 20_000) -> Iterator[bytes]:
    letters = [chr(65 + i).encode() for i in range(columns)]
    for start in range(1, rows + 1, per_block):
        yield b"".join(
            b'<row r="%d">' % r
            + b"".join(b'<c r="%s%d" t="n"><v>%d</v></c>' % (col, r, r * 10 + j)
                       for j, col in enumerate(letters))
            + b"</row>"
            for r in range(start, min(start + per_block, rows + 1)))


def _write_repeated(out: IO[bytes], unit: bytes, size: int) -> None:
    chunk = unit * max(1, MiB // len(unit))
    written = 0
    while written + len(chunk) <= size:
        out.write(chunk)
        written += len(chunk)
    rest = (size - written) // len(unit)
    out.write(unit * rest)


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty": (empty_file, "FILE.empty"),
    "csv": (csv_as_xlsx, "FILE.not_zip"),
    "xls": (old_xls, "FILE.xls"),
    "encrypted": (encrypted_xlsx, "FILE.encrypted"),
    "truncated": (truncated_zip, "FILE.corrupt"),
    "bad_crc": (bad_crc, "FILE.corrupt"),
    "lying_sizes": (lying_sizes, "FILE.corrupt"),
    "billion_laughs": (billion_laughs, "FILE.entity"),
    "xxe": (xxe, "FILE.entity"),
    "far_cell": (far_cell, "FILE.extent"),
}
"""The small hostile files, each with the message key the guard must answer."""
