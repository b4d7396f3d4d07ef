"""The statistics table (驻点团队联系群众数据统计表), computed from the master, never typed.

One row per community of the config, grouped under its 驻点领导 (the roster's
驻点团队负责人, else the config's leader), with a subtotal per leader and a street total.
Subtotals and totals are recomputed from households, never summed from rounded rates.
Period: 1 January of the as-of year to the as-of date.

Issue figures (DOMAIN.md): 已办结 counts issues closed within the period; 按期办结率,
反馈率 and 满意率 are over those; 超期未办结 counts open issues past 完成时限 at the as-of date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from pipeline.config import Config
from pipeline.store import Figures, Master
from schemas import Summary, WorkLog
from schemas.choices import (
    CLOSED,
    DISSATISFIED,
    HOUSEHOLD_TYPES,
    OUTGOING_WORKERS,
    RESIDENT_TYPE,
    TEAM_ROLES,
    TEAMS,
    UNRATED,
)

COMPUTED, REPORTED, NO_DATA = "计算", "填报", "无数据"
BASIS_HEADER = "口径"
SUBTOTAL_LABEL, TOTAL_LABEL = "小计", "合计"
SPLIT_HEADER = "其中"  # over 群众(户) and 企业/工商户(户)

# The issue figures of DOMAIN.md, beside the table: Row attribute -> header.
ISSUE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("collected", WorkLog.collected), ("solved", WorkLog.solved), ("closed", "已办结"),
    ("on_time_rate", "按期办结率"), ("overdue", "超期未办结"), ("feedback_rate", "反馈率"),
    ("satisfaction", "满意率"),
)


@dataclass(frozen=True)
class Row:
    """One line of the table: a community, a leader's subtotal or the street total."""

    leader: str
    community: str
    total: int = 0           # 总户数(户)
    visited: int = 0         # 已走访户数(户)
    residents: int = 0       # 群众(户)
    businesses: int = 0      # 企业/工商户(户)
    received: int = 0        # 接待群众数(人次)
    outgoing: int = 0        # 联系外出人员(人)
    collected: int = 0       # 收集问题数
    solved: int = 0          # 现场解决数
    closed: int = 0          # 已办结
    on_time: int = 0
    fed_back: int = 0
    rated: int = 0
    dissatisfied: int = 0
    overdue: int = 0         # 超期未办结
    basis: str = COMPUTED    # 口径: 计算 / 填报 / 无数据
    note: str = ""           # internal: difference between registers and 社区汇总

    def ratio(self, name: str) -> Fraction | None:
        """A rate of the table exactly (rate, on_time_rate, feedback_rate, satisfaction);
        None where there is nothing to divide by."""
        numerator, denominator = {
            "rate": (self.visited, self.total),
            "on_time_rate": (self.on_time, self.closed),
            "feedback_rate": (self.fed_back, self.closed),
            "satisfaction": (self.rated - self.dissatisfied, self.rated),
        }[name]
        return Fraction(numerator, denominator) if denominator else None

    @property
    def rate(self) -> float | None:
        """走访率 as a fraction, or None where there are no households."""
        return _float(self.ratio("rate"))

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率: closed on or before 完成时限 / closed."""
        return _float(self.ratio("on_time_rate"))

    @property
    def feedback_rate(self) -> float | None:
        """反馈率: closed with 反馈日期 / closed."""
        return _float(self.ratio("feedback_rate"))

    @property
    def satisfaction(self) -> float | None:
        """满意率: (rated − 不满意) / rated, 未评价 not counted as rated."""
        return _float(self.ratio("satisfaction"))

    def percent(self, name: str) -> str:
        """A rate as the table prints it (`58.28%`, '—' where there is nothing to divide)."""
        return percent(self.ratio(name))

    def rounded(self, name: str) -> float | None:
        """A rate rounded as printed (0.5828 for 58.28%), for a percentage-formatted cell."""
        value = self.ratio(name)
        return None if value is None else float(_percent_decimal(value) / 100)


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


ADDITIVE = [f.name for f in fields(Row) if f.type in (int, "int")]


def add_up(rows: list[Row], leader: str, community: str) -> Row:
    """A subtotal: counts added, rates recomputed from them by the properties."""
    sums = {name: sum(getattr(r, name) for r in rows) for name in ADDITIVE}
    return Row(leader=leader, community=community, basis="", **sums)


def percent(value: Fraction | float | None) -> str:
    """58.28% — two decimals, half up as a clerk rounds; '—' where there is nothing to divide.

    Pass the exact Fraction (`Row.ratio`) where you have it: a float is binary, so a rate
    exactly half-way (1/160 = 0.625%) may land either side of the half."""
    if value is None:
        return "—"
    return f"{_percent_decimal(value)}%"


def _percent_decimal(value: Fraction | float) -> Decimal:
    """The percentage to two decimals, half up, in exact integer arithmetic."""
    hundredths = Fraction(value) * 10_000
    sign = -1 if hundredths < 0 else 1
    return Decimal(sign * math.floor(abs(hundredths) + Fraction(1, 2))).scaleb(-2)


def year_pace(as_of: dt.date) -> Fraction:
    """The share of the year gone by at the end of `as_of`: the 走访率 a community needs
    by then to visit every household by 31 December at an even pace (COVER-YEAR)."""
    start = dt.date(as_of.year, 1, 1)
    days = (dt.date(as_of.year + 1, 1, 1) - start).days
    return Fraction((as_of - start).days + 1, days)


@dataclass
class LeaderGroup:
    leader: str
    rows: list[Row]
    subtotal: Row


@dataclass
class StatisticsTable:
    street: str
    as_of: dt.date
    start: dt.date
    groups: list[LeaderGroup] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row("", ""))
    submissions: int = 0
    last_received: str | None = None

    @property
    def rows(self) -> list[Row]:
        """The community rows, in table order (no subtotals)."""
        return [r for g in self.groups for r in g.rows]

    @property
    def pace(self) -> Fraction:
        """The 走访率 needed by `as_of` to cover every household by year end."""
        return year_pace(self.as_of)


def compute_statistics(master: Master, config: Config, as_of: dt.date) -> StatisticsTable:
    """The table for 1 January of `as_of`'s year to `as_of`, from the master's current rows."""
    start = dt.date(as_of.year, 1, 1)
    figures = Figures(master, start, as_of)
    registers = _register_counts(figures)
    work = figures.work_log().set_index("community")
    issues = figures.issues(CLOSED, UNRATED, DISSATISFIED, as_of).set_index("community")
    reported = figures.latest_summaries().set_index("community")
    leaders = figures.leaders(TEAMS[0], TEAM_ROLES[0])
    with_registers = figures.with_registers()  # a 户册 alone is no register

    # a 社区汇总 beside registers is compared with the registers at its own 截至 date
    at_date: dict[str, Callable[[str], dict[str, int]]] = {as_of.isoformat(): registers}

    def registers_at(day: str) -> Callable[[str], dict[str, int]]:
        if day not in at_date:
            at_date[day] = _register_counts(Figures(master, start, dt.date.fromisoformat(day)))
        return at_date[day]

    rows = []
    for community in config.communities:
        has_registers = community in with_registers
        counts: dict[str, Any] = {
            **registers(community), **_ints(work, community, ("collected", "solved")),
            **_ints(issues, community, ("closed", "on_time", "fed_back", "rated", "dissatisfied",
                                        "overdue"))}
        row = Row(leader=leaders.get(community) or config.leader_of(community) or "",
                  community=community, **counts)
        if community in reported.index:
            summary = reported.loc[community]
            compared = registers_at(_iso(summary[SUMMARY_AS_OF]))(community) \
                if has_registers else {}
            row = _with_reported(row, summary, compared)
        elif not has_registers and row.total == 0:
            row = replace(row, basis=NO_DATA)
        rows.append(row)

    table = StatisticsTable(street=config.street, as_of=as_of, start=start)
    for leader in dict.fromkeys(r.leader for r in rows):
        members = [r for r in rows if r.leader == leader]
        table.groups.append(LeaderGroup(leader, members, add_up(members, leader, SUBTOTAL_LABEL)))
    table.total = add_up(rows, TOTAL_LABEL, "")
    table.submissions, table.last_received = figures.submissions_seen()
    return table


def _by_community_type(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for community, kind, n in frame.itertuples(index=False):
        out.setdefault(community, {})[kind] = int(n)
    return out


def _ints(frame: pd.DataFrame, community: str, names: tuple[str, ...]) -> dict[str, int]:
    if community not in frame.index:
        return {name: 0 for name in names}
    record = frame.loc[community]
    return {name: int(record[name]) if pd.notna(record[name]) else 0 for name in names}


REPORTED_FIELDS = {  # Row field -> the 社区汇总 model field (SQL column of the summary table)
    "total": "total", "visited": "visited", "residents": "residents",
    "businesses": "businesses", "received": "received", "outgoing": "outgoing",
}


def _register_counts(figures: Figures) -> Callable[[str], dict[str, int]]:
    """The register figures of `figures`' period, per community (the 社区汇总's fields)."""
    households = _by_community_type(figures.households_by_type())
    visited = _by_community_type(figures.visited_by_type(HOUSEHOLD_TYPES))
    received = figures.received()
    outgoing = figures.people_contacted(OUTGOING_WORKERS)

    def of(community: str) -> dict[str, int]:
        seen = visited.get(community, {})
        return {"total": sum(households.get(community, {}).values()),
                "visited": sum(seen.values()),
                "residents": seen.get(RESIDENT_TYPE, 0),
                "businesses": sum(n for t, n in seen.items() if t != RESIDENT_TYPE),
                "received": int(received.get(community) or 0),
                "outgoing": int(outgoing.get(community) or 0)}
    return of


def _with_reported(row: Row, reported: pd.Series, registers: dict[str, int]) -> Row:
    """No registers (`registers` empty): the 社区汇总 figures (填报). Both: computed, and
    any difference from the registers at the summary's own date noted."""
    figures: dict[str, Any] = {name: int(reported[column])
                               for name, column in REPORTED_FIELDS.items()
                               if pd.notna(reported[column])}
    if not registers:
        return replace(row, basis=REPORTED, **figures)
    headers = {spec_name: getattr(Summary, column) for spec_name, column in REPORTED_FIELDS.items()}
    diffs = [f"{headers[name]}填报{value}、计算{registers[name]}"
             for name, value in figures.items() if value != registers[name]]
    if not diffs:
        return row
    return replace(row, note=f"社区汇总（截至{_iso(reported[SUMMARY_AS_OF])}）与台账不一致："
                             + "；".join(diffs))


SUMMARY_AS_OF = "as_of"  # the SQL column of 统计截至日期


def _iso(value: object) -> str:
    return str(value)[:10] if value is not None and not pd.isna(value) else "未注明"
