"""Formula-injection defence for every value from input that we write into a workbook."""

from __future__ import annotations

from typing import Any, TypeVar

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

T = TypeVar("T")

# What a spreadsheet may read as the start of a formula (OWASP "CSV injection"), plus the
# full-width forms a Chinese input method produces and Excel may convert on re-entry.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
QUOTE = "'"
EXCEL_CELL_MAX_CHARS = 32_767


def neutralise(value: T) -> T | str:
    """Return `value` so that a spreadsheet can only ever show it as text.

    A str starting with =, +, -, @, tab or carriage return (or a full-width =, +, -, @)
    gets a single quote prepended, the OWASP advice: `=cmd|' /C calc'!A0` becomes
    `'=cmd|' /C calc'!A0`. The quote is stored as a real character, so it is visible
    in the cell and survives copy-paste and export to CSV, where a cell style would not.
    Anything else, and every non-str, passes through unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return QUOTE + value
    return value


def cell_text(value: Any) -> Any:
    """`neutralise(value)`, and a str made writable: control characters that XML cannot
    hold become U+FFFD and text beyond Excel's 32,767-character cell limit is cut (marked …)."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if len(text) > EXCEL_CELL_MAX_CHARS - 1:
        text = text[: EXCEL_CELL_MAX_CHARS - 2] + "…"
    return neutralise(text)
