"""The ledgers of shared/DOMAIN.md, one pandera DataFrameModel each: the single source of truth."""

from __future__ import annotations

import pandera.pandas as pa

from schemas.base import FieldSpec, field_specs, ledger_meta, public_headers
from schemas.households import Household
from schemas.issues import Issue
from schemas.receptions import Reception
from schemas.roster import Roster
from schemas.schedule import Schedule
from schemas.summary import Summary
from schemas.visits import Visit
from schemas.work_log import WorkLog

# Sheet name -> model, in the order of DOMAIN.md (also the order of sheets in templates).
LEDGERS: dict[str, type[pa.DataFrameModel]] = {
    model.Config.name: model
    for model in (Roster, Household, Visit, Reception, WorkLog, Issue, Schedule, Summary)
}
README_SHEET = "说明"

__all__ = [
    "LEDGERS", "README_SHEET", "FieldSpec", "field_specs", "ledger_meta", "public_headers",
    "Household", "Issue", "Reception", "Roster", "Schedule", "Summary", "Visit", "WorkLog",
]
