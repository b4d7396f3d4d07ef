"""Checking one ledger table: the schema (pandera, lazily: every problem at once) and the
sheet-level rules of DOMAIN.md that need only the file itself.

pandera's failure cases are turned into clerk-facing findings here: each keeps the
Excel cell, the value as displayed, the rule ID and a message from the catalogue.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from pipeline.cells import CellError, display, to_date
from pipeline.config import Config
from pipeline.convert import Converted
from pipeline.findings import Finding
from pipeline.messages import say
from pipeline.reader import Table
from schemas import (
    LEDGERS,
    FieldSpec,
    Issue,
    Reception,
    Roster,
    Schedule,
    Summary,
    Visit,
    WorkLog,
    field_specs,
    ledger_meta,
)
from schemas.choices import TEAM_ROLES, TEAMS
from schemas.rules import WARNING

# Checks of ours beyond the letter of DOMAIN's rule they are filed under: they ask the
# clerk to look, they do not reject the file. (ISSUE-DATES is 完成时限 and 办结日期 not
# before 登记日期; a 反馈日期 before the 办结日期 is only suspicious.)
ADVISORY = frozenset({("ISSUE-DATES", Issue.feedback)})
BLANK_ROW_MIN_MISSING = 3  # this many required cells empty in one row: one finding for the row
DATE_IN_TITLE = re.compile(
    r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})|([./-])(\d{1,2})\4(\d{1,2}))")
# A date the title names as the figures' date, and one it names as something else (the day
# the form was filled in or printed): 截至 wins, a filing date is never taken for it. Of a
# range (2026年1月1日至2026年11月30日) the end is the figures' date, the start never is.
RANGE_SIGN = r"(?:至|到|[-~—–])"
AS_OF_MARK = re.compile(rf"(截至|截止|统计至|{RANGE_SIGN})[^\d]{{0,6}}$")
RANGE_START = re.compile(rf"\s*[日号]?\s*{RANGE_SIGN}\s*\d")
SHORT_RANGE_END = re.compile(rf"\s*[日号]?\s*{RANGE_SIGN}\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})")
# no date, but months: 2026年1-11月, 2026年1月至11月, 2026年11月 (to the month's end)
MONTHS_IN_TITLE = re.compile(
    rf"(\d{{4}})\s*年\s*(?:\d{{1,2}}\s*月?\s*{RANGE_SIGN}\s*)?(\d{{1,2}})\s*月(?!\s*\d)")
OTHER_DATE_MARK = re.compile(r"(填报|填表|制表|报送|打印)[^\d]{0,6}$")
LEADER_KIND = {TEAMS[0]: "街道班子成员", TEAMS[1]: "社区两委"}


def validate_table(
    table: Table, model: type[pa.DataFrameModel], converted: Converted, config: Config,
    as_of: dt.date,
) -> tuple[pd.DataFrame, list[Finding]]:
    """The typed frame (after sheet-level defaults) and every finding about it."""
    frame = converted.frame
    specs = {spec.header: spec for spec in field_specs(model)}
    reported = set(converted.bad_cells)
    absent = {h for h in specs if h not in table.columns}
    findings: list[Finding] = []

    if model is Summary:
        frame, more = _summary_as_of(table, frame, as_of)
        findings += more

    blank_rows = _mostly_blank_rows(table, frame, specs, reported, absent)
    for row, missing in blank_rows.items():
        findings.append(Finding(
            "REQUIRED", say("REQUIRED.blank_row", columns="、".join(missing)), sheet=table.sheet,
            cell=table.cell(missing[0], row) if missing[0] in table.columns else None, row=row,
            column=missing[0]))
        reported |= {(row, h) for h in specs}

    findings += _community_choice(table, frame, config, reported)
    findings += _schema_findings(table, model, frame, converted, specs, reported, absent)
    findings += _dated_ahead(table, frame, specs, reported, as_of)
    for rule in SHEET_RULES.get(str(model.Config.name), ()):
        findings += rule(table, frame)
    return frame, findings


def _dated_ahead(table: Table, frame: pd.DataFrame, specs: dict[str, FieldSpec],
                 reported: set[tuple[int, str]], as_of: dt.date) -> list[Finding]:
    """A visit, reception or closing dated after today is a typo more often than not:
    a 警告 (the file is taken; a run dated back with --as-of sees later records so)."""
    findings = []
    for header, spec in specs.items():
        if not spec.past or header not in table.columns:
            continue
        ahead = frame[header] > pd.Timestamp(as_of)
        for row in frame.index[ahead.fillna(False)]:
            if (int(row), header) in reported:
                continue
            day = frame.at[row, header].date().isoformat()
            findings.append(Finding(
                "RANGE", say("RANGE.future", value=day, today=as_of.isoformat()),
                severity=WARNING, sheet=table.sheet, cell=table.cell(header, int(row)),
                row=int(row), column=header, value=day))
    return findings


def _mostly_blank_rows(
    table: Table, frame: pd.DataFrame, specs: dict[str, FieldSpec],
    reported: set[tuple[int, str]], absent: set[str],
) -> dict[int, list[str]]:
    required = [h for h, s in specs.items() if s.required and h not in absent]
    rows: dict[int, list[str]] = {}
    if not required:
        return rows
    least = min(BLANK_ROW_MIN_MISSING, len(required))
    missing = np.column_stack([frame[h].isna().to_numpy() for h in required])
    counts = missing.sum(axis=1)
    for i in np.flatnonzero((counts >= least) & (counts > len(required) // 2)):
        row = frame.index[i]
        names = [h for h, flag in zip(required, missing[i], strict=True)
                 if flag and (row, h) not in reported]
        if len(names) >= least and len(names) > len(required) // 2:
            rows[int(row)] = names
    return rows


def _community_choice(
    table: Table, frame: pd.DataFrame, config: Config, reported: set[tuple[int, str]],
) -> list[Finding]:
    header = Roster.community  # every ledger names its community with the same header
    if header not in table.columns:
        return []
    findings = []
    allowed = set(config.communities)
    column = frame[header]
    titled = {v: config.community_called(str(v)) for v in set(column.dropna()) - allowed}
    if any(titled.values()):  # 龙导社区 is 龙导: one pass over the column
        frame[header] = column.map(lambda v: titled.get(v) or v).astype(column.dtype)
    for row, value in column.items():
        if pd.isna(value) or value in allowed or titled.get(value) or (row, header) in reported:
            continue
        reported.add((int(row), header))
        findings.append(Finding(
            "CHOICE", say("CHOICE.community", value=value, choices="、".join(config.communities)),
            sheet=table.sheet, cell=table.cell(header, int(row)), row=int(row), column=header,
            value=str(value)))
    return findings


@functools.cache
def prepare() -> None:
    """Do in this process the one-off work of the first validation: pandera registers its
    pandas backends and built-in checks on first use, and each model's checking schema is
    built once. A parse worker forked afterwards inherits all of it instead of repeating it
    for every file (it was about a third of a weekly workbook's parse)."""
    pa.DataFrameSchema.register_default_backends(pd.DataFrame)
    for model in LEDGERS.values():
        _checking_schema(model)


@functools.cache
def _checking_schema(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema without coercion: convert_table has already given every column
    its schema dtype (the dtype checks still run), and pandera's coercion would only copy
    each column and its schema again (about a tenth of a sheet's check)."""
    schema = copy.deepcopy(model.to_schema())
    schema.coerce = False
    return schema


def _schema_findings(
    table: Table, model: type[pa.DataFrameModel], frame: pd.DataFrame, converted: Converted,
    specs: dict[str, FieldSpec], reported: set[tuple[int, str]], absent: set[str],
) -> list[Finding]:
    try:
        _checking_schema(model).validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    findings: list[Finding] = []
    uniqueness_done = False
    said: set[tuple[int, str, str]] = set()  # row rules said, by cell: two rules on one cell
    ruled: set[tuple[int, str]] = set()      # both speak (SUM-BOUND and SUM-SPLIT on 已走访)
    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = case.column
        if pd.isna(case.index) or column is None:
            findings.append(_crash(table, check, "无行号"))
            continue
        row = int(case.index)
        if "uniqueness" in check:
            if not uniqueness_done:
                findings += _uniqueness(table, model, frame, reported)
                uniqueness_done = True
            continue
        if "@" in check:
            # a row check fails on every non-empty column of the row: report it once, at its target
            rule, column = check.split("@", 1)
        else:
            rule = ""
        cell = (row, column)
        if column in absent or (cell in reported and not (rule and cell in ruled)) \
                or (row, column, rule) in said:
            continue
        finding = _explain(table, specs[column], frame.loc[row], row, check, rule, converted)
        if finding is None:
            findings.append(_crash(table, check, f"{column}第{row}行"))
            continue
        reported.add(cell)
        if rule:
            said.add((row, column, rule))
            ruled.add(cell)
        findings.append(finding)
    return findings


def _explain(
    table: Table, spec: FieldSpec, record: pd.Series, row: int, check: str, rule: str,
    converted: Converted,
) -> Finding | None:
    header = spec.header
    shown = converted.shown(row, header)

    def found(rule_id: str, message: str) -> Finding:
        return Finding(rule_id, message, sheet=table.sheet,
                       cell=table.cell(header, row) if header in table.columns else None,
                       row=row, column=header, value=shown,
                       severity=WARNING if (rule_id, header) in ADVISORY else "")

    if check == "not_nullable":
        rule_id = spec.required_rule
        key = "ISSUE-OWNER" if rule_id == "ISSUE-OWNER" else "REQUIRED"
        return found(rule_id, say(key, column=header, example=spec.example))
    if check.startswith("isin"):
        return found("CHOICE", say("CHOICE", value=shown, column=header,
                                   choices="、".join(spec.choices)))
    if check.startswith("str_matches"):
        key = "FORMAT.phone" if spec.kind == "phone" else "TYPE.time"
        return found("FORMAT" if spec.kind == "phone" else "TYPE", say(key, value=shown))
    if check.startswith("greater_than_or_equal_to"):
        return found("RANGE", say("RANGE.min", column=header, value=shown, minimum=_num(spec.minimum)))
    if rule:
        explain = ROW_RULE_TEXT.get((rule, header))
        if explain is None:
            return None
        return found(rule, explain(record))
    return None


def _num(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _show(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return _num(value)


def _pct(value: float) -> str:
    return f"{value * 100:.2f}%"


def _rate_text(r: pd.Series) -> str:
    return say("SUM-RATE", value=_pct(r[Summary.rate]), visited=_show(r[Summary.visited]),
               total=_show(r[Summary.total]), computed=_pct(r[Summary.visited] / r[Summary.total]))


def _row_texts() -> dict[tuple[str, str], Callable[[pd.Series], str]]:
    return {
        ("REQUIRED", Visit.household_id): lambda r: say(
            "REQUIRED.household", target=r[Visit.target_type], example="LD-0001"),
        ("REQUIRED", Reception.issue_id): lambda r: say("REQUIRED.referral", example="LD-2026-001"),
        ("REQUIRED", Schedule.reason): lambda r: say("REQUIRED.change_reason", kind=r[Schedule.kind]),
        ("RANGE", WorkLog.solved): lambda r: say(
            "RANGE.solved", value=_show(r[WorkLog.solved]), other=_show(r[WorkLog.collected])),
        ("RANGE", WorkLog.end): lambda r: say(
            "RANGE.end_time", value=_show(r[WorkLog.end]), other=_show(r[WorkLog.start])),
        ("RANGE", Schedule.end): lambda r: say(
            "RANGE.end_time", value=_show(r[Schedule.end]), other=_show(r[Schedule.start])),
        ("ISSUE-DATES", Issue.due): lambda r: say(
            "ISSUE-DATES.due", value=_show(r[Issue.due]), other=_show(r[Issue.registered])),
        ("ISSUE-DATES", Issue.closed): lambda r: say(
            "ISSUE-DATES.closed", value=_show(r[Issue.closed]), other=_show(r[Issue.registered])),
        ("ISSUE-DATES", Issue.feedback): lambda r: say(
            "ISSUE-DATES.feedback", value=_show(r[Issue.feedback]), other=_show(r[Issue.closed])),
        ("ISSUE-CLOSED", Issue.closed): lambda r: say("ISSUE-CLOSED.date"),
        ("ISSUE-CLOSED", Issue.result): lambda r: say("ISSUE-CLOSED.result"),
        ("ISSUE-FEEDBACK", Issue.feedback): lambda r: say("ISSUE-FEEDBACK"),
        ("FORMAT", Issue.public_summary): lambda r: say("FORMAT.private_summary"),
        ("FORMAT", Schedule.reason): lambda r: say("FORMAT.private_notice", column=Schedule.reason),
        ("FORMAT", Schedule.place): lambda r: say("FORMAT.private_notice", column=Schedule.place),
        ("SUM-BOUND", Summary.visited): lambda r: say(
            "SUM-BOUND", value=_show(r[Summary.visited]), other=_show(r[Summary.total])),
        ("SUM-SPLIT", Summary.visited): lambda r: say(
            "SUM-SPLIT", residents=_show(r[Summary.residents]),
            businesses=_show(r[Summary.businesses]),
            total=_show(r[Summary.residents] + r[Summary.businesses]),
            value=_show(r[Summary.visited])),
        ("SUM-RATE", Summary.rate): _rate_text,
    }


ROW_RULE_TEXT = _row_texts()


def _uniqueness(
    table: Table, model: type[pa.DataFrameModel], frame: pd.DataFrame,
    reported: set[tuple[int, str]],
) -> list[Finding]:
    keys = list(model.Config.unique or [])
    target = keys[-1]
    present = frame.dropna(subset=keys)
    history = bool(ledger_meta(model).get("rows_in_order"))  # a later row updates the key
    findings = []
    for _, group in present.groupby(keys, sort=False):
        if len(group) < 2:
            continue
        first = int(group.index[0])
        for row in group.index[1:]:
            row = int(row)
            if (row, target) in reported:
                continue
            value = "/".join(display(group.loc[row, k]) for k in keys)
            if history:
                findings.append(Finding(
                    "UNIQUE", say("UNIQUE.history", columns="+".join(keys), value=value,
                                  others=first), severity=WARNING,
                    sheet=table.sheet, cell=table.cell(target, row), row=row, column=target,
                    value=display(group.loc[row, target])))
                continue
            findings.append(Finding(
                "UNIQUE", say("UNIQUE", columns="+".join(keys), value=value, others=first,
                              what="+".join(keys)),
                sheet=table.sheet, cell=table.cell(target, row), row=row, column=target,
                value=display(group.loc[row, target])))
    return findings


def _crash(table: Table, check: str, detail: str) -> Finding:
    return Finding("FILE", say("FILE.check_crashed", check=check, detail=detail), sheet=table.sheet)


# --- sheet-level rules -------------------------------------------------------------------

def _team_head(table: Table, frame: pd.DataFrame) -> list[Finding]:
    """TEAM-HEAD: each team of each community has exactly one 负责人 and one 联络员."""
    findings = []
    rows = frame.dropna(subset=[Roster.community, Roster.team])
    for (community, team), members in rows.groupby([Roster.community, Roster.team], sort=False):
        for role in TEAM_ROLES[:2]:
            holders = members.index[members[Roster.role] == role].tolist()
            if len(holders) == 1:
                continue
            if not holders:
                first = int(members.index[0])
                held = members.at[first, Roster.role]  # the cell pointed at, as it is
                findings.append(Finding(
                    "TEAM-HEAD", say("TEAM-HEAD.missing", community=community, team=team, role=role),
                    sheet=table.sheet, cell=table.cell(Roster.role, first), row=first,
                    column=Roster.role, value=None if pd.isna(held) else str(held)))
            else:
                for row in holders[1:]:
                    findings.append(Finding(
                        "TEAM-HEAD", say("TEAM-HEAD.many", community=community, team=team,
                                         count=len(holders), role=role,
                                         rows="、".join(str(r) for r in holders)),
                        sheet=table.sheet, cell=table.cell(Roster.role, int(row)), row=int(row),
                        column=Roster.role, value=role))
    return findings


def _leader_kind(table: Table, frame: pd.DataFrame) -> list[Finding]:
    """TEAM-LEADER-KIND: 驻点团队负责人 is 街道班子成员; 辅助团队负责人 is 社区两委."""
    findings = []
    heads = frame[frame[Roster.role] == TEAM_ROLES[0]]
    for row, record in heads.iterrows():
        expected = LEADER_KIND.get(record[Roster.team])
        identity = record[Roster.identity]
        if expected and pd.notna(identity) and identity != expected:
            findings.append(Finding(
                "TEAM-LEADER-KIND", say("TEAM-LEADER-KIND", team=record[Roster.team],
                                        name=record[Roster.name], value=identity, expected=expected),
                sheet=table.sheet, cell=table.cell(Roster.identity, int(row)), row=int(row),
                column=Roster.identity, value=str(identity)))
    return findings


SHEET_RULES: dict[str, Iterable[Callable[[Table, pd.DataFrame], list[Finding]]]] = {
    Roster.Config.name: (_team_head, _leader_kind),
}


def _as_of_in_title(title: str, as_of: dt.date) -> dt.date | None:
    """The 统计截至日期 a title gives, if any (CellError for a date that cannot be)."""
    found = list(DATE_IN_TITLE.finditer(title))
    dates = [m for m in found if not RANGE_START.match(title, m.end())]
    unmarked = [m for m in dates if not OTHER_DATE_MARK.search(title[:m.start()])]
    marked = [m for m in unmarked if AS_OF_MARK.search(title[:m.start()])]
    match = next(iter(marked or unmarked), None)
    if match is not None:
        month, day = match.group(2, 3) if match.group(2) else match.group(5, 6)
        return to_date(f"{match.group(1)}-{month}-{day}")
    for start in (m for m in found if m not in dates):  # 2026年1月1日至11月30日: the start's year
        if (end := SHORT_RANGE_END.match(title, start.end())) is not None:
            return to_date(f"{start.group(1)}-{end.group(1)}-{end.group(2)}")
    months = MONTHS_IN_TITLE.search(title)
    if months is None or OTHER_DATE_MARK.search(title[:months.start()]):
        return None
    year, month = int(months.group(1)), int(months.group(2))
    if not 1 <= month <= 12:
        raise CellError("TYPE.date")
    month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
    return min(month_end, as_of)  # figures of a month not yet over: as of the run's date


def _summary_as_of(
    table: Table, frame: pd.DataFrame, as_of: dt.date,
) -> tuple[pd.DataFrame, list[Finding]]:
    """统计截至日期 may be given once in the title area; where it is nowhere, the run's date."""
    column = Summary.as_of
    if frame[column].notna().all():
        return frame, []
    findings = []
    try:
        in_title = _as_of_in_title(table.title, as_of)
    except CellError:
        in_title = None  # 2026年13月1日 in a title: as if there were none, and said so
    if in_title is not None:
        fill = pd.Timestamp(in_title)
    else:
        fill = pd.Timestamp(as_of)
        blank = [int(r) for r in frame.index[frame[column].isna()]]
        if column in table.columns:  # the column is there: the rows left blank in it
            findings.append(Finding(
                "REQUIRED", say("SUM-ASOF.blank", rows="、".join(map(str, blank)),
                                today=as_of.isoformat()),
                severity="警告", sheet=table.sheet, row=blank[0],
                cell=table.cell(column, blank[0]), column=column))
        else:
            findings.append(Finding("REQUIRED", say("SUM-ASOF", today=as_of.isoformat()),
                                    severity="警告", sheet=table.sheet, row=table.header_rows[0],
                                    column=column))
    return frame.assign(**{column: frame[column].fillna(fill)}), findings
