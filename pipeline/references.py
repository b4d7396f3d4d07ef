"""Rules that look at a submitted workbook and the master together (DOMAIN.md "master").

A workbook that carries its own 户册, 团队名册 or 问题台账 for a community needs nothing
from the master for that community; otherwise the master's current rows are used.
`validate` runs these with a read-only master (or none); `run` inside its transaction,
so a file sees what earlier files of the same run merged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise

import pandas as pd

from pipeline.convert import LedgerRows
from pipeline.findings import Finding
from pipeline.messages import say
from pipeline.store import Master, scope_of
from schemas import (
    LEDGERS,
    Household,
    Issue,
    Reception,
    Roster,
    Schedule,
    Summary,
    Visit,
    WorkLog,
    ledger_meta,
)
from schemas.choices import HOUSEHOLD_TYPES, ISSUE_LEVELS, RESIDENT_TYPE
from schemas.privacy import KnownResidents, split_names
from schemas.rules import WARNING

CUMULATIVE = (Summary.visited, Summary.residents, Summary.businesses, Summary.received,
              Summary.outgoing)


class References:
    """What the file and the master know: households, team members, issues, summaries."""

    def __init__(self, tables: list[LedgerRows], master: Master | None,
                 earlier: Sequence[Sequence[LedgerRows]] = ()) -> None:
        self.tables = tables
        self.master = master
        self.earlier = earlier  # validate: the valid files checked before (tables), newest first
        self._known: dict[tuple[str, str, str], set[str] | None] = {}  # one lookup per file
        self._residents: dict[str, KnownResidents] = {}

    def sheets(self, ledger: str) -> list[LedgerRows]:
        """The file's sheets read as `ledger`, in workbook order."""
        return [t for t in self.tables if t.ledger == ledger]

    def _own(self, ledger: str) -> pd.DataFrame | None:
        frames = [t.frame for t in self.sheets(ledger)]
        return pd.concat(frames) if frames else None

    def _values(self, ledger: str, community: str, column: str) -> set[str] | None:
        """The community's values of `column`; None when neither file nor master has any."""
        key = (ledger, community, column)
        if key not in self._known:
            self._known[key] = self._look_up(ledger, community, column)
        return self._known[key]

    def _look_up(self, ledger: str, community: str, column: str,
                 where: tuple[str, str] | None = None) -> set[str] | None:
        own = self._own(ledger)
        # as if merged: the newest earlier file with the community, all its sheets of the ledger
        before = next((pd.concat(frames) for tables in self.earlier if (frames := [
            t.frame for t in tables if t.ledger == ledger
            and (t.frame[Roster.community] == community).any()])), None)
        if own is not None and (own[Roster.community] == community).any():
            rows = own[own[Roster.community] == community]
        elif before is not None:
            rows = before[before[Roster.community] == community]
        elif self.master is not None:
            rows = self.master.current(ledger, community,
                                       columns=(column,) if where is None else (column, where[0]))
        else:
            return None
        if where is not None:  # only the rows whose where[0] column holds where[1]
            rows = rows[rows[where[0]] == where[1]]
        return set(rows[column].dropna().astype(str)) if len(rows) else None

    def residents(self, community: str) -> KnownResidents:
        """The residents `community`'s records name (反映人, 来访人; the file's and the
        master's), and its 居民户 addresses: what its public text must never hold. Team
        members' names are public."""
        if community not in self._residents:
            team = {"".join(n.split()) for n in self._values(
                Roster.Config.name, community, Roster.name) or set()}
            cells: set[str] = set()
            for ledger, field in ((Issue.Config.name, "reporter"),
                                  (Reception.Config.name, "visitor_name")):
                column = getattr(LEDGERS[ledger], field)
                own = self._own(ledger)
                if own is not None:
                    cells |= set(own.loc[own[Roster.community] == community, column]
                                 .dropna().astype(str))
                if self.master is not None:
                    cells |= self.master.current_values(ledger, community, field)
            names = {n for cell in cells for n in split_names(cell)} - team
            addresses = self._look_up(Household.Config.name, community, Household.address,
                                      where=(Household.type, RESIDENT_TYPE)) or set()
            self._residents[community] = KnownResidents(names, addresses)
        return self._residents[community]

    def households(self, community: str) -> set[str] | None:
        return self._values(Household.Config.name, community, Household.household_id)

    def members(self, community: str) -> set[str] | None:
        return self._values(Roster.Config.name, community, Roster.name)

    def known_issues(self, cited: Iterable[str]) -> set[str]:
        """Those of `cited` that the file or the master knows as 问题编号."""
        wanted = set(cited)
        known: set[str] = set()
        for table in [*self.tables, *(t for tables in self.earlier for t in tables)]:
            if table.ledger == Issue.Config.name:
                known |= wanted & set(table.frame[Issue.issue_id].dropna().astype(str))
        if self.master is not None and wanted - known:
            current = self.master.current_keyed(Issue.Config.name, sorted(wanted - known),
                                                columns=(Issue.issue_id,))
            known |= set(current[Issue.issue_id].dropna().astype(str))
        return known


def check_references(tables: list[LedgerRows], master: Master | None,
                     earlier: Sequence[Sequence[LedgerRows]] = ()) -> list[Finding]:
    refs = References(tables, master, earlier)
    findings: list[Finding] = []
    for table in tables:
        findings += RULES.get(table.ledger, _none)(table, refs)
    return findings


def _none(table: LedgerRows, refs: References) -> list[Finding]:
    return []


def _finding(rule: str, message: str, table: LedgerRows, header: str, row: int,
             value: object) -> Finding:
    return Finding(rule, message, sheet=table.sheet, cell=table.cell(header, row), row=row,
                   column=header, value=str(value))


def _nothing_to_check(rule: str, key: str, table: LedgerRows, community: str,
                      header: str, row: int) -> Finding:
    """Neither the file nor the master knows the community's 户册/名册: nothing to check
    against, which one 警告 says (not one per row). A 户编号 missing from a 户册 that exists
    is REF-HOUSEHOLD's 错误; a register sent before any 户册 is taken, and asked about."""
    return Finding(rule, say(key, community=community), severity=WARNING, sheet=table.sheet,
                   cell=table.cell(header, row), row=row, column=header,
                   value=str(table.frame.at[row, header]))


def _unknown(table: LedgerRows, header: str, lookup: Callable[[str], set[str] | None],
             rule: str, nothing_key: str) -> tuple[list[Finding], pd.Series]:
    """Rows whose `header` value is not among their community's known values: the
    one-per-community 'nothing to check' warnings, and the offending values by row."""
    frame = table.frame
    rows = frame[frame[header].notna() & frame[Roster.community].notna()]
    findings: list[Finding] = []
    bad = []
    for community, group in rows.groupby(Roster.community, sort=False):
        known = lookup(str(community))
        if known is None:
            findings.append(_nothing_to_check(rule, nothing_key, table, str(community), header,
                                              int(group.index[0])))
            continue
        values = group[header].astype(str)
        bad.append(values[~values.isin(known)])
    return findings, pd.concat(bad) if bad else pd.Series(dtype="string")


NAME_LIST = re.compile(r"[、，,;；/／\s]+")


def _on_roster(value: str, known: set[str]) -> bool:
    """A name as clerks write it: padded to align (陈　一), or several in one cell
    (陈一、王二 or 陈一 王二), each of them on the roster."""
    squeezed = {"".join(name.split()) for name in known}
    if "".join(value.split()) in squeezed:
        return True
    names = [name for name in NAME_LIST.split(value) if name]
    return len(names) > 1 and all(name in squeezed for name in names)


def _members(table: LedgerRows, refs: References, header: str) -> list[Finding]:
    findings, bad = _unknown(table, header, refs.members, "REF-MEMBER", "REF-MEMBER.no_roster")
    community = table.frame[Roster.community]
    return findings + [
        _finding("REF-MEMBER", say("REF-MEMBER", value=name, community=community[row]),
                 table, header, int(row), name)
        for row, name in bad.items()
        if not _on_roster(name, refs.members(str(community[row])) or set())]


def _issues_cited(table: LedgerRows, refs: References, header: str) -> list[Finding]:
    cited = table.frame[header].dropna().astype(str)
    if cited.empty:
        return []
    known = refs.known_issues(cited)
    return [_finding("REF-ISSUE", say("REF-ISSUE", value=value), table, header, int(row), value)
            for row, value in cited[~cited.isin(known)].items()]


def _visits(table: LedgerRows, refs: References) -> list[Finding]:
    frame = table.frame
    households = LedgerRows(table.ledger, table.sheet, frame[frame[Visit.target_type].isin(
        HOUSEHOLD_TYPES)], table.letters)
    findings, bad = _unknown(households, Visit.household_id, refs.households, "REF-HOUSEHOLD",
                             "REF-HOUSEHOLD.no_base")
    findings += [
        _finding("REF-HOUSEHOLD", say("REF-HOUSEHOLD", value=value,
                                      community=frame.at[row, Visit.community]),
                 table, Visit.household_id, int(row), value)
        for row, value in bad.items()]
    findings += _members(table, refs, Visit.visitor)
    return findings + _issues_cited(table, refs, Visit.issue_id) + _replaced_beyond(table, refs)


def _receptions(table: LedgerRows, refs: References) -> list[Finding]:
    return _members(table, refs, Reception.receiver) + _issues_cited(
        table, refs, Reception.issue_id) + _replaced_beyond(table, refs)


def _work_log(table: LedgerRows, refs: References) -> list[Finding]:
    return _members(table, refs, WorkLog.leader) + _replaced_beyond(table, refs)


def _replaced_beyond(table: LedgerRows, refs: References) -> list[Finding]:
    """An event sheet replaces the master's rows of its community in the ISO weeks it
    covers (DOMAIN), days it does not list included: a monthly file for December takes
    the week of 30 November with it. Taken as DOMAIN says, with a 警告 naming the days."""
    if refs.master is None:
        return []
    model = LEDGERS[table.ledger]
    name = ledger_meta(model)["date"]
    header = getattr(model, name)
    def dated(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame[header].notna() & frame[Roster.community].notna()]

    mine = dated(table.frame)
    if mine.empty:
        return []
    scopes = pd.Series(scope_of(table.ledger, mine), index=mine.index, dtype=object)
    held = refs.master.current_dates(table.ledger, sorted(set(scopes)), name)
    if held.empty:  # the weeks are new: nothing replaced (a night's usual case)
        return []
    # one ledger, all its sheets: a day any of them lists stays; a week is said once, on
    # the first sheet that covers it
    own: set[tuple[str, str]] = set()
    said_before: set[str] = set()
    before = True  # a sheet before this one in the file
    for sheet in refs.sheets(table.ledger):
        if sheet is table:
            rows, these, before = mine, scopes, False
        else:
            rows = dated(sheet.frame)
            these = pd.Series(scope_of(table.ledger, rows), index=rows.index, dtype=object)
            if before:
                said_before |= set(these)
        own |= set(zip(these, (day.date().isoformat() for day in rows[header]), strict=True))
    scopes = scopes[~scopes.isin(said_before)]
    beyond = held[pd.Series([(scope, day) not in own and scope not in said_before
                             for scope, day in zip(held["scope"], held["day"], strict=True)],
                            index=held.index, dtype=bool)]
    findings = []
    for scope, rows in beyond.groupby("scope", sort=True):
        community, week = str(scope).rsplit("|", 1)
        first = int(scopes.index[scopes == scope][0])
        findings.append(Finding(
            "SHEET", say("SHEET.replaces_beyond", week=week, count=len(rows),
                         days="、".join(sorted(set(rows["day"]))), community=community,
                         ledger=table.ledger),
            severity=WARNING, sheet=table.sheet, cell=table.cell(header, first), row=first,
            column=header, value=week))
    return findings


def _schedule(table: LedgerRows, refs: References) -> list[Finding]:
    # DOMAIN: 带队领导 is on the 名册
    return _members(table, refs, Schedule.leader) + _public_text(table, refs)


def _escalation(table: LedgerRows, refs: References) -> list[Finding]:
    """ISSUE-ESCALATION: 办理层级 only moves up against the master's current level."""
    if refs.master is None:
        return []
    ids = sorted(set(table.frame[Issue.issue_id].dropna().astype(str)))
    before = refs.master.current_keyed(Issue.Config.name, ids, columns=(
        Issue.issue_id, Issue.level)).set_index(Issue.issue_id)[Issue.level]
    findings = []
    for row, record in table.frame[table.frame[Issue.issue_id].isin(before.index)].iterrows():
        old = before.get(record[Issue.issue_id])
        new = record[Issue.level]
        if old in ISSUE_LEVELS and new in ISSUE_LEVELS and \
                ISSUE_LEVELS.index(new) < ISSUE_LEVELS.index(old):  # other levels: CHOICE says so
            findings.append(_finding(
                "ISSUE-ESCALATION", say("ISSUE-ESCALATION", issue=record[Issue.issue_id],
                                        before=old, value=new),
                table, Issue.level, int(row), new))
    return findings


def _monotone(table: LedgerRows, refs: References) -> list[Finding]:
    """SUM-MONOTONE: a year's cumulative figures never fall between two reports. A
    community's reports of the year, the master's and this sheet's (which replace the
    master's of the same date), in date order: where a figure falls from one report to
    the next, the report of this sheet in the pair is named (the later one if both are)."""
    frame = table.frame.dropna(subset=[Summary.community, Summary.as_of])
    findings = []
    for community, own in frame.groupby(Summary.community, sort=False):
        for year in sorted({d.year for d in own[Summary.as_of]}):
            findings += _falls(table, refs, str(community),
                               own[own[Summary.as_of].dt.year == year])
    return findings


def _falls(table: LedgerRows, refs: References, community: str,
           own: pd.DataFrame) -> list[Finding]:
    year = own[Summary.as_of].iloc[0].year
    reports: list[tuple[pd.Timestamp, int | None, pd.Series]] = [  # (date, sheet row, figures)
        (record[Summary.as_of], int(row), record) for row, record in own.iterrows()]
    if refs.master is not None:
        mine = set(own[Summary.as_of])
        stored = refs.master.current(Summary.Config.name, community,
                                     columns=(Summary.as_of, *CUMULATIVE))
        reports += [(record[Summary.as_of], None, record) for _, record in stored.iterrows()
                    if record[Summary.as_of].year == year and record[Summary.as_of] not in mine]
    reports.sort(key=lambda r: (r[0], r[1] is not None))
    findings: list[Finding] = []
    named: set[tuple[int, str]] = set()  # one finding a cell, however many pairs it breaks
    for (date_a, row_a, a), (date_b, row_b, b) in pairwise(reports):
        if row_a is None and row_b is None:
            continue  # both in the master already: said when they came
        for header in CUMULATIVE:
            if pd.isna(a[header]) or pd.isna(b[header]) or b[header] >= a[header]:
                continue
            # the later report is named where it is ours, else the earlier one (back-dated)
            if row_b is not None:
                row, value, other, other_date, key = (
                    row_b, b[header], a[header], date_a, "SUM-MONOTONE")
            elif row_a is not None:
                row, value, other, other_date, key = (
                    row_a, a[header], b[header], date_b, "SUM-MONOTONE.later")
            if (row, header) in named:
                continue
            named.add((row, header))
            findings.append(_finding(
                "SUM-MONOTONE", say(key, column=header, value=value, other=other,
                                    date=other_date.date().isoformat()),
                table, header, row, value))
    return findings


def _public_text(table: LedgerRows, refs: References) -> list[Finding]:
    """FORMAT: public text (公开摘要; 驻点安排's 变更说明 and 驻点地点) that holds a 户册 address
    or the name of a resident the file or the master knows goes on no notice board. The
    schema checks the row's own resident; this checks against everything known."""
    findings = []
    frame = table.frame
    for header in PUBLIC_TEXT.get(table.ledger, ()):
        if header not in frame:
            continue
        rows = frame[frame[header].notna() & frame[Roster.community].notna()]
        for community, group in rows.groupby(Roster.community, sort=False):
            residents = refs.residents(str(community))
            for row, text in group[header].astype(str).items():
                if residents.found_in(text):
                    findings.append(_finding("FORMAT", say("FORMAT.private_known", column=header),
                                             table, header, int(row), text))
    return findings


PUBLIC_TEXT = {Issue.Config.name: (Issue.public_summary,),
               Schedule.Config.name: (Schedule.reason, Schedule.place)}


def _shrunk(table: LedgerRows, refs: References) -> list[Finding]:
    """A snapshot (户册, 团队名册) replaces the community's whole one: a clerk sending only the
    few households she added would wipe the rest. Less than half of what the master holds
    is taken, and a 警告 asks whether it is the whole list."""
    if refs.master is None:
        return []
    findings = []
    for community, group in table.frame.groupby(Roster.community, sort=False):
        having = [t for t in refs.sheets(table.ledger) if (t.frame[Roster.community] == community).any()]
        if having[0] is not table:  # said once, on the first sheet with the community
            continue
        held = refs.master.current_count(table.ledger, str(community))
        sent = sum(int((t.frame[Roster.community] == community).sum()) for t in having)
        if held >= SHRINK_FROM and sent * 2 < held:
            row = int(group.index[0])
            findings.append(Finding(
                "SHEET", say("SHEET.shrunk", ledger=table.ledger, community=community, sent=sent,
                             held=held, unit=SNAPSHOT_UNIT[table.ledger]),
                severity=WARNING, sheet=table.sheet, cell=table.cell(Roster.community, row),
                row=row, column=Roster.community, value=str(community)))
    return findings


SHRINK_FROM = 6  # rows held before a shrinking snapshot is worth a word
SNAPSHOT_UNIT = {Household.Config.name: "户", Roster.Config.name: "人"}

RULES = {
    Household.Config.name: _shrunk,
    Roster.Config.name: _shrunk,
    Visit.Config.name: _visits,
    Reception.Config.name: _receptions,
    WorkLog.Config.name: _work_log,
    Schedule.Config.name: _schedule,
    Issue.Config.name: lambda table, refs: _escalation(table, refs) + _public_text(table, refs),
    Summary.Config.name: _monotone,
}
