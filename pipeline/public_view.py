"""The privacy boundary: the part of the master that may be published, as of a date.

`build_public_view(master, config, as_of)` is the only code of the public notices that
reads the master. It keeps, of the ledgers it needs, only the columns the schemas mark
public, as the small dataclasses below: each names its source ledger (`SOURCE`), and
its field names are that ledger's schema field names. A dataclass field that is not a
public column of its ledger stops the import (`PrivateFieldError`), so a resident's
name, phone, address or free text cannot be added to the view by mistake.

What the view holds, at `as_of` (DOMAIN.md "The public notice"):
- every 驻点安排 announcement whose 发布日期 is on or before `as_of` (a notice exists
  from its 发布日期 on), grouped per 社区 + 驻点日期: the newest announcement is in
  force, the earlier ones are its change history;
- the current 团队名册 of each community;
- the current 问题台账 rows registered on or before `as_of`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

import pandas as pd
import pandera.pandas as pa

from pipeline.config import Config
from pipeline.store import Master
from schemas import Issue, Roster, Schedule, field_specs
from schemas.choices import IN_PROGRESS, SCHEDULE_CHANGES, SCHEDULE_KINDS, TEAM_ROLES, TEAMS

REGULAR, CHANGED, CANCELLED = SCHEDULE_KINDS


class PrivateFieldError(TypeError):
    """A view dataclass names a column its ledger does not mark public."""


@dataclass(frozen=True)
class Announcement:
    """One 驻点安排 row as it was announced."""

    SOURCE: ClassVar[type[pa.DataFrameModel]] = Schedule

    community: str
    date: dt.date
    start: str
    end: str
    place: str
    leader: str
    phone: str
    published: dt.date
    kind: str                 # 常规 / 变更 / 取消
    reason: str | None        # 变更说明

    @property
    def is_change(self) -> bool:
        return self.kind in SCHEDULE_CHANGES

    @property
    def cancelled(self) -> bool:
        return self.kind == CANCELLED

    def lead_days(self) -> int:
        """Days of notice given: 驻点日期 − 发布日期 (0 = announced on the day)."""
        return (self.date - self.published).days


@dataclass(frozen=True)
class TeamMember:
    """One person of a community's 团队名册 (name, post and official phone are public)."""

    SOURCE: ClassVar[type[pa.DataFrameModel]] = Roster

    community: str
    team: str                 # 驻点团队 / 辅助团队
    name: str
    role: str                 # 负责人 / 联络员 / 成员
    post: str                 # 单位及职务
    phone: str                # official number


@dataclass(frozen=True)
class IssueResult:
    """How one issue is being handled: category, level, status, dates and 公开摘要 only."""

    SOURCE: ClassVar[type[pa.DataFrameModel]] = Issue

    community: str
    category: str
    level: str
    status: str
    registered: dt.date
    due: dt.date
    closed: dt.date | None
    feedback: dt.date | None
    public_summary: str | None


@dataclass(frozen=True)
class Session:
    """One 社区 + 驻点日期 as residents see it at `as_of`: `current` is the newest visible
    announcement, `earlier` the ones it replaced, oldest first."""

    current: Announcement
    earlier: tuple[Announcement, ...] = ()

    @property
    def community(self) -> str:
        return self.current.community

    @property
    def date(self) -> dt.date:
        return self.current.date

    @property
    def announcements(self) -> tuple[Announcement, ...]:
        """Every visible announcement of this session, oldest first."""
        return (*self.earlier, self.current)


@dataclass(frozen=True)
class PublicView:
    """Everything the public notices may show, as of `as_of`."""

    street: str
    district: str
    as_of: dt.date
    stationing_weekday: int                 # ISO weekday (policy)
    communities: tuple[str, ...]            # the config's, in its order
    leaders: dict[str, str] = field(default_factory=dict)  # community -> 驻点领导 (roster, else config)
    sessions: tuple[Session, ...] = ()      # by 驻点日期, then community order
    members: tuple[TeamMember, ...] = ()
    issues: tuple[IssueResult, ...] = ()    # newest 登记日期 first

    # One page per community: each list is grouped once, not scanned per community.
    def sessions_of(self, community: str) -> list[Session]:
        return self._sessions_by.get(community, [])

    def members_of(self, community: str) -> list[TeamMember]:
        return self._members_by.get(community, [])

    def issues_of(self, community: str) -> list[IssueResult]:
        return self._issues_by.get(community, [])

    @functools.cached_property
    def _sessions_by(self) -> dict[str, list[Session]]:
        return _by_community(self.sessions)

    @functools.cached_property
    def _members_by(self) -> dict[str, list[TeamMember]]:
        return _by_community(self.members)

    @functools.cached_property
    def _issues_by(self) -> dict[str, list[IssueResult]]:
        return _by_community(self.issues)


G = TypeVar("G", Session, TeamMember, IssueResult)


def _by_community(items: Iterable[G]) -> dict[str, list[G]]:
    """`items` grouped by their community, each group in the order given."""
    grouped: dict[str, list[G]] = defaultdict(list)
    for item in items:
        grouped[item.community].append(item)
    return dict(grouped)


VIEW_TYPES: tuple[type, ...] = (Announcement, TeamMember, IssueResult)
T = TypeVar("T", Announcement, TeamMember, IssueResult)


def view_fields(cls: Any) -> dict[str, str]:
    """Dataclass field -> the Chinese header it is read from; every one must be public."""
    public = {spec.name: spec.header for spec in field_specs(cls.SOURCE) if spec.public}
    names = [f.name for f in fields(cls)]
    private = [name for name in names if name not in public]
    if private:
        raise PrivateFieldError(f"{cls.__name__}: {private} are not public columns of "
                                f"{cls.SOURCE.Config.name}")
    return {name: public[name] for name in names}


for _cls in VIEW_TYPES:  # privacy by construction: checked when the module is imported
    view_fields(_cls)


def build_public_view(master: Master, config: Config, as_of: dt.date) -> PublicView:
    """The public view of `master` at `as_of`, for the communities of `config`."""
    known = set(config.communities)
    order = {name: i for i, name in enumerate(config.communities)}
    sessions = [s for s in group_sessions(announcements(master, as_of)) if s.community in known]
    sessions.sort(key=lambda s: (s.date, order[s.community]))
    members = [m for m in _records(master.current(Roster.Config.name), TeamMember)
               if m.community in known]
    # 驻点领导 is the 驻点团队负责人 on the roster (DOMAIN), the config's leader until one is sent
    heads = {m.community: m.name for m in members if (m.team, m.role) == (TEAMS[0], TEAM_ROLES[0])}
    issues = [_as_it_stood(i, as_of) for i in _records(master.current(Issue.Config.name),
                                                       IssueResult)
              if i.community in known and i.registered <= as_of]
    issues.sort(key=lambda i: i.registered, reverse=True)
    return PublicView(
        street=config.street, district=config.district, as_of=as_of,
        stationing_weekday=config.policy.stationing_weekday, communities=config.communities,
        leaders={c: leader for c in config.communities
                 if (leader := heads.get(c) or config.leader_of(c))},
        sessions=tuple(sessions), members=tuple(members), issues=tuple(issues),
    )


def _as_it_stood(issue: IssueResult, as_of: dt.date) -> IssueResult:
    """An issue as it stood at `as_of`: one closed after it (a run dated back) was not
    closed then, and no page shows a date still to come."""
    if issue.closed is not None and issue.closed > as_of:
        issue = dataclasses.replace(issue, status=IN_PROGRESS, closed=None)
    if issue.feedback is not None and issue.feedback > as_of:
        issue = dataclasses.replace(issue, feedback=None)
    return issue


def current_announcements(master: Master) -> list[Announcement]:
    """The standing row of each session (社区 + 驻点日期): the last one sent, whatever
    its 发布日期."""
    return _records(master.current(Schedule.Config.name), Announcement)


def announcements(master: Master, as_of: dt.date) -> list[Announcement]:
    """Every schedule announcement published on or before `as_of`, oldest first.

    The master keeps every accepted row; a resubmitted announcement (same 社区, 驻点日期
    and 发布日期) counts once, as last submitted.
    """
    latest: dict[tuple[str, dt.date, dt.date], Announcement] = {}
    for item in _records(master.history(Schedule.Config.name), Announcement):
        latest[(item.community, item.date, item.published)] = item
    visible = [a for a in latest.values() if a.published <= as_of]
    return sorted(visible, key=lambda a: (a.published, a.community, a.date))


def group_sessions(items: Iterable[Announcement]) -> list[Session]:
    """Per 社区 + 驻点日期: the newest announcement by 发布日期 is current."""
    grouped: dict[tuple[str, dt.date], list[Announcement]] = {}
    for item in items:
        grouped.setdefault((item.community, item.date), []).append(item)
    sessions = []
    for group in grouped.values():
        group.sort(key=lambda a: a.published)
        sessions.append(Session(current=group[-1], earlier=tuple(group[:-1])))
    return sessions


def _records(frame: pd.DataFrame, cls: type[T]) -> list[T]:
    """The rows of `frame` as `cls`, reading only the public columns `cls` names."""
    columns = view_fields(cls)
    kinds = {spec.name: spec.kind for spec in field_specs(cls.SOURCE)}
    names = list(columns)
    rows = frame[[columns[name] for name in names]].itertuples(index=False, name=None)
    return [cls(**{name: _plain(value, kinds[name])
                   for name, value in zip(names, values, strict=True)})
            for values in rows]


def _plain(value: Any, kind: str) -> Any:
    """A master value as plain Python: None for missing, `date` for dates, else text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "date":
        return pd.Timestamp(value).date()
    return str(value)
