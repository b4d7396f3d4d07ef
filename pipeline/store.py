"""The master dataset: one SQLite file under data/, behind this one module.

One table per ledger (typed columns named after the schema fields) plus provenance on
every row (submission, sheet, Excel row) and `superseded_by`, so nothing is ever
deleted: a replaced row stays as history, and "current" means not superseded.
`submissions` records every file received; `changes` records every keyed-ledger change.
The schema is created and migrated here, with a version number.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from schemas import LEDGERS, FieldSpec, field_specs, ledger_meta

SCHEMA_VERSION = 3
SQL_TYPES = {"text": "TEXT", "phone": "TEXT", "time": "TEXT", "date": "TEXT", "int": "INTEGER",
             "percent": "REAL"}
KEYS_PER_QUERY = 500  # well under SQLite's limit of bound parameters
PROVENANCE = ("submission_id", "sheet", "excel_row", "scope", "superseded_by")


def table_name(ledger: str) -> str:
    """`WorkLog` -> `work_log`: one table per ledger, named after its model."""
    name = LEDGERS[ledger].__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _create_ledger(model: type[pa.DataFrameModel]) -> str:
    cols = [f'"{spec.name}" {SQL_TYPES[spec.kind]}' for spec in field_specs(model)]
    cols += ["submission_id INTEGER NOT NULL REFERENCES submissions(id)", "sheet TEXT NOT NULL",
             "excel_row INTEGER NOT NULL", "scope TEXT NOT NULL",
             "superseded_by INTEGER REFERENCES submissions(id)"]
    name = table_name(str(model.Config.name))
    return (f"CREATE TABLE IF NOT EXISTS {name} (id INTEGER PRIMARY KEY, {', '.join(cols)});\n"
            f"CREATE INDEX IF NOT EXISTS {name}_current ON {name}(scope) WHERE superseded_by IS NULL;")


MIGRATIONS: dict[int, str] = {
    1: "\n".join([
        """CREATE TABLE IF NOT EXISTS submissions (
            id INTEGER PRIMARY KEY, file_name TEXT NOT NULL, sha256 TEXT NOT NULL,
            received_at TEXT NOT NULL, run_as_of TEXT NOT NULL, status TEXT NOT NULL,
            community TEXT, errors INTEGER NOT NULL, warnings INTEGER NOT NULL,
            archive_path TEXT NOT NULL, feedback_path TEXT, verdict_json TEXT NOT NULL);""",
        "CREATE INDEX IF NOT EXISTS submissions_sha ON submissions(sha256);",
        """CREATE TABLE IF NOT EXISTS changes (
            id INTEGER PRIMARY KEY, ledger TEXT NOT NULL, scope TEXT NOT NULL,
            old_row INTEGER, new_row INTEGER NOT NULL, submission_id INTEGER NOT NULL);""",
        *(_create_ledger(model) for model in LEDGERS.values()),
    ]),
    # references look up one community's current rows for every file merged; statistics
    # and supervision join visits to the 户册 by household
    2: "\n".join([*(f"CREATE INDEX IF NOT EXISTS {table_name(ledger)}_community "
                    f'ON {table_name(ledger)}("community") WHERE superseded_by IS NULL;'
                    for ledger in LEDGERS),
                  'CREATE INDEX IF NOT EXISTS household_key ON household("community", '
                  '"household_id") WHERE superseded_by IS NULL;',
                  'CREATE INDEX IF NOT EXISTS visit_household ON visit("community", '
                  '"household_id") WHERE superseded_by IS NULL;']),
}


def _codes_upper_case() -> str:
    """Codes (户编号, 问题编号) are read upper case since schema version 3 (`code=True`):
    rows stored before keep their spelling, and ld-0001 would no longer meet LD-0001.
    Upper-case them, a keyed ledger's scope with them, and where that makes two current
    rows of one key (ld-2026-001 and LD-2026-001), the newer replaces the older."""
    statements = []
    for ledger, model in LEDGERS.items():
        table = table_name(ledger)
        codes = [spec.name for spec in field_specs(model) if spec.code]
        statements += [f'UPDATE {table} SET "{name}" = UPPER("{name}") '
                       f'WHERE "{name}" <> UPPER("{name}");' for name in codes]
        meta = ledger_meta(model)
        if meta["kind"] != "keyed" or not set(meta["key"]) & set(codes):
            continue
        statements += [
            f"UPDATE {table} SET scope = UPPER(scope) WHERE scope <> UPPER(scope);",
            f"UPDATE changes SET scope = UPPER(scope) WHERE ledger = '{ledger}';",
            f"UPDATE {table} SET superseded_by = (SELECT MAX(n.submission_id) FROM {table} n "
            f"WHERE n.scope = {table}.scope AND n.superseded_by IS NULL AND n.id > {table}.id) "
            f"WHERE superseded_by IS NULL AND EXISTS (SELECT 1 FROM {table} n "
            f"WHERE n.scope = {table}.scope AND n.superseded_by IS NULL AND n.id > {table}.id);"]
    return "\n".join(statements)


MIGRATIONS[3] = _codes_upper_case()


@dataclass(frozen=True)
class MergeCount:
    merged: int
    replaced: int


class Master:
    """The master dataset. Use `with master.transaction():` around every change."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    @classmethod
    def read_only(cls, path: Path) -> Master | None:
        """The master for looking only (validate touches nothing); None when there is none.

        Opened for writing but refusing every write (PRAGMA query_only): the last
        connection to close then removes the -wal and -shm files a reader of a WAL
        database makes, which a read-only connection cannot, and validate would leave
        them behind. Read-only where the folder is not writable."""
        if not path.exists():
            return None
        master = cls.__new__(cls)
        master.path = path
        uri = path.resolve().as_uri()
        try:
            master.db = sqlite3.connect(f"{uri}?mode=rw", uri=True, timeout=30)
            master.db.execute("PRAGMA query_only = ON")
        except sqlite3.OperationalError:
            master.db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30)
        return master

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Master:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        for version in sorted(MIGRATIONS):
            if self.version < version:
                with self.transaction():  # executescript would commit early: one by one
                    for statement in MIGRATIONS[version].split(";"):
                        if statement.strip():
                            self.db.execute(statement)
                    self.db.execute(f"PRAGMA user_version = {version}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic change: committed whole at the end, rolled back on any error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- submissions --------------------------------------------------------------------

    def find_submission(self, sha256: str) -> dict[str, Any] | None:
        """The earlier accepted submission of the same bytes. A rejected file merged
        nothing: sent again (once the 户册 it needed has come, say) it is checked again."""
        fields = ("id", "file_name", "status", "received_at", "feedback_path", "community",
                  "verdict_json")
        row = self.db.execute(
            f"SELECT {', '.join(fields)} FROM submissions "
            "WHERE sha256 = ? AND status = 'accepted' ORDER BY id LIMIT 1", (sha256,)).fetchone()
        return dict(zip(fields, row, strict=True)) if row else None

    def last_submission(self) -> int:
        """The id of the newest submission (0 for none): where a run began."""
        return int(self.db.execute("SELECT COALESCE(MAX(id), 0) FROM submissions").fetchone()[0])

    def undo_after(self, last: int) -> None:
        """Take back every submission after `last` (a run whose outputs could not be made):
        its rows go, the rows it replaced are current again. Exact, as a merge only ever
        sets superseded_by, from NULL to its own submission's id."""
        with self.transaction():
            for ledger in LEDGERS:
                table = table_name(ledger)
                self.db.execute(f"DELETE FROM {table} WHERE submission_id > ?", (last,))
                self.db.execute(f"UPDATE {table} SET superseded_by = NULL WHERE superseded_by > ?",
                                (last,))
            self.db.execute("DELETE FROM changes WHERE submission_id > ?", (last,))
            self.db.execute("DELETE FROM submissions WHERE id > ?", (last,))

    def add_submission(self, *, file_name: str, sha256: str, received_at: str, run_as_of: str,
                       status: str, community: str | None, errors: int, warnings: int,
                       archive_path: str, feedback_path: str | None, verdict_json: str) -> int:
        cur = self.db.execute(
            "INSERT INTO submissions (file_name, sha256, received_at, run_as_of, status, community,"
            " errors, warnings, archive_path, feedback_path, verdict_json)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (file_name, sha256, received_at, run_as_of, status, community, errors, warnings,
             archive_path, feedback_path, verdict_json))
        return int(cur.lastrowid or 0)

    def submissions(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM submissions ORDER BY id", self.db)

    # --- ledgers ------------------------------------------------------------------------

    def current(self, ledger: str, community: str | None = None,
                columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The current rows of a ledger, typed, with columns named by Chinese header (only
        `columns`, by header, when given: typing every column costs more than the query)."""
        return self._read(ledger, "superseded_by IS NULL", community, columns)

    def current_dates(self, ledger: str, scopes: Sequence[str], column: str) -> pd.DataFrame:
        """scope and `column` (a date, YYYY-MM-DD) of the current rows in `scopes`."""
        frames = []
        for at in range(0, len(scopes), KEYS_PER_QUERY):
            chunk = list(scopes[at:at + KEYS_PER_QUERY])
            frames.append(pd.read_sql_query(
                f'SELECT scope, substr("{column}", 1, 10) AS day FROM {table_name(ledger)} '
                f"WHERE superseded_by IS NULL AND scope IN ({', '.join('?' * len(chunk))})",
                self.db, params=chunk))
        return pd.concat(frames) if frames else pd.DataFrame(columns=["scope", "day"])

    def current_values(self, ledger: str, community: str, column: str) -> set[str]:
        """The distinct non-empty values of `column` (a field name) in `community`'s
        current rows: one indexed query, no frame (asked for every file)."""
        return {value for (value,) in self.db.execute(
            f'SELECT DISTINCT "{column}" FROM {table_name(ledger)} WHERE "community" = ? '
            f'AND superseded_by IS NULL AND "{column}" IS NOT NULL', (community,))}

    def current_count(self, ledger: str, community: str) -> int:
        """How many current rows `community` has in `ledger`."""
        return int(self.db.execute(
            f'SELECT COUNT(*) FROM {table_name(ledger)} WHERE "community" = ? '
            "AND superseded_by IS NULL", (community,)).fetchone()[0])

    def current_keyed(self, ledger: str, keys: list[str],
                      columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The current rows of a keyed ledger with one of `keys` (its key as text)."""
        specs, selected = _selection(ledger, columns)
        frames = [pd.read_sql_query(
            f"SELECT {selected} FROM {table_name(ledger)} WHERE superseded_by IS NULL "
            f"AND scope IN ({', '.join('?' * len(chunk))}) ORDER BY id", self.db, params=chunk)
            for chunk in (keys[i:i + KEYS_PER_QUERY] for i in range(0, len(keys), KEYS_PER_QUERY))]
        if not frames:
            return _typed(pd.read_sql_query(
                f"SELECT {selected} FROM {table_name(ledger)} WHERE 0", self.db), specs)
        return _typed(pd.concat(frames, ignore_index=True), specs)

    def history(self, ledger: str, community: str | None = None) -> pd.DataFrame:
        """Every row a ledger ever accepted, replaced ones included."""
        return self._read(ledger, "1", community)

    def _read(self, ledger: str, where: str, community: str | None,
              columns: Sequence[str] | None = None) -> pd.DataFrame:
        specs, selected = _selection(ledger, columns)
        sql = f"SELECT {selected} FROM {table_name(ledger)} WHERE {where}"
        params: tuple[Any, ...] = ()
        if community is not None:
            sql += ' AND "community" = ?'
            params = (community,)
        frame = pd.read_sql_query(sql + " ORDER BY id", self.db, params=params)
        return _typed(frame, specs)

    def merge(self, submission_id: int, ledger: str, sheet: str, frame: pd.DataFrame) -> MergeCount:
        """Add a sheet's rows; rows of the same scope from earlier submissions become history."""
        model = LEDGERS[ledger]
        meta = ledger_meta(model)
        if "order" in meta:  # within one sheet too, the newest row of a key wins
            frame = frame.sort_values(getattr(model, meta["order"]), kind="stable")
        specs = field_specs(model)
        table = table_name(ledger)
        scopes = scope_of(ledger, frame)
        replaced = 0
        old_rows: dict[str, list[int]] = {}
        # a second sheet of the same kind in one workbook adds to the first; a keyed row
        # replaces its key's row whichever sheet or file it came from
        own = "" if meta["kind"] == "keyed" else " AND submission_id != ?"
        for scope in dict.fromkeys(scopes):
            params = (scope,) if meta["kind"] == "keyed" else (scope, submission_id)
            ids = [r[0] for r in self.db.execute(
                f"SELECT id FROM {table} WHERE scope = ? AND superseded_by IS NULL{own}", params)]
            old_rows[scope] = ids
            replaced += len(ids)
            self.db.execute(f"UPDATE {table} SET superseded_by = ? WHERE scope = ? "
                            f"AND superseded_by IS NULL{own}", (submission_id, *params))
        names = [spec.name for spec in specs]
        columns = ", ".join(f'"{n}"' for n in names) + ", submission_id, sheet, excel_row, scope"
        insert = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * (len(names) + 4))})"
        records = zip(*(_sql_column(frame[spec.header], spec) for spec in specs),
                      [submission_id] * len(frame), [sheet] * len(frame),
                      (int(r) for r in frame.index), scopes, strict=True)
        if meta["kind"] != "keyed":  # no row needs its own id: one statement for the sheet
            self.db.executemany(insert, records)
            return MergeCount(merged=len(frame), replaced=replaced)
        latest: dict[str, int] = {}
        for record, scope in zip(records, scopes, strict=True):
            new_id = int(self.db.execute(insert, record).lastrowid or 0)
            olds = old_rows.get(scope)
            previous = latest.get(scope) or (olds[-1] if olds else None)
            if scope in latest:
                self.db.execute(f"UPDATE {table} SET superseded_by = ? WHERE id = ?",
                                (submission_id, latest[scope]))
            self.db.execute(
                "INSERT INTO changes (ledger, scope, old_row, new_row, submission_id) "
                "VALUES (?,?,?,?,?)", (ledger, scope, previous, new_id, submission_id))
            latest[scope] = new_id
        return MergeCount(merged=len(frame), replaced=replaced)

    def changes(self, ledger: str) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM changes WHERE ledger = ? ORDER BY id", self.db,
                                 params=(ledger,))

    def digest(self) -> dict[str, list[tuple[Any, ...]]]:
        """The current content of every ledger, provenance aside (for comparing masters)."""
        out = {}
        for ledger in LEDGERS:
            names = ", ".join(f'"{spec.name}"' for spec in field_specs(LEDGERS[ledger]))
            rows = self.db.execute(f"SELECT {names} FROM {table_name(ledger)} "
                                   "WHERE superseded_by IS NULL").fetchall()
            out[ledger] = sorted(rows, key=repr)
        return out


def scope_of(ledger: str, frame: pd.DataFrame) -> list[str]:
    """The replacement scope of each row (DOMAIN.md "Event ledgers and resubmission").

    snapshot: the community; event: community + ISO week of the row's date; keyed: the key.
    """
    model = LEDGERS[ledger]
    meta = ledger_meta(model)
    community = frame[model.community].astype(str)  # type: ignore[attr-defined]
    if meta["kind"] == "snapshot":
        return community.tolist()
    if meta["kind"] == "event":  # a sheet has few distinct dates: one isocalendar() each
        days = pd.to_datetime(frame[getattr(model, meta["date"])]).to_numpy(dtype="datetime64[D]")
        distinct, position = np.unique(days, return_inverse=True)
        labels = [_iso_week(day) for day in distinct.astype(object)]
        return [f"{c}|{labels[i]}" for c, i in zip(community, position.ravel(), strict=True)]
    key_headers = [getattr(model, name) for name in meta["key"]]
    return ["|".join(_key_text(v) for v in values)
            for values in frame[key_headers].itertuples(index=False)]


def _iso_week(day: dt.date | None) -> str:
    if day is None:
        return ""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _key_text(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _sql_column(series: pd.Series, spec: FieldSpec) -> list[Any]:
    """A typed column as SQLite values (None for missing), converted as a whole: the
    nullable dtypes give Python str, int and float objects."""
    if spec.kind == "date":  # ISO dates by numpy (pandas' strftime goes value by value)
        days = pd.to_datetime(series).to_numpy(dtype="datetime64[D]")
        text = np.datetime_as_string(days, unit="D").astype(object)
        text[np.isnat(days)] = None
        return text.tolist()
    return series.to_numpy(dtype=object, na_value=None).tolist()


def _selection(ledger: str, columns: Sequence[str] | None) -> tuple[list[FieldSpec], str]:
    """The fields to type and the SELECT list: every column, or only `columns` (headers)."""
    specs = field_specs(LEDGERS[ledger])
    if columns is None:
        return specs, "*"
    wanted = [spec for spec in specs if spec.header in set(columns)]
    return wanted, ", ".join(f'"{spec.name}"' for spec in wanted)


def _typed(frame: pd.DataFrame, specs: list[FieldSpec]) -> pd.DataFrame:
    renamed = frame.rename(columns={spec.name: spec.header for spec in specs})
    for spec in specs:
        column = renamed[spec.header]
        if spec.kind == "date":
            renamed[spec.header] = pd.to_datetime(column).astype("datetime64[ns]")
        elif spec.kind == "int":
            renamed[spec.header] = column.astype("Int64")
        elif spec.kind == "percent":
            renamed[spec.header] = column.astype("Float64")
        else:
            renamed[spec.header] = column.astype("string")
    return renamed


def today_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# --- figures for the statistics table: the database does the grouping ----------------------

def _community_counts(db: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> dict[str, Any]:
    return {row[0]: row[1] for row in db.execute(sql, params)}


class Figures:
    """Per-community aggregates over current rows for a period [start, end] (ISO dates)."""

    def __init__(self, master: Master, start: dt.date, end: dt.date) -> None:
        self.db = master.db
        self.period = (start.isoformat(), end.isoformat())

    def households_by_type(self) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT community, type, COUNT(*) AS n FROM household WHERE superseded_by IS NULL "
            "GROUP BY community, type", self.db)

    def visited_by_type(self, household_targets: tuple[str, ...]) -> pd.DataFrame:
        """Distinct households visited in the period (visits whose 对象类型 is a household
        type), typed as the 户册 says."""
        marks = ", ".join("?" * len(household_targets))
        return pd.read_sql_query(
            "SELECT h.community, h.type, COUNT(DISTINCT v.household_id) AS n FROM visit v "
            "JOIN household h ON h.community = v.community AND h.household_id = v.household_id "
            "AND h.superseded_by IS NULL "
            f"WHERE v.superseded_by IS NULL AND v.target_type IN ({marks}) "
            "AND v.date BETWEEN ? AND ? GROUP BY h.community, h.type",
            self.db, params=(*household_targets, *self.period))

    def with_registers(self) -> set[str]:
        """Communities with a row of the 登记簿 (走访登记, 接待登记) in the period."""
        return {row[0] for row in self.db.execute(
            "SELECT community FROM visit WHERE superseded_by IS NULL AND date BETWEEN ? AND ? "
            "UNION SELECT community FROM reception WHERE superseded_by IS NULL "
            "AND date BETWEEN ? AND ?", (*self.period, *self.period))}

    def received(self) -> dict[str, int]:
        return _community_counts(self.db, "SELECT community, SUM(visitors) FROM reception "
                                 "WHERE superseded_by IS NULL AND date BETWEEN ? AND ? "
                                 "GROUP BY community", self.period)

    def people_contacted(self, target_type: str) -> dict[str, int]:
        return _community_counts(self.db, "SELECT community, SUM(COALESCE(headcount, 1)) FROM visit "
                                 "WHERE superseded_by IS NULL AND target_type = ? "
                                 "AND date BETWEEN ? AND ? GROUP BY community",
                                 (target_type, *self.period))

    def work_log(self) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT community, SUM(collected) AS collected, SUM(solved) AS solved, COUNT(*) AS n "
            "FROM work_log WHERE superseded_by IS NULL AND date BETWEEN ? AND ? "
            "GROUP BY community", self.db, params=self.period)

    def issues(self, closed: str, unrated: str, dissatisfied: str, as_of: dt.date) -> pd.DataFrame:
        """Issue figures per community: closed in the period, on time, fed back, rated, overdue."""
        return pd.read_sql_query(
            "SELECT community,"
            " SUM(status = :closed AND closed BETWEEN :start AND :end) AS closed,"
            " SUM(status = :closed AND closed BETWEEN :start AND :end AND closed <= due) AS on_time,"
            " SUM(status = :closed AND closed BETWEEN :start AND :end AND feedback <= :end)"
            "   AS fed_back,"  # a 反馈日期 after the period's end (a run dated back) is not yet
            " SUM(status = :closed AND closed BETWEEN :start AND :end AND rating IS NOT NULL"
            "   AND rating != :unrated) AS rated,"
            " SUM(status = :closed AND closed BETWEEN :start AND :end AND rating = :dissatisfied)"
            "   AS dissatisfied,"
            " SUM((status != :closed OR closed > :as_of) AND due < :as_of) AS overdue"
            " FROM issue WHERE superseded_by IS NULL GROUP BY community",
            self.db, params={"closed": closed, "unrated": unrated, "dissatisfied": dissatisfied,
                             "start": self.period[0], "end": self.period[1],
                             "as_of": as_of.isoformat()})

    def latest_summaries(self) -> pd.DataFrame:
        """Each community's newest 社区汇总 row of the period."""
        return pd.read_sql_query(
            "SELECT s.* FROM summary s WHERE s.superseded_by IS NULL AND s.as_of BETWEEN ? AND ? "
            "AND s.as_of = (SELECT MAX(as_of) FROM summary t WHERE t.community = s.community "
            "AND t.superseded_by IS NULL AND t.as_of BETWEEN ? AND ?)",
            self.db, params=(*self.period, *self.period))

    def leaders(self, team: str, role: str) -> dict[str, str]:
        """The 驻点团队负责人 of each community, from the current rosters."""
        return _community_counts(self.db, "SELECT community, name FROM roster WHERE "
                                 "superseded_by IS NULL AND team = ? AND role = ?", (team, role))

    def submissions_seen(self) -> tuple[int, str | None]:
        row = self.db.execute("SELECT COUNT(*), MAX(received_at) FROM submissions "
                              "WHERE status = 'accepted'").fetchone()
        return int(row[0]), row[1]


# --- supervision queries ---

class SupervisionFigures:
    """Aggregates for the supervision list (pipeline.supervision): the database groups."""

    def __init__(self, master: Master, start: dt.date, end: dt.date) -> None:
        self.db = master.db
        self.period = (start.isoformat(), end.isoformat())

    def coverage_by_grid(self) -> pd.DataFrame:
        """Per community and 网格: households in the 户册 and those visited in the period."""
        return pd.read_sql_query(
            "SELECT h.community, h.grid, COUNT(*) AS total, COUNT(v.household_id) AS visited "
            "FROM household h LEFT JOIN (SELECT DISTINCT community, household_id FROM visit "
            "  WHERE superseded_by IS NULL AND date BETWEEN ? AND ?) v "
            "ON v.community = h.community AND v.household_id = h.household_id "
            "WHERE h.superseded_by IS NULL GROUP BY h.community, h.grid "
            "ORDER BY h.community, h.grid", self.db, params=self.period)

    def first_records(self) -> dict[str, str]:
        """Each community's earliest visit or reception in the period (YYYY-MM-DD): a
        community recording its work has been in the system since (WEEKLY-LEDGER)."""
        dated = " UNION ALL ".join(
            f"SELECT community, substr(date, 1, 10) AS day FROM {table} "
            "WHERE superseded_by IS NULL AND community IS NOT NULL AND date BETWEEN ? AND ?"
            for table in ("visit", "reception"))
        return _community_counts(self.db, f"SELECT community, MIN(day) FROM ({dated}) "
                                 "GROUP BY community", self.period * 2)

    def unvisited_households(self, community: str) -> list[tuple[str, str | None, str | None]]:
        """(household_id, grid, type) of each household of `community`'s current 户册 with
        no visit in the period (no address), by grid and household; plain tuples, as they
        go straight into a workbook, one community at a time (a district has 100,000).
        NOT EXISTS looks each household up in the index on visits; a LEFT JOIN to the
        community's visits scanned them all for every household (ten times slower)."""
        return self.db.execute(
            "SELECT h.household_id, h.grid, h.type FROM household h "
            "WHERE h.community = ? AND h.superseded_by IS NULL AND NOT EXISTS ("
            "  SELECT 1 FROM visit v WHERE v.community = h.community "
            "  AND v.household_id = h.household_id AND v.superseded_by IS NULL "
            "  AND v.date BETWEEN ? AND ?) "
            "ORDER BY h.grid, h.household_id", (community, *self.period)).fetchall()

    def first_submissions(self) -> dict[str, str]:
        """Each community's first submission (accepted or rejected): its run's date. A file
        is filed under the community most of its rows name; the others it carries rows
        for count from it too (the earliest of their current rows' files)."""
        first = _community_counts(self.db, "SELECT community, MIN(run_as_of) FROM submissions "
                                  "WHERE community IS NOT NULL AND status != 'duplicate' "
                                  "GROUP BY community", ())
        for ledger in LEDGERS:
            for community, day in self.db.execute(
                    f"SELECT t.community, MIN(s.run_as_of) FROM {table_name(ledger)} t "
                    "JOIN submissions s ON s.id = t.submission_id "
                    "WHERE t.superseded_by IS NULL GROUP BY t.community"):
                if community is not None and (community not in first or day < first[community]):
                    first[community] = day
        return first

    def roster_history(self) -> pd.DataFrame:
        """Every roster row ever accepted, with its submission's run date and file name."""
        return pd.read_sql_query(
            "SELECT r.community, r.team, r.name, r.role, r.submission_id, s.run_as_of, "
            "s.file_name FROM roster r JOIN submissions s ON s.id = r.submission_id "
            "ORDER BY r.community, r.submission_id, r.id", self.db)
