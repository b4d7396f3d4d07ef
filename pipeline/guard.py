"""Guard an untrusted workbook before any parser sees it.

`inspect_package(path)` looks at the file the way an attacker (or a broken disk) would
hope we don't: magic bytes, the zip directory (declared sizes and ratios, decided before
inflating anything), then every XML part streamed in bounded chunks and scanned with
byte regexes for DOCTYPE/ENTITY, the real cell extent of each sheet, over-long cell
text, formulas and hidden rows. It never builds a tree of a sheet, so it is fast (about
0.1 s per 10 MB of sheet XML) and its memory is a few chunks.

A file it refuses raises `Unreadable`, whose `key`/`values` fill a `FILE.*` message of
the catalogue. A file it passes is described by `PackageFacts`, in workbook order.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Any, Literal
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from pipeline import config
from pipeline.messages import say

CHUNK = 1 << 20                 # bytes inflated per read
RATIO_FLOOR = 1 << 20           # members smaller than this are never a ratio bomb
META_MAX = 16 << 20             # workbook.xml, *.rels: read whole, so bounded
TAG_CAP = 1 << 20               # no honest XML start tag is this long
FAR_OUT = 10**9                 # a row or column number too long to spell out

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ENCRYPTION_STREAMS = tuple(n.encode("utf-16-le") for n in ("EncryptionInfo", "EncryptedPackage"))
UTF8_BOM = b"\xef\xbb\xbf"
WHITESPACE = b" \t\r\n"
OTHER_ENCODINGS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"<\x00", b"\x00<",
                   b"\x4c\x6f\xa7\x94")  # UTF-16/32 BOMs, UTF-16 '<', EBCDIC '<?xm'
OK_ENCODINGS = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}
REL_OFFICE_DOCUMENT = "/officeDocument"
SHEET_REL_TYPES = {"/worksheet": "worksheet", "/chartsheet": "chartsheet", "/dialogsheet": "dialogsheet",
                   "/xlMacrosheet": "macrosheet", "/xlIntlMacrosheet": "macrosheet"}

_ENTITY = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DECL_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
# A cell start tag whose first attribute is r="…" (what Excel, openpyxl, xlsxwriter write).
_REF = re.compile(rb'<c r="([A-Za-z]+)(\d+)"')
_ODD_CELL = re.compile(rb'<c(?! r=")[\s/>]')                 # a cell written some other way
_PREFIXED_CELL = re.compile(rb"<[^\s<>/:!?]+:c[\s/>]")       # <x:c …>: quick-xml ignores prefixes
_FORMULA = re.compile(rb"<(?:[^\s<>/:!?]+:)?f[\s/>]")
# attributes, '>' allowed inside quotes; possessive, so a tag that never closes cannot
# make the regex backtrack exponentially
_ATTRS = rb"""((?:[^<>"']++|"[^"<]*+"|'[^'<]*+')*+)"""
_ROW_TAG = re.compile(rb"<(?:[^\s<>/:!?]+:)?row(?=[\s/>])" + _ATTRS + rb">")
_TOKEN = re.compile(rb"<(?:[^\s<>/:!?]+:)?(row|c|f)(?=[\s/>])" + _ATTRS + rb">")
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ATTR_HIDDEN = re.compile(rb"""(?:^|\s)hidden\s*=\s*["'](?:1|true)["']""")
_ATTR_REF = re.compile(rb"""(?:^|\s)ref\s*=\s*["']([A-Za-z]+\d+)""")
_CELL_REF = re.compile(rb"([A-Za-z]+)(\d+)")
_ENTITY_REF = re.compile(rb"&#?\w{1,12};")
_CONTINUATION = bytes(range(0x80, 0xC0))
# calamine reads an error value and a formula saved without its value as empty cells; the
# guard names them so the reader can report them. A formula whose cached result is the empty
# string carries t="str"; one never calculated (as openpyxl writes) has no value or <v/>.
_ERROR_CELL = re.compile(rb'<c r="([A-Za-z]+\d+)"[^>]*?\st="e"')
_UNCACHED_FORMULA = re.compile(
    rb'<c r="([A-Za-z]+\d+)"([^>]*)>\s*<f(?:[^>]*/>|[^>]*>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')
MAX_NAMED_CELLS = 10_000  # per sheet and kind: enough to report, bounded in memory


@dataclass(frozen=True)
class Limits:
    """The guard's limits; defaults come from pipeline.config at construction time."""

    max_file_bytes: int = field(default_factory=lambda: config.MAX_FILE_BYTES)
    max_uncompressed_bytes: int = field(default_factory=lambda: config.MAX_UNCOMPRESSED_BYTES)
    max_compression_ratio: float = field(default_factory=lambda: config.MAX_COMPRESSION_RATIO)
    max_rows: int = field(default_factory=lambda: config.MAX_ROWS)
    max_columns: int = field(default_factory=lambda: config.MAX_COLUMNS)
    max_cell_chars: int = field(default_factory=lambda: config.MAX_CELL_CHARS)
    max_members: int = field(default_factory=lambda: config.MAX_ZIP_MEMBERS)


class Unreadable(Exception):
    """The file cannot be read at all; `message` is the Chinese text for the clerk."""

    def __init__(self, key: str, values: dict[str, Any] | None = None) -> None:
        super().__init__(key, dict(values or {}))
        self.key = key
        self.values: dict[str, Any] = dict(values or {})

    @property
    def message(self) -> str:
        return say(self.key, **self.values)

    def __str__(self) -> str:
        return self.message


@dataclass
class SheetFacts:
    """One sheet as the zip holds it: its real extent, not what <dimension> claims."""

    name: str
    part: str
    max_row: int = 0
    max_col: int = 0
    has_formulas: bool = False
    hidden_rows: list[int] = field(default_factory=list)
    error_cells: list[str] = field(default_factory=list)        # cells holding #REF! and the like
    uncached_formulas: list[str] = field(default_factory=list)  # formulas saved without a value
    state: str = "visible"          # visible | hidden | veryHidden
    kind: str = "worksheet"         # worksheet | chartsheet | dialogsheet | macrosheet

    @property
    def far_cell(self) -> str:
        """The bottom-right corner of the extent, e.g. 'L200'; '' for an empty sheet."""
        return f"{column_letters(self.max_col)}{self.max_row}" if self.max_row and self.max_col else ""


@dataclass
class PackageFacts:
    sheets: list[SheetFacts] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def sheet(self, name: str) -> SheetFacts | None:
        return next((s for s in self.sheets if s.name == name), None)


def inspect_package(path: str | os.PathLike[str], limits: Limits | None = None) -> PackageFacts:
    """Check an untrusted .xlsx without parsing it; raise Unreadable for a file to refuse."""
    lim = limits or Limits()
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise Unreadable("FILE.unreadable", {"detail": "这不是一个普通文件"})
        with open(path, "rb") as fh:
            return _inspect(fh, os.fstat(fh.fileno()).st_size, lim)
    except OSError as exc:
        raise Unreadable("FILE.unreadable", {"detail": exc.strerror or str(exc)}) from exc


def column_letters(n: int) -> str:
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: bytes | str) -> int:
    """1 for A, 16384 for XFD; anything longer than four letters is simply far out."""
    text = letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper()
    if len(text) > 4:
        return FAR_OUT
    n = 0
    for ch in text:
        n = n * 26 + ord(ch) - 64
    return n


def row_number(digits: bytes) -> int:
    digits = digits.lstrip(b"0") or b"0"
    return int(digits) if len(digits) <= 9 else FAR_OUT


def human_size(n: float) -> str:
    for unit in ("字节", "KB", "MB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "字节" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def human_chars(n: int) -> str:
    if n >= 100_000_000:
        return f"约{n / 100_000_000:.1f}亿字"
    if n >= 1_000_000:
        return f"约{n / 10_000:.0f}万字"
    return f"{n}字"


# --- the container --------------------------------------------------------------------


def _inspect(fh: IO[bytes], size: int, lim: Limits) -> PackageFacts:
    if size == 0:
        raise Unreadable("FILE.empty")
    head = fh.read(8)
    if head == OLE_MAGIC:
        raise Unreadable("FILE.encrypted" if _ole_encrypted(fh, size, lim) else "FILE.xls")
    if size > lim.max_file_bytes:
        raise Unreadable("FILE.too_big", {"size": human_size(size),
                                          "limit": human_size(lim.max_file_bytes)})
    if head[:4] not in ZIP_MAGICS:
        raise Unreadable("FILE.not_zip")
    _check_end_record(fh, size, lim)
    with _zip_errors():
        fh.seek(0)
        with zipfile.ZipFile(fh) as zf:
            return _Package(zf, lim).inspect()


def _ole_encrypted(fh: IO[bytes], size: int, lim: Limits) -> bool:
    """An OLE2 container holding EncryptionInfo/EncryptedPackage is a password-protected xlsx."""
    spans = [(0, min(size, lim.max_file_bytes))]
    if size > lim.max_file_bytes:
        spans.append((max(0, size - CHUNK), size))
    for start, end in spans:
        fh.seek(start)
        pos, carry = start, b""
        while pos < end:
            data = carry + fh.read(min(CHUNK, end - pos))
            if len(data) == len(carry):
                break
            pos += len(data) - len(carry)
            if any(name in data for name in ENCRYPTION_STREAMS):
                return True
            carry = data[-40:]
    return False


def _check_end_record(fh: IO[bytes], size: int, lim: Limits) -> None:
    """Find the zip's end record ourselves: a cut-off file, or a directory too big to hold."""
    span = min(size, 65536 + 22)
    fh.seek(size - span)
    tail = fh.read(span)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise Unreadable("FILE.corrupt", {"detail": "文件不完整，可能在下载或复制时被截断"})
    entries, _cd_size = struct.unpack("<HI", tail[at + 10:at + 16])
    locator = at - 20
    if entries == 0xFFFF and locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":
        (offset,) = struct.unpack("<Q", tail[locator + 8:locator + 16])
        if offset < size:
            fh.seek(offset)
            record = fh.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                (entries,) = struct.unpack("<Q", record[32:40])
    if entries > lim.max_members:
        raise Unreadable("FILE.corrupt", {
            "detail": f"压缩包内有{entries}个部件，超过上限{lim.max_members}个"})


class _zip_errors:
    """Map what zipfile/zlib raise on a damaged archive to FILE.corrupt / FILE.encrypted."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: Any) -> Literal[False]:
        if kind is None or isinstance(exc, Unreadable):
            return False
        if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
            raise Unreadable("FILE.encrypted") from exc
        if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError | NotImplementedError
                      | struct.error):
            detail = "压缩数据校验失败" if "CRC" in str(exc) else "压缩包结构损坏"
            raise Unreadable("FILE.corrupt", {"detail": detail}) from exc
        return False


# --- the package ----------------------------------------------------------------------


class _Package:
    def __init__(self, zf: zipfile.ZipFile, lim: Limits) -> None:
        self.zf, self.lim = zf, lim
        self.inflated = 0
        self.names = {info.filename for info in zf.infolist()}
        self.sheets: list[SheetFacts] = []

    def inspect(self) -> PackageFacts:
        self._check_directory()
        workbook = self._workbook_part()
        facts, shared, notes = self._declared_sheets(workbook)
        self.sheets = facts.sheets
        by_part = {s.part: s for s in facts.sheets}
        for info in self.zf.infolist():
            if info.is_dir():
                continue
            sheet = by_part.get(info.filename)
            if sheet is not None:
                _SheetScan(self, info, sheet, sheet.name).run()
            elif info.filename == shared:
                _TextScan(self, info, "共享字符串表", shared=True).run()
            elif info.filename in notes:
                _TextScan(self, info, notes[info.filename], comments=True).run()
            else:  # any other XML part is checked like a sheet, so no path trick can hide one
                _SheetScan(self, info, None, info.filename).run()
        return facts

    def _check_directory(self) -> None:
        lim, seen = self.lim, set()
        total = 0
        worst: tuple[float, int] = (0.0, 0)
        for info in self.zf.infolist():
            if info.flag_bits & 0x1:
                raise Unreadable("FILE.encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise Unreadable("FILE.corrupt", {"detail": f"部件{info.filename}使用了不支持的压缩方式"})
            key = info.filename.lower()
            if key in seen:
                raise Unreadable("FILE.corrupt", {"detail": f"压缩包中有重复的部件{info.filename}"})
            seen.add(key)
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR and ratio > worst[0]:
                worst = (ratio, info.file_size)
        if total > lim.max_uncompressed_bytes or worst[0] > lim.max_compression_ratio:
            raise self._bomb(max(total, worst[1]), worst[0])

    def _bomb(self, size: int, ratio: float) -> Unreadable:
        lim = self.lim
        return Unreadable("FILE.bomb", {
            "size": human_size(size), "ratio": f"{ratio:.0f}",
            "limit": f"{human_size(lim.max_uncompressed_bytes)}（压缩比{lim.max_compression_ratio:g}倍）"})

    # the workbook and its relationships: small parts, read whole, parsed with defusedxml

    def _workbook_part(self) -> str:
        target = "xl/workbook.xml"
        if "_rels/.rels" in self.names:
            for rel_type, part in self._relationships("_rels/.rels", "").values():
                if rel_type.endswith(REL_OFFICE_DOCUMENT):
                    target = part
                    break
        found = self._find(target)
        if found is None or found.lower() in OTHER_MAIN_PARTS:  # a .docx renamed .xlsx
            raise _not_a_workbook(self.names)
        return found

    def _declared_sheets(self, workbook: str) -> tuple[PackageFacts, str | None, dict[str, str]]:
        root = self._parse(workbook)
        rels = self._relationships(_rels_path(workbook), posixpath.dirname(workbook))
        facts, notes = PackageFacts(), {}
        shared = next((p for t, p in rels.values() if t.endswith("/sharedStrings")), None)
        for elem in root.iter():
            if _local(elem.tag) != "sheet":
                continue
            name = elem.get("name") or ""
            rid = next((v for k, v in elem.attrib.items() if _local(k) == "id" and k != "id"), None)
            rel = rels.get(rid or "")
            part = self._find(rel[1]) if rel else None
            if rel is None or part is None:
                raise Unreadable("FILE.corrupt", {"detail": f"缺少工作表“{name}”的数据"})
            kind = next((k for t, k in SHEET_REL_TYPES.items() if rel[0].endswith(t)), "worksheet")
            facts.sheets.append(SheetFacts(name=name, part=part, state=elem.get("state") or "visible",
                                           kind=kind))
            sheet_rels = _rels_path(part)
            if self._find(sheet_rels):
                for rel_type, target in self._relationships(sheet_rels, posixpath.dirname(part)).values():
                    found = self._find(target)
                    if found and rel_type.endswith(("/comments", "/threadedComment")):
                        notes[found] = name
        if shared is not None:
            shared = self._find(shared)
        return facts, shared, notes

    def _relationships(self, rels_part: str, base: str) -> dict[str, tuple[str, str]]:
        """Id -> (Type, part path) of a .rels part; external targets are left out."""
        if self._find(rels_part) is None:
            return {}
        out = {}
        for elem in self._parse(rels_part).iter():
            if _local(elem.tag) != "Relationship" or elem.get("TargetMode") == "External":
                continue
            target = (elem.get("Target") or "").replace("\\", "/")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
            out[elem.get("Id") or ""] = (elem.get("Type") or "", posixpath.normpath(path))
        return out

    def _parse(self, part: str) -> Element:
        name = self._find(part) or part
        info = self.zf.getinfo(name)
        if info.file_size > META_MAX:
            raise Unreadable("FILE.corrupt", {"detail": f"部件{name}异常地大"})
        data = self.zf.read(info)
        self.inflated += len(data)
        _check_encoding(data, name)
        if not _check_prologue(data.removeprefix(UTF8_BOM).lstrip(WHITESPACE), name):
            raise Unreadable("FILE.corrupt", {"detail": f"部件{name}不是XML"})
        if _ENTITY.search(data):
            raise Unreadable("FILE.entity")
        try:
            return SafeET.fromstring(data)
        except DefusedXmlException as exc:
            raise Unreadable("FILE.entity") from exc
        except ParseError as exc:
            raise Unreadable("FILE.corrupt", {"detail": f"部件{name}不是有效的XML"}) from exc

    def locate_shared_string(self, index: int) -> tuple[str, str] | None:
        """The first sheet cell showing shared string `index` (only on the error path)."""
        if index < 0:
            return None
        pattern = re.compile(rb'<c r="([A-Z]+\d+)"[^<>]*\bt="s"[^<>]*>\s*<v>%d</v>' % index)
        for sheet in self.sheets:
            carry = b""
            with self.zf.open(sheet.part) as member:
                while chunk := member.read(CHUNK):
                    m = pattern.search(carry + chunk)
                    if m:
                        return sheet.name, m.group(1).decode("ascii")
                    carry = chunk[-256:]
        return None

    def _find(self, part: str) -> str | None:
        """The member for a part name; part names are case-insensitive in OOXML."""
        if part in self.names:
            return part
        low = part.lower()
        return next((n for n in self.names if n.lower() == low), None)

    def chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """A member's bytes in chunks; never more than declared, nor past the budget."""
        read = 0
        with self.zf.open(info) as member:
            while chunk := member.read(CHUNK):
                read += len(chunk)
                self.inflated += len(chunk)
                if read > info.file_size or self.inflated > self.lim.max_uncompressed_bytes:
                    raise self._bomb(self.inflated, self.inflated / max(info.compress_size, 1))
                yield chunk


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


# the main part of a package that is no workbook, and what it is
OTHER_FORMATS = {"xl/workbook.bin": "Excel二进制工作簿（.xlsb）", "content.xml": "WPS/LibreOffice表格（.ods）",
                 "word/document.xml": "Word文档（.docx）", "ppt/presentation.xml": "PowerPoint演示文稿（.pptx）"}
OTHER_MAIN_PARTS = frozenset(OTHER_FORMATS)


def _not_a_workbook(names: set[str]) -> Unreadable:
    lower = {n.lower() for n in names}
    for member, kind in OTHER_FORMATS.items():
        if member in lower:
            return Unreadable("FILE.other_format", {"kind": kind})
    return Unreadable("FILE.corrupt", {"detail": "压缩包中没有工作簿部件xl/workbook.xml"})


def _check_encoding(data: bytes, part: str) -> None:
    if data.startswith(OTHER_ENCODINGS):
        raise Unreadable("FILE.corrupt", {"detail": f"部件{part}使用了不支持的字符编码"})


def _check_prologue(data: bytes, part: str) -> bool:
    """True when `data` (past BOM and leading blanks) begins like XML in UTF-8."""
    if not data.startswith(b"<"):
        return False
    if data.startswith(b"<?xml"):
        end = data.find(b"?>", 0, 512)
        m = _DECL_ENCODING.search(data, 0, end if end > 0 else 512)
        if m and m.group(1).lower() not in OK_ENCODINGS:
            raise Unreadable("FILE.corrupt", {"detail": f"部件{part}使用了不支持的字符编码"})
    return True


def _text_chars(data: bytes) -> int:
    """Characters in a run of UTF-8 text, an entity reference counting as one."""
    if b"&" in data:
        data = _ENTITY_REF.sub(b"&", data)
    return len(data.translate(None, _CONTINUATION))


# --- streaming the parts ----------------------------------------------------------------


class _NeedTokens(Exception):
    """The sheet is written in a way the fast path does not cover: re-read it token by token."""


class _TextScan:
    """Stream one XML part, cut into buffers that end just before a '<'.

    Every tag and every text run is whole inside one buffer, so byte regexes see whole
    tags. A text run longer than the cell limit (shared strings, sheets, comments) is
    refused; elsewhere long text (e.g. customXml blobs) is allowed but never kept.
    """

    def __init__(self, pkg: _Package, info: zipfile.ZipInfo, label: str, *,
                 check_text: bool = True, shared: bool = False, comments: bool = False) -> None:
        self.pkg, self.info, self.label = pkg, info, label
        self.check_text, self.shared, self.comments = check_text, shared, comments
        self.lim = pkg.lim
        self.strings = 0  # <si> seen before the current buffer (shared strings)

    def run(self) -> None:
        with _zip_errors():
            self._stream(self.process)
            self.done()

    def _stream(self, process: Callable[[bytes], None]) -> None:
        tail, started, first = b"", False, True
        chunks = self.pkg.chunks(self.info)
        for chunk in chunks:
            if not started:
                if first:
                    _check_encoding(chunk, self.info.filename)
                    chunk, first = chunk.removeprefix(UTF8_BOM), False
                chunk = chunk.lstrip(WHITESPACE)
                if not chunk:
                    continue  # leading whitespace is dropped, never kept
                if not _check_prologue(chunk, self.info.filename):
                    if self.check_text or self.info.filename.endswith((".xml", ".rels", ".vml")):
                        raise Unreadable("FILE.corrupt", {"detail": f"部件{self.info.filename}不是XML"})
                    return  # a binary part (image, printer settings): no XML parser reads it
                started = True
            buf = tail + chunk if tail else chunk
            cut = buf.rfind(b"<")
            if cut <= 0:
                tail = self._open_run(buf, chunks)
                continue
            process(buf[:cut])
            tail = self._open_run(buf[cut:], chunks)
        if tail:
            process(tail)

    def _open_run(self, tail: bytes, chunks: Iterator[bytes]) -> bytes:
        """Keep the unfinished last run small: refuse it if it is cell text over the limit."""
        limit = self.lim.max_cell_chars
        if len(tail) < max(limit, 4096):
            return tail
        gt = tail.find(b">")
        if gt < 0:
            if len(tail) > TAG_CAP:
                raise Unreadable("FILE.corrupt", {"detail": f"部件{self.info.filename}中有异常超长的XML标签"})
            return tail
        if not self.check_text:
            return tail[:gt + 1] if len(tail) > TAG_CAP else tail
        chars = _text_chars(tail[gt + 1:])
        if chars <= limit and len(tail) < 16 * limit + TAG_CAP:
            return tail
        for chunk in chunks:  # count the rest of the run, so the message says how long it is
            end = chunk.find(b"<")
            chars += _text_chars(chunk if end < 0 else chunk[:end])
            if end >= 0:
                break
        raise self._too_long(chars, tail[:gt + 1])

    def process(self, buf: bytes) -> None:
        if b"!" in buf and _ENTITY.search(buf):  # a rare byte first: bytes.find is memchr-fast
            raise Unreadable("FILE.entity")
        if self.check_text:
            self._check_runs(buf)
        if self.shared:
            self.strings += buf.count(b"<si>") + buf.count(b"<si ")

    def done(self) -> None:
        return None

    def _check_runs(self, buf: bytes) -> None:
        """Find a text run of more than max_cell_chars without touching every byte.

        Any run of n >= limit bytes contains an aligned window of limit // 2 bytes with no
        '<' in it, so one bytes.find per window is enough to find the candidates.
        """
        limit = self.lim.max_cell_chars
        half = max(limit // 2, 1)
        k, n = 0, len(buf)
        while k + half <= n:
            if buf.find(b"<", k, k + half) >= 0:
                k += half
                continue
            start = max(buf.rfind(b"<", 0, k), 0)
            end = buf.find(b"<", k + half)
            end = n if end < 0 else end
            gt = buf.find(b">", start, end)
            chars = _text_chars(buf[gt + 1:end]) if gt >= 0 else end - start
            if chars > limit:
                raise self._too_long(chars, buf[:start])
            k = end

    def _too_long(self, chars: int, before: bytes) -> Unreadable:
        values: dict[str, Any] = {"sheet": self.label, "size": human_chars(chars),
                                  "limit": f"{self.lim.max_cell_chars}字"}
        if self.shared:
            index = self.strings + before.count(b"<si>") + before.count(b"<si ") - 1
            found = self.pkg.locate_shared_string(index)
            if found:
                values["sheet"], values["cell"] = found
        elif self.comments:
            m = _ATTR_REF.search(before, max(before.rfind(b"<comment "), 0))
            if m:
                values["cell"] = m.group(1).decode("ascii").upper()
        else:
            ref = _REF.match(before, max(before.rfind(b"<c r="), 0))
            if ref:
                values["cell"] = (ref.group(1) + ref.group(2)).decode("ascii").upper()
        return Unreadable("FILE.cell_too_long", values)


def _holds(buf: bytes, after: int) -> bool:
    """Whether the cell tag that goes on at `after` can hold a value: not <c …/>. A tag
    that runs past the chunk counts (the extent only errs on the safe side)."""
    gt = buf.find(b">", after)
    return gt < 0 or buf[gt - 1:gt] != b"/"


@lru_cache(maxsize=256)
def _greater_than(max_col: int, max_row: int) -> re.Pattern[bytes]:
    """A regex for a cell tag whose column or row is beyond (max_col, max_row)."""
    cols = _beyond(column_letters(max_col), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[A-Za-z]")
    rows = _beyond(str(max_row) if max_row else "", "0123456789", r"\d")
    return re.compile(f'<c r="(?:(?:{cols})(?=\\d)|[A-Za-z]+(?:{rows})")'.encode("ascii"))


def _beyond(value: str, alphabet: str, any_char: str) -> str:
    """Alternatives matching a string over `alphabet` greater than `value` (longer, or same
    length and lexically greater); case-insensitive for letters."""
    alts = [f"{any_char}{{{len(value) + 1},}}"]
    for i, ch in enumerate(value):
        higher = alphabet[alphabet.index(ch) + 1:]
        if not higher:
            continue
        cls = "".join(sorted(set(higher + higher.lower())))
        alts.append(re.escape(value[:i]) + f"[{cls}]" + (f"{any_char}{{{len(value) - i - 1}}}"
                                                       if i < len(value) - 1 else ""))
    if len(alts) > 1 and value.isalpha():
        alts = [alts[0]] + [f"(?i:{a})" for a in alts[1:]]
    return "|".join(alts)


class _SheetScan(_TextScan):
    """A worksheet (or any other XML part): extent, formulas and hidden rows as well."""

    def __init__(self, pkg: _Package, info: zipfile.ZipInfo, sheet: SheetFacts | None, label: str) -> None:
        super().__init__(pkg, info, label, check_text=sheet is not None)
        self.facts = sheet or SheetFacts(name=label, part=info.filename)
        self.tokens = _TokenState()

    def run(self) -> None:
        with _zip_errors():
            inflated = self.pkg.inflated
            try:
                self._stream(self.process)
            except _NeedTokens:
                self.pkg.inflated = inflated  # the second reading is not more data
                self.facts.max_row = self.facts.max_col = 0
                self.facts.hidden_rows.clear()
                self.tokens = _TokenState()
                self._stream(self.process_tokens)
            self.done()

    def process(self, buf: bytes) -> None:
        super().process(buf)
        facts = self.facts
        fast = buf.count(b'<c r="')
        if buf.count(b"<c") != fast and _ODD_CELL.search(buf):
            raise _NeedTokens
        if b":c" in buf and _PREFIXED_CELL.search(buf):
            raise _NeedTokens
        if fast:
            self._extent(buf)
        if not facts.has_formulas and b"f" in buf and _FORMULA.search(buf):
            facts.has_formulas = True
        if b't="e"' in buf and len(facts.error_cells) < MAX_NAMED_CELLS:
            facts.error_cells += [m.group(1).decode("ascii").upper()
                                  for m in _ERROR_CELL.finditer(buf)]
        if facts.has_formulas and b"<f" in buf and len(facts.uncached_formulas) < MAX_NAMED_CELLS:
            facts.uncached_formulas += [m.group(1).decode("ascii").upper()
                                        for m in _UNCACHED_FORMULA.finditer(buf)
                                        if b't="str"' not in m.group(2)]
        if b"hidden" in buf:
            for m in _ROW_TAG.finditer(buf):
                if _ATTR_HIDDEN.search(m.group(1)):
                    r = _ATTR_R.search(m.group(1))
                    if r is None:
                        raise _NeedTokens
                    facts.hidden_rows.append(row_number(r.group(1) or r.group(2) or b"0"))

    def _extent(self, buf: bytes) -> None:
        """Raise max_row/max_col to the cells in `buf` that hold something; a regex finds
        only the cells beyond. An empty cell (<c r="IV1" s="3"/>: a fill or a border a clerk
        drew across the sheet) is no data, and no reader makes room for it."""
        facts = self.facts
        last = _REF.match(buf, buf.rfind(b'<c r="'))
        if last and _holds(buf, last.end()):  # rows come in order: the last is the far one
            self._take(last)
        pos, updates = 0, 0
        while m := _greater_than(facts.max_col, facts.max_row).search(buf, pos):
            ref = _REF.match(buf, m.start())
            if ref is None:
                raise _NeedTokens
            pos = m.end()
            if not _holds(buf, ref.end()):
                continue
            self._take(ref)
            updates += 1
            if updates > 64:  # cells far out of order: take them all at once
                refs = [r for r in _REF.finditer(buf) if _holds(buf, r.end())]
                facts.max_col = max([facts.max_col, *(column_number(r.group(1)) for r in refs)])
                facts.max_row = max([facts.max_row, *(row_number(r.group(2)) for r in refs)])
                break

    def _take(self, ref: re.Match[bytes]) -> None:
        self.facts.max_col = max(self.facts.max_col, column_number(ref.group(1)))
        self.facts.max_row = max(self.facts.max_row, row_number(ref.group(2)))

    def process_tokens(self, buf: bytes) -> None:
        """The slow exact path: every row and cell tag, cells without r= counted in place."""
        _TextScan.process(self, buf)
        facts, state = self.facts, self.tokens
        for m in _TOKEN.finditer(buf):
            name, attrs = m.group(1), m.group(2)
            if name == b"f":
                facts.has_formulas = True
                continue
            r = _ATTR_R.search(attrs)
            value = (r.group(1) or r.group(2) or b"") if r else None
            if name == b"row":
                state.row = row_number(value) if value and value.isdigit() else state.row + 1
                state.col = 0
                if _ATTR_HIDDEN.search(attrs):
                    facts.hidden_rows.append(state.row)
                continue
            empty = attrs.rstrip().endswith(b"/")  # <c r="IV1" s="3"/>: a format, no data
            if value is None:
                state.col += 1
                row = max(state.row, 1)
                if empty:
                    continue
            else:
                ref = _CELL_REF.fullmatch(value)
                if ref is None:
                    raise Unreadable("FILE.corrupt", {
                        "detail": f"工作表“{self.label}”中有无效的单元格位置“{value[:20].decode('ascii', 'replace')}”"})
                state.col, row = column_number(ref.group(1)), row_number(ref.group(2))
                if empty:
                    continue
            facts.max_col = max(facts.max_col, state.col)
            facts.max_row = max(facts.max_row, row)
        self._check_extent()

    def done(self) -> None:
        self._check_extent()

    def _check_extent(self) -> None:
        facts, lim = self.facts, self.lim
        if facts.max_row > lim.max_rows or facts.max_col > lim.max_columns:
            raise Unreadable("FILE.extent", {
                "sheet": self.label, "cell": facts.far_cell, "rows": facts.max_row,
                "cols": facts.max_col, "max_rows": lim.max_rows, "max_cols": lim.max_columns})


@dataclass
class _TokenState:
    row: int = 0
    col: int = 0
