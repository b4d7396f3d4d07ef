"""Rendering every output of a run from the committed master (one call per run)."""

from __future__ import annotations

import datetime as dt

from pipeline.config import Config
from pipeline.fielddoc import write_field_doc
from pipeline.notices import write_notices
from pipeline.statistics_outputs import write_statistics
from pipeline.store import Master
from pipeline.supervision_outputs import write_supervision
from pipeline.workspace import Workspace


def publish(workspace: Workspace, master: Master, config: Config, as_of: dt.date) -> dict[str, int]:
    """Write outbox/public and outbox/internal (every file renamed into place whole);
    returns the supervision (督办) counts per rule for the run summary."""
    write_field_doc(workspace)
    write_statistics(workspace, master, config, as_of)
    write_notices(workspace, master, config, as_of)
    return write_supervision(workspace, master, config, as_of)
