"""Rendering every output of a run from the committed master (one call per run).

The supervision outputs (督办清单.xlsx, the dashboard) and the rest (field documentation,
statistics, notices) do not depend on each other: the supervision half runs in a forked
process with its own read-only connection (an SQLite connection must not cross a fork)
while this process renders the rest, so both cores work.
"""

from __future__ import annotations

import datetime as dt

from pipeline import config as limits
from pipeline.config import Config
from pipeline.fielddoc import write_field_doc
from pipeline.isolation import start_isolated
from pipeline.notices import write_notices
from pipeline.statistics_outputs import write_statistics
from pipeline.store import Master
from pipeline.supervision_outputs import write_supervision
from pipeline.workspace import Workspace


def publish(workspace: Workspace, master: Master, config: Config, as_of: dt.date) -> dict[str, int]:
    """Write outbox/public and outbox/internal (every file renamed into place whole);
    returns the supervision (督办) counts per rule for the run summary.

    Call it after the run's transaction has committed: the forked half reads the master
    from the file."""
    supervision = start_isolated(_supervise, workspace, config, as_of,
                                 timeout=limits.PUBLISH_TIMEOUT_SECONDS, memory_bytes=None)
    try:
        write_field_doc(workspace)
        write_statistics(workspace, master, config, as_of)
        write_notices(workspace, master, config, as_of)
    except BaseException:
        supervision.cancel()
        raise
    return supervision.result()


def _supervise(workspace: Workspace, config: Config, as_of: dt.date) -> dict[str, int]:
    master = Master.read_only(workspace.master)
    if master is None:
        raise FileNotFoundError(workspace.master)
    with master:
        return write_supervision(workspace, master, config, as_of)
