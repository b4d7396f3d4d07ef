"""Rendering every output of a run from the committed master (one call per run).

督办清单.xlsx, a hundred thousand rows of unvisited households for a district, is the
longest single output: it is written by a forked process from the supervision findings
(computed here first, handed over by the fork) and the households it reads from the
committed master itself, one community at a time, while this process renders the rest
(field documentation, statistics, notices, dashboard), so both cores work.
"""

from __future__ import annotations

import datetime as dt

from pipeline import config as limits
from pipeline.atomic import atomic_batch
from pipeline.config import Config
from pipeline.fielddoc import write_field_doc
from pipeline.isolation import start_isolated
from pipeline.notices import write_notices
from pipeline.statistics import compute_statistics
from pipeline.statistics_outputs import statistics_page, write_statistics_table
from pipeline.store import Master
from pipeline.supervision import supervise
from pipeline.supervision_outputs import XLSX_NAME as SUPERVISION_XLSX
from pipeline.supervision_outputs import write_dashboard, write_supervision_workbook
from pipeline.workspace import Workspace


def publish(workspace: Workspace, master: Master, config: Config, as_of: dt.date) -> dict[str, int]:
    """Write outbox/public and outbox/internal (every file renamed into place whole);
    returns the supervision (督办) counts per rule for the run summary."""
    supervision = supervise(master, config, as_of)
    # Every output is renamed into place together once all are written: outbox/ is the
    # last run's or this one's, never half of each.
    with atomic_batch() as batch:
        # The child opens the master anew, read-only. SQLite state crosses a fork with it,
        # which is safe only as it is here: no read of ours in progress at the fork (every
        # query above has been read to its end), and our connection kept open until the
        # child has ended. It saves into a temporary file of the batch.
        workbook = start_isolated(
            write_supervision_workbook, workspace, supervision, master.path,
            batch.path(workspace.internal / SUPERVISION_XLSX),
            timeout=limits.PUBLISH_TIMEOUT_SECONDS, memory_bytes=None)
        try:
            write_field_doc(workspace, batch)
            table = compute_statistics(master, config, as_of)
            write_statistics_table(workspace, table, batch)
            write_notices(workspace, master, config, as_of,
                          statistics=statistics_page(table, chart=False), into=batch)
            write_dashboard(workspace, master, supervision, table, batch)
        except BaseException:
            workbook.cancel()
            raise
        workbook.result()
    return supervision.counts()
