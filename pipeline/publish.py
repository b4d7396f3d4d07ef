"""Rendering every output of a run from the committed master (one call per run)."""

from __future__ import annotations

import datetime as dt

from pipeline.config import Config
from pipeline.fielddoc import write_field_doc
from pipeline.notices import write_notices
from pipeline.statistics_outputs import write_statistics
from pipeline.store import Master
from pipeline.workspace import Workspace


def publish(workspace: Workspace, master: Master, config: Config, as_of: dt.date) -> None:
    """Write outbox/public and outbox/internal; every file is renamed into place whole."""
    write_field_doc(workspace)
    write_statistics(workspace, master, config, as_of)
    write_notices(workspace, master, config, as_of)
