"""What a check finds, and the verdict on one file (the JSON shape of INTERFACE.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from schemas.rules import ERROR, SEVERITY, WARNING

Status = Literal["valid", "invalid", "unreadable"]


@dataclass(frozen=True)
class Finding:
    """One problem, at the place a person sees it in Excel (sheet, 1-based row, column letter)."""

    rule: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: str = ""

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", SEVERITY.get(self.rule, ERROR))

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet, "cell": self.cell, "row": self.row, "column": self.column,
            "value": self.value, "rule": self.rule, "message": self.message,
        }


@dataclass(frozen=True)
class SheetInfo:
    sheet: str
    kind: str
    rows: int


@dataclass
class Verdict:
    """The verdict on one submitted file."""

    file: str
    sha256: str
    status: Status = "valid"
    findings: list[Finding] = field(default_factory=list)
    sheets: list[SheetInfo] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    def settle(self) -> Verdict:
        """Derive the status from the findings (an unreadable verdict stays unreadable) and
        put them in reading order: file first, then sheet by sheet, row by row, left to right."""
        if self.status != "unreadable":
            self.status = "invalid" if self.errors else "valid"
        sheets = list(dict.fromkeys(f.sheet for f in self.findings))
        self.findings.sort(key=lambda f: (
            f.sheet is not None, sheets.index(f.sheet), f.row or 0,
            len(f.cell or ""), f.cell or ""))
        return self

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        """The verdict `as_json` gave (as the master keeps it for every submission)."""
        findings = [Finding(**f, severity=severity) for key, severity in
                    (("errors", ERROR), ("warnings", WARNING)) for f in data[key]]
        return cls(file=data["file"], sha256=data["sha256"], status=data["status"],
                   findings=findings, sheets=[SheetInfo(**s) for s in data["sheets"]])

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "status": self.status,
            "errors": [f.as_json() for f in self.errors],
            "warnings": [f.as_json() for f in self.warnings],
            "sheets": [asdict(s) for s in self.sheets],
        }
