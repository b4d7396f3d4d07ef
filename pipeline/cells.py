"""Turning what a clerk typed into typed values: one function per value kind.

Each `to_<kind>` returns the converted value, `None` for an empty cell, or raises
`CellError` with the message key of what is wrong. Text is normalised first: NFKC
(full-width digits, letters, brackets and colons become half-width), invisible
characters (zero-width spaces, BOM, NBSP, ideographic spaces at the ends) removed.
Prose (notes, reasons, places: `to_prose`) keeps its Chinese punctuation (，：；！？（）…～):
a notice shows the clerk's wording as written; names, codes and choices fold whole.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
SERIAL_RANGE = (1, 2958465)  # 1900-01-01 .. 9999-12-31
INT_LIMIT = 10**9  # no count of households, people or issues comes near it
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2099, 12, 31))  # a ledger's dates (pandas: 1677-2262)
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
     "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
)

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
# a weekday after a date, as clerks add it: 2026年11月3日（星期二）, 2026-11-03 周二, 2026/11/3(二)
_WEEKDAY_SUFFIX = re.compile(
    r"\s*(?:\((?:星期|周|礼拜)?([一二三四五六日天])\)|(?:星期|周|礼拜)([一二三四五六日天]))$")
_TIME_PATTERN = re.compile(
    r"^(上午|早上|早晨|凌晨|中午|下午|晚上|傍晚)?(\d{1,2})"
    r"(?:(?::|点|时)(\d{1,2}|半)?(?::\d{1,2})?分?|\.(\d{2}))(AM|PM)?$", re.IGNORECASE)
_MORNING = ("上午", "早上", "早晨", "凌晨", "AM")
_AFTERNOON = ("下午", "晚上", "傍晚", "PM")
# +86/0086 before a number; a bare 86 only before a mobile (86201234 is a local number)
_COUNTRY_CODE = re.compile(r"^(?:(?:\+|00)86-?|86-?(?=1[3-9]\d(?:\d{8}|-\d{4}-\d{4})$))")
_GROUPED_LANDLINE = re.compile(r"^(0\d{2,3})-?([2-9]\d{2,3})-(\d{4})(?=$|-|转|分机|ext)")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?)(\d{1,5})$", re.IGNORECASE)
_INT_UNITS = re.compile(r"(户|人次|人|个|件|次)$")


@dataclass(frozen=True)
class CellProblem:
    """A cell whose content is a problem in itself: an Excel error value, or a formula
    saved without its computed value. `shown` is what the clerk sees in the cell."""

    key: str
    shown: str

    def __str__(self) -> str:
        return self.shown


class CellError(ValueError):
    """A cell whose content cannot become the kind its column needs."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


# A ledger repeats its words (names, choices, places), but most of its texts are its own
# (addresses, phone numbers): a small cache keeps the repeats. At 65,536 entries it held
# every text of a worker's last sixty files, and the worker grew 18 MB over eighty.
@functools.lru_cache(maxsize=1 << 12)
def clean_text(value: str) -> str:
    """NFKC, invisible characters removed, surrounding white space stripped."""
    if value.isascii():  # NFKC leaves ASCII as it is, and no invisible character is ASCII
        return value.strip()
    return unicodedata.normalize("NFKC", value).translate(INVISIBLE).strip()


# Chinese punctuation that NFKC would make ASCII, kept in text values through the
# normalisation by a detour via the private use area (which NFKC leaves alone).
PROSE_PUNCTUATION = "，：；！？（）…～"
_PROTECT = {ord(c): 0xE000 + i for i, c in enumerate(PROSE_PUNCTUATION)}
_RESTORE = {private: ord(c) for c, private in zip(PROSE_PUNCTUATION, _PROTECT.values(),
                                                   strict=True)}


@functools.lru_cache(maxsize=1 << 12)
def clean_prose(value: str) -> str:
    """`clean_text`, but the Chinese punctuation of PROSE_PUNCTUATION stays as written."""
    return clean_text(value.translate(_PROTECT)).translate(_RESTORE)


def has_invisible(value: Any) -> bool:
    # every invisible character is outside ASCII
    return isinstance(value, str) and not value.isascii() and value.translate(INVISIBLE) != value


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and clean_text(value) == ""


def display(value: Any) -> str:
    """A raw cell value the way a person sees it in Excel."""
    if value is None:
        return ""
    if isinstance(value, CellProblem):
        return value.shown
    if isinstance(value, bool):  # Excel shows TRUE, Python would say True
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def to_text(value: Any, clean: Callable[[str], str] = clean_text) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.time)):
        return display(value)
    return clean(str(value))


def to_prose(value: Any) -> str | None:
    """Free text a person reads: as `to_text`, but its Chinese punctuation as written."""
    return to_text(value, clean_prose)


def to_int(value: Any) -> int | None:
    """A count; beyond INT_LIMIT it is a typo (and more than a 64-bit column holds)."""
    number = _to_int(value)
    if number is not None and abs(number) > INT_LIMIT:
        raise CellError("TYPE.int_range")
    return number


def _to_int(value: Any) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("TYPE.int")
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return int(value)
        raise CellError("TYPE.int")
    text = _INT_UNITS.sub("", clean_text(str(value)).replace(",", "").replace(" ", ""))
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text))
    raise CellError("TYPE.int")


def to_date(value: Any) -> dt.date | None:
    """A date from whatever a clerk typed; a year outside DATE_RANGE is a typo (3026 for
    2026) and an error, never a date pandas cannot hold."""
    day = _to_date(value)
    if day is not None and not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
        raise CellError("TYPE.date_range")
    return day


def _to_date(value: Any) -> dt.date | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            return (EXCEL_EPOCH + dt.timedelta(days=int(value))).date()
        if float(value).is_integer() and 19000101 <= value <= 99991231:  # 20261103 typed as a number
            return _to_date(str(int(value)))
        raise CellError("TYPE.date")
    text = clean_text(str(value)).replace(" ", "") if "年" in str(value) else clean_text(str(value))
    weekday = None
    suffix = _WEEKDAY_SUFFIX.search(text)
    if suffix and suffix.start() > 0:
        weekday = "一二三四五六日".index((suffix.group(1) or suffix.group(2)).replace("天", "日"))
        text = text[:suffix.start()]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                day = dt.date(*(int(part) for part in match.groups()[:3]))
            except ValueError as exc:
                raise CellError("TYPE.date") from exc
            if weekday is not None and day.weekday() != weekday:
                raise CellError("TYPE.date_weekday")  # which of the two is wrong? the clerk knows
            return day
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _to_date(float(text))
    raise CellError("TYPE.date")


def to_time(value: Any) -> str | None:
    """Times become 'HH:MM' text (Excel times, day fractions, '8:30', '8点30')."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, dt.timedelta):
        minutes = round(value.total_seconds() / 60)
        if 0 <= minutes < 24 * 60:
            return f"{minutes // 60:02d}:{minutes % 60:02d}"
        raise CellError("TYPE.time")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 <= value < 1:
            minutes = round(value * 24 * 60)
            return f"{minutes // 60:02d}:{minutes % 60:02d}"
        raise CellError("TYPE.time")
    match = _TIME_PATTERN.match(clean_text(str(value)).replace(" ", ""))
    if match:
        period, hour_text, minute_text, dotted, meridiem = match.groups()
        hour = int(hour_text)
        minute = 30 if minute_text == "半" else int(minute_text or dotted or 0)
        half = period or (meridiem or "").upper()  # 下午3点, 2:00 PM: a twelve-hour clock
        if half in _MORNING and hour > 12:
            raise CellError("TYPE.time")
        if (half in _AFTERNOON and hour < 12) or (half == "中午" and hour < 6):
            hour += 12
        elif half in ("凌晨", "AM") and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return f"{hour:02d}:{minute:02d}"
    raise CellError("TYPE.time")


def to_percent(value: Any) -> float | None:
    """A rate as a fraction: 0.5828, '58.28%' and 58.28 all give 0.5828."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        return number / 100 if number > 1.5 else number
    text = clean_text(str(value)).replace(" ", "")
    match = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)(%?)", text)
    if not match:
        raise CellError("TYPE.percent")
    number = float(match.group(1))
    return number / 100 if match.group(2) or number > 1.5 else number


def to_phone(value: Any) -> str | None:
    """Phone numbers as text; '(020)8420 1234' becomes '020-84201234'."""
    text = to_text(value)
    if text is None:
        return None
    text, abroad = _COUNTRY_CODE.subn("", text.replace(" ", ""))  # +86 138…, 0086-20-…
    if abroad and re.match(r"[2-9]\d{0,2}-", text):
        text = "0" + text  # +86-20-84201234: the area code without its trunk 0
    elif abroad and re.fullmatch(r"10\d{8}|[2-9]\d{8,10}", text):
        # +86 20 8420 1234 (the spaces gone): 010 and 02x have two digits, others three
        area = 2 if text[0] in "12" else 3
        text = f"0{text[:area]}-{text[area:]}"
    if re.fullmatch(r"1[3-9]\d-?\d{4}-?\d{4}", text):
        return text.replace("-", "")  # 138-0013-8000: a mobile, grouped
    text = re.sub(r"^\((0\d{2,3})\)", r"\1-", text)
    text = _GROUPED_LANDLINE.sub(r"\1-\2\3", text)  # 020-8420-1234: the local number, grouped
    return _EXTENSION.sub(r"-\1", text)  # 020-84000001转801: the extension after a dash


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": to_text, "int": to_int, "date": to_date, "time": to_time, "percent": to_percent,
    "phone": to_phone,
}
