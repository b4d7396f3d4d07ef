"""Rule IDs of shared/DOMAIN.md with their severity, plus the cell-level rule IDs.

错误 rejects the file, 警告 merges it but asks the clerk to check, 督办 never blocks
a file: it goes on the internal supervision list.
"""

from __future__ import annotations

from typing import Final, Literal

Severity = Literal["错误", "警告", "督办"]
ERROR: Final = "错误"
WARNING: Final = "警告"
SUPERVISION: Final = "督办"

SEVERITY: Final[dict[str, Severity]] = {
    # cell-level (INTERFACE.md)
    "TYPE": ERROR,
    "REQUIRED": ERROR,
    "CHOICE": ERROR,
    "FORMAT": ERROR,
    "RANGE": ERROR,
    "UNIQUE": ERROR,
    "HEADER": ERROR,
    "SHEET": WARNING,
    "FILE": ERROR,
    # the rules of 五定四全
    "TEAM-SIZE": SUPERVISION,
    "TEAM-HEAD": ERROR,
    "TEAM-LEADER-KIND": WARNING,
    "LEADER-SPAN": SUPERVISION,
    "DAY-WEEKDAY": SUPERVISION,
    "DAY-HALF": SUPERVISION,
    "WEEKLY-LEDGER": SUPERVISION,
    "COVER-YEAR": SUPERVISION,
    "ISSUE-OWNER": ERROR,
    "ISSUE-DATES": ERROR,
    "ISSUE-CLOSED": ERROR,
    "ISSUE-FEEDBACK": WARNING,
    "ISSUE-OVERDUE": SUPERVISION,
    "ISSUE-DISSATISFIED": SUPERVISION,
    "ISSUE-ESCALATION": WARNING,
    "NOTICE-LEAD": SUPERVISION,
    "SUM-BOUND": ERROR,
    "SUM-SPLIT": ERROR,
    "SUM-RATE": WARNING,
    "SUM-MONOTONE": WARNING,
    "REF-HOUSEHOLD": ERROR,
    "REF-ISSUE": WARNING,
    "REF-MEMBER": WARNING,
}
