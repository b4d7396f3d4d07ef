"""The supervision list (督办): every breach of a 督办 rule of shared/DOMAIN.md, as data.

`supervise(master, config, as_of)` reads the committed master and returns a
`Supervision`: one `SupervisionItem` per finding (rule ID, community, responsible
person, evidence in Chinese, and the columns a clerk needs to act), the lists that go
with them (open issues by 办理层级, roster changes), the compliance calendar
(communities × ISO weeks) and the coverage pace per community and 网格.
`pipeline.supervision_outputs` lays it out; nothing here touches a file.

Where DOMAIN.md is silent:
- ISSUE-OVERDUE at `as_of`: 临期 when not closed and 完成时限 is today or within
  `due_soon_days` days; 超期 from the day after 完成时限; 严重超期 from
  `seriously_overdue_days` days past it.
- ISSUE-FEEDBACK is 督办 when a closed issue has no 反馈日期 MORE than
  `feedback_overdue_days` days after 办结日期 (on the 15th day it is still only a 警告).
- WEEKLY-LEDGER counts ISO weeks from the week holding 1 January of the as-of year (for
  2027 that is 2026-W53) up to the last week ended before the as-of date; the week still
  running is shown in the calendar (filled, or open) but is not yet missing. Weeks count
  from the earlier of the street's first submission (any community's: the system in use)
  and the community's first 工作台账 date (for one that has never filed a 工作台账 row, its
  first visit or reception: it has been recording since), never before the year's first
  week; a community that has submitted nothing is one finding (从未提交).
- DAY-WEEKDAY, DAY-HALF and NOTICE-LEAD cover sessions from that first week on.
- TEAM-SIZE: a configured community without a current roster is not counted (its
  files are WEEKLY-LEDGER's matter). LEADER-SPAN counts the communities whose current
  roster names a person as 驻点团队负责人; a configured leader named on no roster heads 0
  once every community configured for them has a roster. Its community is the street.
- COVER-YEAR: the pace is the share of a community's (or grid's) households still to be
  visited, spread over the remaining stationing days (the configured weekday) after
  `as_of` up to 31 December, at least one.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import pandas as pd

from pipeline.config import Config, Policy
from pipeline.notices import notice_lead_breaches
from pipeline.store import Master, SupervisionFigures
from schemas import Household, Issue, Roster, Schedule, Summary, WorkLog
from schemas.choices import (
    CLOSED,
    DISSATISFIED,
    FIXED_DAY,
    IN_PROGRESS,
    ISSUE_LEVELS,
    TEAM_ROLES,
    TEAMS,
)
from schemas.rules import SEVERITY

STREET_TEAM, _SUPPORT_TEAM = TEAMS
HEAD_ROLE = TEAM_ROLES[0]
GRADE_SOON, GRADE_OVERDUE, GRADE_SERIOUS = "临期", "超期", "严重超期"
GRADES = (GRADE_SERIOUS, GRADE_OVERDUE, GRADE_SOON)  # most urgent first
NEVER_SUBMITTED, WEEK_MISSING = "从未提交", "缺报"
JOINED, LEFT, ROLE_CHANGED = "加入", "退出", "职务变更"
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

# Column labels of the supervision list that are not ledger headers.
GRADE = "等级"
OVERDUE_DAYS = "超期天数"
DAYS_LEFT = "剩余天数"
DAYS_SINCE_CLOSED = "办结后天数"
WEEK = "周次"
WEEK_SPAN = "起止日期"
WEEKDAY = "星期"
REQUIRED = "规定"
HOURS = "时长(小时)"
LEAD_GIVEN = "提前天数"
TEAM_COUNT = "驻点团队人数"
SPAN_COUNT = "负责社区数"
SPAN_LIST = "负责社区"
CHANGE = "变动"
CHANGE_DATE = "变动日期"
SOURCE_FILE = "依据文件"
HOUSEHOLDS = "户数"
VISITED = "已走访"
UNVISITED = "未走访"
WEEKS_LEFT = "剩余驻点周数"
PER_WEEK = "每周需走访(户)"
SHARE_PER_WEEK = "每周需走访比例"


@dataclass(frozen=True)
class Kind:
    """One kind of entry on the supervision list: one sheet of 督办清单.xlsx."""

    key: str
    rule: str | None          # the rule ID; None for a list that is not a breach
    title: str                # sheet name and section title
    columns: tuple[str, ...]  # the columns after 社区 and 责任人, in order


KINDS: tuple[Kind, ...] = (
    Kind("overdue", "ISSUE-OVERDUE", "问题超期",
         (Issue.issue_id, GRADE, Issue.due, OVERDUE_DAYS, DAYS_LEFT, Issue.status, Issue.level,
          Issue.handler_unit, Issue.registered, Issue.category)),
    Kind("dissatisfied", "ISSUE-DISSATISFIED", "群众不满意",
         (Issue.issue_id, Issue.closed, Issue.rating, Issue.level, Issue.handler_unit,
          Issue.category)),
    Kind("feedback", "ISSUE-FEEDBACK", "办结未反馈",
         (Issue.issue_id, Issue.closed, DAYS_SINCE_CLOSED, Issue.level, Issue.handler_unit,
          Issue.category)),
    Kind("open", None, "在办问题",
         (Issue.issue_id, Issue.level, Issue.status, Issue.handler_unit, Issue.due,
          Issue.registered, Issue.category)),
    Kind("weekly", "WEEKLY-LEDGER", "台账缺报", (WEEK, WEEK_SPAN, GRADE)),
    Kind("weekday", "DAY-WEEKDAY", "驻点日不符",
         (WorkLog.date, WEEKDAY, REQUIRED, WorkLog.kind, WorkLog.place)),
    Kind("half", "DAY-HALF", "驻点不足半天",
         (WorkLog.date, WorkLog.start, WorkLog.end, HOURS, REQUIRED, WorkLog.kind)),
    Kind("notice", "NOTICE-LEAD", "公布不及时",
         (Schedule.date, Schedule.kind, Schedule.published, LEAD_GIVEN, REQUIRED)),
    Kind("team", "TEAM-SIZE", "团队人数", (TEAM_COUNT, REQUIRED)),
    Kind("span", "LEADER-SPAN", "领导负责社区数", (SPAN_COUNT, SPAN_LIST, REQUIRED)),
    Kind("roster", None, "名册变动",
         (CHANGE_DATE, CHANGE, Roster.team, Roster.name, Roster.role, SOURCE_FILE)),
    Kind("cover", "COVER-YEAR", "走访覆盖",
         (Household.grid, HOUSEHOLDS, VISITED, UNVISITED, Summary.rate, WEEKS_LEFT, PER_WEEK,
          SHARE_PER_WEEK)),
)
KIND: dict[str, Kind] = {kind.key: kind for kind in KINDS}
SUPERVISION_RULES: tuple[str, ...] = tuple(k.rule for k in KINDS if k.rule)
assert set(SUPERVISION_RULES) <= set(SEVERITY)


@dataclass(frozen=True)
class SupervisionItem:
    """One entry of the supervision list."""

    kind: str                 # a key of KIND
    community: str            # LEADER-SPAN: the street
    responsible: str
    evidence: str             # one Chinese sentence: what is wrong, with the figures
    details: dict[str, Any] = field(default_factory=dict)  # KIND[kind].columns -> value
    grade: str = ""           # ISSUE-OVERDUE: 临期/超期/严重超期; WEEKLY-LEDGER: 缺报/从未提交

    @property
    def rule(self) -> str | None:
        return KIND[self.kind].rule


@dataclass(frozen=True)
class Coverage:
    """Households visited this year in a community (grid None) or one of its grids."""

    community: str
    grid: str | None
    total: int
    visited: int
    weeks_left: int           # stationing days after as_of up to 31 December (>= 1)
    weeks_gone: int           # stationing days from 1 January up to as_of (>= 1)

    @property
    def unvisited(self) -> int:
        return self.total - self.visited

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.visited, self.total) if self.total else None

    @property
    def share_per_week(self) -> Fraction | None:
        """The share of all households to visit each remaining week to reach 100%."""
        return Fraction(self.unvisited, self.total * self.weeks_left) if self.total else None

    @property
    def per_week(self) -> int:
        """Households to visit each remaining week to reach 100% by 31 December."""
        return math.ceil(self.unvisited / self.weeks_left)

    @property
    def pace_so_far(self) -> Fraction | None:
        """The share visited per stationing week so far this year."""
        return Fraction(self.visited, self.total * self.weeks_gone) if self.total else None

    @property
    def behind(self) -> bool:
        """The pace needed from now on is faster than the pace kept so far."""
        needed, kept = self.share_per_week, self.pace_so_far
        return needed is not None and kept is not None and needed > kept


@dataclass(frozen=True)
class Week:
    year: int                 # ISO year
    week: int                 # ISO week
    monday: dt.date

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def span(self) -> str:
        return f"{self.monday.isoformat()}至{self.sunday.isoformat()}"


CellState = Literal["filled", "missing", "offday", "before", "open"]


@dataclass(frozen=True)
class CalendarRow:
    """One community's weeks: filled / missing / offday (固定驻点日 not on the day) /
    before (the community was not yet counted)."""

    community: str
    cells: tuple[CellState, ...]  # one per Supervision.weeks


@dataclass(frozen=True)
class Supervision:
    street: str
    as_of: dt.date
    start: dt.date                               # Monday of the week holding 1 January
    communities: tuple[str, ...]                 # the config's, in order
    leaders: dict[str, str]                      # community -> its 驻点领导 (roster, else config)
    stationing_weekday: int                      # ISO weekday of the fixed stationing day
    items: tuple[SupervisionItem, ...]
    weeks: tuple[Week, ...]
    calendar: tuple[CalendarRow, ...]
    coverage: tuple[Coverage, ...]               # per community: its row, then its grids

    def of(self, kind: str) -> list[SupervisionItem]:
        return [item for item in self.items if item.kind == kind]

    def counts(self) -> dict[str, int]:
        """Findings per 督办 rule, every rule present (0 where none)."""
        found = Counter(item.rule for item in self.items if item.rule)
        return {rule: found[rule] for rule in SUPERVISION_RULES}

    def counts_by_community(self) -> dict[str, Counter[str]]:
        """community (the street for LEADER-SPAN) -> findings per rule."""
        out: dict[str, Counter[str]] = {c: Counter() for c in (*self.communities, self.street)}
        for item in self.items:
            if item.rule:
                out.setdefault(item.community, Counter())[item.rule] += 1
        return out

    def community_coverage(self) -> list[Coverage]:
        return [c for c in self.coverage if c.grid is None]


# -- the whole list ---------------------------------------------------------------------------

def supervise(master: Master, config: Config, as_of: dt.date) -> Supervision:
    """Every 督办 finding at `as_of`, from the committed master."""
    policy = config.policy
    start = first_monday(as_of.year)
    figures = SupervisionFigures(master, dt.date(as_of.year, 1, 1), as_of)
    roster = master.current(Roster.Config.name)
    heads = team_heads(roster)

    def responsible(community: str) -> str:
        return heads.get(community) or config.leader_of(community) or ""

    issues = master.current(Issue.Config.name)
    work = master.current(WorkLog.Config.name)
    weeks = iso_weeks(start, as_of)
    weekly, calendar = weekly_ledger(config.communities, work, figures.first_submissions(),
                                     weeks, policy, responsible, as_of, figures.first_records())
    coverage = coverage_rows(figures.coverage_by_grid(), config.communities, as_of, policy)
    notices = [b for b in notice_lead_breaches(master, config, as_of) if b["date"] >= start]
    items = [
        *overdue_issues(issues, policy, as_of),
        *dissatisfied_issues(issues, as_of),
        *unfed_back_issues(issues, policy, as_of),
        *open_issues(issues, as_of),
        *weekly,
        *session_breaches(work, policy, start, as_of),
        *late_notices(notices, policy, responsible),
        *team_sizes(roster, config.communities, policy, responsible),
        *leader_spans(roster, config, policy),
        *roster_changes(figures.roster_history(), config.communities, as_of, responsible),
        *cover_year(coverage, responsible),
    ]
    return Supervision(
        street=config.street, as_of=as_of, start=start, communities=config.communities,
        leaders={c: responsible(c) for c in config.communities},
        stationing_weekday=policy.stationing_weekday, items=tuple(items), weeks=tuple(weeks), calendar=tuple(calendar),
        coverage=tuple(coverage),
    )


# -- weeks and days ---------------------------------------------------------------------------

def first_monday(year: int) -> dt.date:
    """The Monday of the ISO week holding 1 January of `year` (2026-12-28 for 2027)."""
    return monday_of(dt.date(year, 1, 1))


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def iso_weeks(first: dt.date, last: dt.date) -> list[Week]:
    """The ISO weeks from the one holding `first` to the one holding `last`."""
    weeks, monday = [], monday_of(first)
    while monday <= last:
        year, number, _ = monday.isocalendar()
        weeks.append(Week(year, number, monday))
        monday += dt.timedelta(weeks=1)
    return weeks


def week_of(day: dt.date) -> tuple[int, int]:
    year, number, _ = day.isocalendar()
    return year, number


def stationing_days(first: dt.date, last: dt.date, weekday: int) -> int:
    """How many days from `first` to `last` (both included) fall on ISO `weekday`."""
    if last < first:
        return 0
    first_hit = first + dt.timedelta(days=(weekday - first.isoweekday()) % 7)
    return 0 if first_hit > last else (last - first_hit).days // 7 + 1


def day_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _date(value: Any) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _records(frame: pd.DataFrame) -> Iterable[dict[str, Any]]:
    """Each row as {header: value}, the values as itertuples gives them, but taken column
    by column (itertuples fetches a text column's values one call at a time)."""
    columns = [frame[c].to_numpy(dtype=object) for c in frame.columns]
    return (dict(zip(frame.columns, values, strict=True)) for values in zip(*columns, strict=True))


# -- 问题台账 -----------------------------------------------------------------------------------

def _issue_fields(row: dict[str, Any], kind: str, **extra: Any) -> dict[str, Any]:
    values = {Issue.issue_id: _text(row[Issue.issue_id]), Issue.due: _date(row[Issue.due]),
              Issue.status: _text(row[Issue.status]), Issue.level: _text(row[Issue.level]),
              Issue.handler_unit: _text(row[Issue.handler_unit]),
              Issue.registered: _date(row[Issue.registered]),
              Issue.category: _text(row[Issue.category]), Issue.closed: _date(row[Issue.closed]),
              Issue.rating: _text(row[Issue.rating]), **extra}
    return {column: values.get(column) for column in KIND[kind].columns}


def _as_they_stood(issues: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The issues registered by `as_of`, as they stood then: one closed after it (seen by
    a run dated back with --as-of) was still 办理中, unrated; a later 反馈日期 not yet given."""
    day = pd.Timestamp(as_of)
    rows = issues[issues[Issue.registered].isna() | (issues[Issue.registered] <= day)].copy()
    later = (rows[Issue.closed] > day).fillna(False)
    rows.loc[later, Issue.status] = IN_PROGRESS
    rows.loc[later, [Issue.closed, Issue.rating]] = None
    rows.loc[(rows[Issue.feedback] > day).fillna(False), Issue.feedback] = None
    return rows


def overdue_grade(due: dt.date, as_of: dt.date, policy: Policy) -> str | None:
    """临期 / 超期 / 严重超期 for an issue not closed, or None while it is not yet due soon."""
    past = (as_of - due).days
    if past >= policy.seriously_overdue_days:
        return GRADE_SERIOUS
    if past > 0:
        return GRADE_OVERDUE
    if -past <= policy.due_soon_days:
        return GRADE_SOON
    return None


def _open_at(issues: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The issues registered and not yet closed at `as_of` (an issue closed after it, seen
    by a run dated back with --as-of, was still open then)."""
    rows = _as_they_stood(issues, as_of)
    return rows[~(rows[Issue.status] == CLOSED).fillna(False)]


def overdue_issues(issues: pd.DataFrame, policy: Policy, as_of: dt.date) -> list[SupervisionItem]:
    """ISSUE-OVERDUE: open issues due soon or past 完成时限, most overdue first."""
    items = []
    open_ = _open_at(issues, as_of)
    open_ = open_[open_[Issue.due].notna()]
    for row in _records(open_):
        due = _date(row[Issue.due])
        assert due is not None
        grade = overdue_grade(due, as_of, policy)
        if grade is None:
            continue
        past = (as_of - due).days
        owner = _text(row[Issue.owner])
        issue_id = _text(row[Issue.issue_id])
        if past > 0:
            evidence = (f"问题{issue_id}完成时限{day_text(due)}，已超期{past}天"
                        f"（{_text(row[Issue.status])}，{_text(row[Issue.level])}办理）")
        else:
            evidence = (f"问题{issue_id}完成时限{day_text(due)}，"
                        + ("今天到期" if past == 0 else f"还有{-past}天到期")
                        + f"（{_text(row[Issue.status])}）")
        items.append(SupervisionItem(
            "overdue", _text(row[Issue.community]), owner, evidence,
            _issue_fields(row, "overdue", **{GRADE: grade,
                                             OVERDUE_DAYS: past if past > 0 else None,
                                             DAYS_LEFT: -past if past <= 0 else None}),
            grade=grade))
    items.sort(key=lambda i: (i.details[Issue.due], i.community, i.details[Issue.issue_id]))
    return items


def dissatisfied_issues(issues: pd.DataFrame, as_of: dt.date) -> list[SupervisionItem]:
    """ISSUE-DISSATISFIED: closed issues rated 不满意, to go back for re-handling (重办)."""
    rows = _as_they_stood(issues, as_of)
    rows = rows[(rows[Issue.status] == CLOSED).fillna(False)
                & (rows[Issue.rating] == DISSATISFIED).fillna(False)]
    items = []
    for row in _records(rows):
        issue_id, closed = _text(row[Issue.issue_id]), _date(row[Issue.closed])
        when = day_text(closed) if closed else "未填办结日期"
        items.append(SupervisionItem(
            "dissatisfied", _text(row[Issue.community]), _text(row[Issue.owner]),
            f"问题{issue_id}于{when}办结，群众评价“{DISSATISFIED}”，应重新办理（重办）",
            _issue_fields(row, "dissatisfied")))
    return sorted(items, key=lambda i: (i.community, i.details[Issue.issue_id]))


def unfed_back_issues(issues: pd.DataFrame, policy: Policy,
                      as_of: dt.date) -> list[SupervisionItem]:
    """ISSUE-FEEDBACK as 督办: closed `feedback_overdue_days` (15) or more days ago and no
    反馈日期 (DOMAIN: 督办 when 15 days past 办结日期, as ISSUE-OVERDUE's 5+ days past)."""
    rows = _as_they_stood(issues, as_of)
    limit = pd.Timestamp(as_of - dt.timedelta(days=policy.feedback_overdue_days))
    rows = rows[(rows[Issue.status] == CLOSED).fillna(False) & rows[Issue.feedback].isna()
                & (rows[Issue.closed] <= limit).fillna(False)]
    items = []
    for row in _records(rows):
        closed = _date(row[Issue.closed])
        assert closed is not None
        days = (as_of - closed).days
        issue_id = _text(row[Issue.issue_id])
        items.append(SupervisionItem(
            "feedback", _text(row[Issue.community]), _text(row[Issue.owner]),
            f"问题{issue_id}于{day_text(closed)}办结，{days}天未向群众反馈结果"
            f"（办结满{policy.feedback_overdue_days}天仍未反馈即列入督办）",
            _issue_fields(row, "feedback", **{DAYS_SINCE_CLOSED: days})))
    return sorted(items, key=lambda i: (-i.details[DAYS_SINCE_CLOSED], i.community))


def open_issues(issues: pd.DataFrame, as_of: dt.date) -> list[SupervisionItem]:
    """Every issue not closed, by 办理层级 (drawn up the escalation order), with its holder."""
    rows = _open_at(issues, as_of)
    items = []
    for row in _records(rows):
        level, unit = _text(row[Issue.level]), _text(row[Issue.handler_unit])
        owner, due = _text(row[Issue.owner]), _date(row[Issue.due])
        holder = f"{owner}（{unit}）" if unit else owner
        items.append(SupervisionItem(
            "open", _text(row[Issue.community]), owner,
            f"{level}层级{_text(row[Issue.status])}，由{holder}办理"
            + (f"，完成时限{day_text(due)}" if due else ""),
            _issue_fields(row, "open")))
    order = {level: i for i, level in enumerate(ISSUE_LEVELS)}
    return sorted(items, key=lambda i: (-order.get(i.details[Issue.level], -1), i.community,
                                        i.details[Issue.due] or dt.date.max))


# -- 工作台账 -----------------------------------------------------------------------------------

def weekly_ledger(communities: tuple[str, ...], work: pd.DataFrame,
                  first_submission: dict[str, str], weeks: list[Week], policy: Policy,
                  responsible: Callable[[str], str], as_of: dt.date,
                  first_records: dict[str, str] | None = None,
                  ) -> tuple[list[SupervisionItem], list[CalendarRow]]:
    """WEEKLY-LEDGER findings and the compliance calendar, one row per community;
    `first_records`: each community's earliest visit or reception, its start when it has
    never filed a 工作台账 row."""
    items: list[SupervisionItem] = []
    calendar: list[CalendarRow] = []
    due = [week for week in weeks if week.sunday < as_of]  # a week is due once it is over
    if not weeks:
        return items, calendar
    running = {(week.year, week.week) for week in weeks[len(due):]}
    # the street's first file: from then on every community files every week (one that
    # sends a roster today has missed the weeks since, as one that sent nothing has)
    street_began = min((dt.date.fromisoformat(day[:10]) for day in first_submission.values()),
                       default=weeks[-1].monday)
    year_first = weeks[0].monday
    for community in communities:
        rows = work[work[WorkLog.community] == community]
        dates = [d for d in (_date(v) for v in rows[WorkLog.date]) if d is not None]
        fixed = rows[WorkLog.kind] == FIXED_DAY
        off_days = {week_of(d) for d in (_date(v) for v in rows.loc[fixed, WorkLog.date])
                    if d is not None and d.isoweekday() != policy.stationing_weekday}
        filled = {week_of(d) for d in dates}
        if community not in first_submission:
            calendar.append(CalendarRow(community, tuple(
                "open" if (week.year, week.week) in running else "missing" for week in weeks)))
            if due:
                items.append(SupervisionItem(
                    "weekly", community, responsible(community),
                    f"{community}社区至今未提交过任何台账（本年应填报{len(due)}周工作台账）",
                    {WEEK: f"{due[0].label}至{due[-1].label}",
                     WEEK_SPAN: f"{due[0].monday.isoformat()}至{due[-1].sunday.isoformat()}",
                     GRADE: NEVER_SUBMITTED},
                    grade=NEVER_SUBMITTED))
            continue
        # one that has never filed a 工作台账 row is judged from its first record of any kind
        recorded = None if dates else (first_records or {}).get(community)
        began = min([street_began, *dates,
                     *([dt.date.fromisoformat(recorded[:10])] if recorded else [])])
        counted_from = max(year_first, monday_of(began))
        cells: list[CellState] = []
        for week in weeks:
            key = (week.year, week.week)
            if week.monday < counted_from:
                cells.append("before")
            elif key not in filled and key in running:
                cells.append("open")
            elif key not in filled:
                cells.append("missing")
                items.append(SupervisionItem(
                    "weekly", community, responsible(community),
                    f"{community}社区{week.label}（{week.span}）没有工作台账记录",
                    {WEEK: week.label, WEEK_SPAN: week.span, GRADE: WEEK_MISSING},
                    grade=WEEK_MISSING))
            else:
                cells.append("offday" if key in off_days else "filled")
        calendar.append(CalendarRow(community, tuple(cells)))
    return items, calendar


_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})")


def minutes(text: Any) -> int | None:
    """'08:30' -> 510; None when it is not a time."""
    match = _TIME.match(_text(text))
    return int(match[1]) * 60 + int(match[2]) if match else None


def session_breaches(work: pd.DataFrame, policy: Policy, start: dt.date,
                     as_of: dt.date) -> list[SupervisionItem]:
    """DAY-WEEKDAY (固定驻点日 off the configured weekday) and DAY-HALF (shorter than
    `min_stationing_hours`) for the sessions from `start` to `as_of`."""
    rows = work[(work[WorkLog.date] >= pd.Timestamp(start))
                & (work[WorkLog.date] <= pd.Timestamp(as_of))].sort_values(
        [WorkLog.date, WorkLog.community], kind="stable")
    weekday_name = WEEKDAYS[policy.stationing_weekday - 1]
    least = round(policy.min_stationing_hours * 60)
    items = []
    for row in _records(rows):
        day = _date(row[WorkLog.date])
        assert day is not None
        community, leader = _text(row[WorkLog.community]), _text(row[WorkLog.leader])
        kind, place = _text(row[WorkLog.kind]), _text(row[WorkLog.place])
        if kind == FIXED_DAY and day.isoweekday() != policy.stationing_weekday:
            held = WEEKDAYS[day.isoweekday() - 1]
            items.append(SupervisionItem(
                "weekday", community, leader,
                f"{day_text(day)}（{held}）的{FIXED_DAY}不在规定的{weekday_name}",
                {WorkLog.date: day, WEEKDAY: held, REQUIRED: weekday_name, WorkLog.kind: kind,
                 WorkLog.place: place}))
        begin, end = minutes(row[WorkLog.start]), minutes(row[WorkLog.end])
        if begin is None or end is None or end - begin >= least:
            continue
        hours = round((end - begin) / 60, 2)
        items.append(SupervisionItem(
            "half", community, leader,
            f"{day_text(day)}驻点{_text(row[WorkLog.start])}至{_text(row[WorkLog.end])}，"
            f"共{hours:g}小时，不足半天（{policy.min_stationing_hours:g}小时）",
            {WorkLog.date: day, WorkLog.start: _text(row[WorkLog.start]),
             WorkLog.end: _text(row[WorkLog.end]), HOURS: hours,
             REQUIRED: f"不少于{policy.min_stationing_hours:g}小时", WorkLog.kind: kind}))
    return items


# -- 驻点安排 -----------------------------------------------------------------------------------

def late_notices(breaches: list[dict[str, Any]], policy: Policy,
                 responsible: Callable[[str], str]) -> list[SupervisionItem]:
    """NOTICE-LEAD, from `pipeline.notices.notice_lead_breaches`."""
    return [SupervisionItem(
        "notice", b["community"], responsible(b["community"]), b["message"],
        {Schedule.date: b["date"], Schedule.kind: b["kind"], Schedule.published: b["published"],
         LEAD_GIVEN: b["lead_days"], REQUIRED: f"至少提前{b['required_days']}天"})
        for b in breaches]


# -- 团队名册 -----------------------------------------------------------------------------------

def team_heads(roster: pd.DataFrame) -> dict[str, str]:
    """community -> the 驻点团队负责人 of its current roster."""
    heads = roster[(roster[Roster.team] == STREET_TEAM) & (roster[Roster.role] == HEAD_ROLE)]
    return {_text(c): _text(n) for c, n in zip(heads[Roster.community], heads[Roster.name],
                                                  strict=True)}


def team_sizes(roster: pd.DataFrame, communities: tuple[str, ...], policy: Policy,
               responsible: Callable[[str], str]) -> list[SupervisionItem]:
    """TEAM-SIZE: a 驻点团队 outside `team_size_min`–`team_size_max` people."""
    street = roster[roster[Roster.team] == STREET_TEAM]
    sizes = street.groupby(Roster.community)[Roster.name].nunique().to_dict()
    with_roster = set(roster[Roster.community].dropna())
    required = f"{policy.team_size_min}至{policy.team_size_max}人"
    items = []
    for community in communities:
        size = int(sizes.get(community, 0))
        if policy.team_size_min <= size <= policy.team_size_max or community not in with_roster:
            continue  # no roster yet: nothing to count (WEEKLY-LEDGER asks for its files)
        if community not in sizes:
            evidence = f"{community}社区的团队名册中没有驻点团队成员（应为{required}）"
        else:
            side = "少于" if size < policy.team_size_min else "多于"
            limit = policy.team_size_min if size < policy.team_size_min else policy.team_size_max
            evidence = f"{community}社区驻点团队现有{size}人，{side}规定的{limit}人"
        items.append(SupervisionItem("team", community, responsible(community), evidence,
                                     {TEAM_COUNT: size, REQUIRED: required}))
    return items


def leader_spans(roster: pd.DataFrame, config: Config, policy: Policy) -> list[SupervisionItem]:
    """LEADER-SPAN: a street leader heading fewer or more communities than the policy allows
    (a configured leader on no roster heads none, once every community configured for
    them has a roster: until then it is not known)."""
    heads = team_heads(roster)
    with_roster = set(roster[Roster.community].dropna())
    led: dict[str, list[str]] = {lead.name: [] for lead in config.leaders
                                 if set(lead.communities) <= with_roster}
    order = {c: i for i, c in enumerate(config.communities)}
    for community in sorted(heads, key=lambda c: (order.get(c, len(order)), c)):
        led.setdefault(heads[community], []).append(community)
    low, high = policy.communities_per_leader_min, policy.communities_per_leader_max
    required = f"{low}至{high}个社区"
    items = []
    for leader, communities in led.items():
        if low <= len(communities) <= high:
            continue
        listed = "、".join(communities)
        evidence = (f"{leader}不是任何社区的驻点团队负责人（应负责{required}）" if not communities
                    else f"{leader}同时担任{len(communities)}个社区（{listed}）的驻点团队负责人，"
                         f"超过{high}个")
        items.append(SupervisionItem("span", config.street, leader, evidence,
                                     {SPAN_COUNT: len(communities), SPAN_LIST: listed,
                                      REQUIRED: required}))
    return items


def roster_changes(history: pd.DataFrame, communities: tuple[str, ...], as_of: dt.date,
                   responsible: Callable[[str], str]) -> list[SupervisionItem]:
    """Who joined or left a team, or changed post, this year: each accepted roster of a
    community against the one before it. The date is the run that received it."""
    items = []
    first = dt.date(as_of.year, 1, 1).isoformat()
    for community, rows in history.groupby("community", sort=False):
        previous: dict[tuple[str, str], str] | None = None
        for _, snapshot in rows.groupby("submission_id", sort=True):
            members = {(str(t), str(n)): str(r) for t, n, r in
                       zip(snapshot["team"], snapshot["name"], snapshot["role"], strict=True)}
            run_as_of = str(snapshot["run_as_of"].iloc[0])[:10]
            file_name = str(snapshot["file_name"].iloc[0])
            if previous is not None and first <= run_as_of <= as_of.isoformat():
                day = dt.date.fromisoformat(run_as_of)
                changes = [(JOINED, key, members[key]) for key in members if key not in previous]
                changes += [(LEFT, key, previous[key]) for key in previous if key not in members]
                changes += [(ROLE_CHANGED, key, members[key]) for key in members
                            if key in previous and previous[key] != members[key]]
                for change, (team, name), role in changes:
                    what = (f"在{team}由{previous[(team, name)]}改任{role}"
                            if change == ROLE_CHANGED else f"{change}{team}（{role}）")
                    items.append(SupervisionItem(
                        "roster", str(community), responsible(str(community)),
                        f"{name}于{day_text(day)}{what}，依据{file_name}",
                        {CHANGE_DATE: day, CHANGE: change, Roster.team: team, Roster.name: name,
                         Roster.role: role, SOURCE_FILE: file_name}))
            previous = members
    order = {c: i for i, c in enumerate(communities)}
    changes_order = {JOINED: 0, LEFT: 1, ROLE_CHANGED: 2}
    return sorted(items, key=lambda i: (order.get(i.community, len(order)), i.community,
                                        i.details[CHANGE_DATE], changes_order[i.details[CHANGE]]))


# -- 户册 × 走访登记 ------------------------------------------------------------------------------

def _natural(text: str) -> tuple[Any, ...]:
    """'第10网格' after '第9网格'."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def household_order(household: tuple[Any, ...]) -> tuple[Any, ...]:
    """An unvisited household (户编号, 网格, 类型) by 网格 as people count them, then 户编号
    (SQLite orders '第10网格' before '第1网格')."""
    return _natural(household[1] or ""), _natural(household[0] or "")


def coverage_rows(by_grid: pd.DataFrame, communities: tuple[str, ...], as_of: dt.date,
                  policy: Policy) -> list[Coverage]:
    """Per community of the config (then each of its grids): households and visited."""
    weekday = policy.stationing_weekday
    left = max(1, stationing_days(as_of + dt.timedelta(days=1), dt.date(as_of.year, 12, 31),
                                  weekday))
    gone = max(1, stationing_days(dt.date(as_of.year, 1, 1), as_of, weekday))
    out = []
    for community in communities:
        grids = by_grid[by_grid["community"] == community]
        out.append(Coverage(community, None, int(grids["total"].sum()),
                            int(grids["visited"].sum()), left, gone))
        ordered = sorted(_records(grids), key=lambda g: _natural(str(g["grid"])))
        out.extend(Coverage(community, str(g["grid"]), int(g["total"]), int(g["visited"]),
                            left, gone) for g in ordered)
    return out


def percent_text(value: Fraction | None) -> str:
    """7.25% (two decimals, half up); '—' where there is nothing to divide."""
    if value is None:
        return "—"
    hundredths = math.floor(value * 10_000 + Fraction(1, 2))
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def _grid_text(grid: str) -> str:
    """A 网格 as a sentence names it: 第3网格 typed as 3 must not run into a count."""
    word = Household.grid  # the header is the word: 网格
    return f"第{grid}{word}" if grid.isdigit() else grid if word in grid else f"{grid}{word}"


def cover_year(coverage: list[Coverage],
               responsible: Callable[[str], str]) -> list[SupervisionItem]:
    """COVER-YEAR: each grid with households not yet visited this year, with the pace."""
    items = []
    for row in coverage:
        if row.grid is None or row.unvisited <= 0:
            continue
        items.append(SupervisionItem(
            "cover", row.community, responsible(row.community),
            f"{row.community}社区{_grid_text(row.grid)}共{row.total}户，已走访{row.visited}户，"
            f"还有{row.unvisited}户未走访；今后{row.weeks_left}个驻点周每周需走访{row.per_week}户"
            f"（{percent_text(row.share_per_week)}）才能在年底前全部走访",
            {Household.grid: row.grid, HOUSEHOLDS: row.total, VISITED: row.visited,
             UNVISITED: row.unvisited, Summary.rate: float(row.rate or 0),
             WEEKS_LEFT: row.weeks_left, PER_WEEK: row.per_week,
             SHARE_PER_WEEK: float(row.share_per_week or 0)}))
    return items
