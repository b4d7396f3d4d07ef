"""The public notices (全公开): the street's notice board, each community's page and 联系卡.

Pages are rendered from `pipeline.public_view` alone, so no resident's data can reach
them; every value is escaped by the one Jinja environment. Each page has a small
context dataclass built by a pure function (`index_page`, `community_page`,
`card_page`) and one template. `write_notices` writes them under `outbox/public/`:

    index.html               this week's and the next weeks' sessions, recent changes
    <社区>/index.html         next sessions, changes, team, issue results
    <社区>/联系卡.html         the 驻点联系卡, four cut-out cards on one A4 sheet

NOTICE-LEAD (schedules and every change announced `policy.notice_lead_days` ahead)
lives here too: a late notice is still published, since residents need it, and
`notice_lead_breaches` lists it for the internal supervision list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pipeline.atomic import AtomicBatch, joined
from pipeline.config import Config
from pipeline.fielddoc import FIELD_DOC_NAME
from pipeline.html import render
from pipeline.public_view import (
    CANCELLED,
    CHANGED,
    REGULAR,
    Announcement,
    IssueResult,
    PublicView,
    Session,
    TeamMember,
    announcements,
    build_public_view,
    current_announcements,
)
from pipeline.store import Master
from pipeline.workspace import Workspace
from schemas.choices import CLOSED, ISSUE_STATUSES, TEAM_ROLES, TEAMS

if TYPE_CHECKING:
    from pipeline.statistics_outputs import StatisticsPage

NOTICE_LEAD = "NOTICE-LEAD"
INDEX_NAME = "index.html"
CARD_NAME = "联系卡.html"
STATISTICS_NAME = "statistics.html"  # written by pipeline.statistics

NOTICE_WEEKS = 3        # the street board shows this week and the next two
NEXT_SESSIONS = 8       # a community page shows at most this many coming sessions
RECENT_DAYS = 14        # a change stays on the boards this long after it was announced
CARDS_PER_SHEET = 4     # 联系卡 per A4 sheet (2 × 2)

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
WEEKDAY_DIGITS = "一二三四五六日"
STATUS = {  # 安排类型 -> (label, badge class)
    REGULAR: ("按计划", "ok"),
    CHANGED: ("有变更", "warning"),
    CANCELLED: ("已取消", "error"),
}
ISSUE_BADGES = {CLOSED: "ok", "延期": "warning", "重办": "warning"}  # others: "info"
TAKE_PART = ("驻点时间内，街道领导和驻点团队在驻点地点现场接待，居民可直接前往，当面反映问题、"
             "提出意见建议，不需要预约。不方便到场的，可拨打下面的电话，或联系社区联络员代为反映。")
NO_SUMMARY = "（公开摘要审核后公布）"


# -- the context objects of the templates --------------------------------------------------

@dataclass(frozen=True)
class SessionItem:
    """One stationing session as a notice shows it."""

    community: str
    href: str                 # the community's page, relative to the page showing the item
    day: str                  # 12月8日
    weekday: str              # 星期二
    time: str                 # 08:30–12:00
    place: str
    leader: str
    phone: str
    tel: str
    status: str               # 按计划 / 有变更 / 已取消
    badge: str                # css class of the status
    cancelled: bool
    reason: str | None        # 变更说明 of a change or cancellation
    was: str | None           # the arrangement it replaced
    announced: str            # 发布日期 of the announcement in force


@dataclass(frozen=True)
class ChangeItem:
    """One announced change or cancellation, with the arrangement it replaced."""

    community: str
    href: str
    day: str
    weekday: str
    kind: str                 # 变更 / 取消
    badge: str
    cancelled: bool
    reason: str
    was: str | None           # the arrangement before, when one was announced
    now: str                  # the new arrangement, or that the session is cancelled
    announced: str
    replaced_on: str | None = None  # a later notice replaced this one: its date


@dataclass(frozen=True)
class DayGroup:
    day: str
    weekday: str
    sessions: tuple[SessionItem, ...]


@dataclass(frozen=True)
class WeekGroup:
    label: str                # 本周 / 下周 / 12月14日起的一周
    span: str
    days: tuple[DayGroup, ...]
    held: int = 0             # this week's sessions already over (before the as-of date)


@dataclass(frozen=True)
class CommunityLink:
    name: str
    href: str
    card_href: str
    leader: str
    next_session: str


@dataclass(frozen=True)
class IndexPage:
    """The context of templates/notice_index.html (the street's notice board)."""

    title: str
    street: str
    intro: str
    generated: str
    weeks: tuple[WeekGroup, ...]
    changes: tuple[ChangeItem, ...]
    communities: tuple[CommunityLink, ...]
    statistics_href: str
    fields_href: str
    statistics: StatisticsPage | None = None  # the table itself, on the board


@dataclass(frozen=True)
class MemberItem:
    name: str
    role: str
    post: str
    phone: str
    tel: str                  # the phone as a tel: link


@dataclass(frozen=True)
class TeamGroup:
    name: str                 # 驻点团队 / 辅助团队
    note: str
    members: tuple[MemberItem, ...]


@dataclass(frozen=True)
class IssueItem:
    category: str
    status: str
    badge: str
    level: str
    registered: str
    due: str
    closed: str | None
    feedback: str | None
    summary: str
    has_summary: bool


@dataclass(frozen=True)
class CommunityPage:
    """The context of templates/notice_community.html."""

    title: str
    street: str
    community: str
    regular: str              # 每周二 08:30–12:00，龙导社区党群服务中心 (or a fallback)
    take_part: str
    generated: str
    sessions: tuple[SessionItem, ...]
    changes: tuple[ChangeItem, ...]
    teams: tuple[TeamGroup, ...]
    issues: tuple[IssueItem, ...]
    issue_counts: tuple[tuple[str, int], ...]   # (办理状态, count), in the schema's order
    card_href: str
    index_href: str
    statistics_href: str


@dataclass(frozen=True)
class ContactLine:
    label: str                # 驻点团队联络员 …
    name: str
    phone: str
    tel: str


@dataclass(frozen=True)
class ContactCard:
    """One 驻点联系卡: team, stationing day and place, leader and liaison phones."""

    title: str
    street: str
    community: str
    day: str                  # 每周二
    time: str | None
    place: str | None
    leader: ContactLine | None
    contacts: tuple[ContactLine, ...]
    street_team: tuple[str, ...]   # names
    support_team: tuple[str, ...]


@dataclass(frozen=True)
class CardSheetPage:
    """The context of templates/contact_card.html: `copies` identical cards to cut out."""

    title: str
    card: ContactCard
    copies: int
    generated: str
    index_href: str


# -- formatting ----------------------------------------------------------------------------

def weekday_text(day: dt.date) -> str:
    return WEEKDAYS[day.weekday()]


def day_text(day: dt.date, as_of: dt.date) -> str:
    """`12月8日`, with the year when it is not the year of `as_of`."""
    text = f"{day.month}月{day.day}日"
    return text if day.year == as_of.year else f"{day.year}年{text}"


def full_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def time_text(item: Announcement) -> str:
    return f"{item.start}–{item.end}"


def arrangement(item: Announcement) -> str:
    return f"{time_text(item)}，{item.place}，带队领导{item.leader}"


def tel(phone: str) -> str:
    """A phone's dialling link; an extension (020-84203655-801, as stored) after a pause,
    so that a phone dials the number, waits, then the extension."""
    number, _, extension = phone.partition("转") if "转" in phone else (phone, "", "")
    if not extension and (grouped := re.fullmatch(r"(0\d{2,3}-\d{7,8})-(\d{1,5})", phone)):
        number, extension = grouped.groups()
    digits = "".join(c for c in number if c.isdigit() or c in "+-")
    return f"tel:{digits},{extension}" if extension else f"tel:{digits}"


def community_href(community: str, page: str = INDEX_NAME) -> str:
    """A community's page relative to the street board (names are URL-quoted)."""
    return quote(f"{community}/{page}")


# -- the sessions and changes of the boards ------------------------------------------------

def session_item(session: Session, as_of: dt.date, href: str) -> SessionItem:
    now = session.current
    status, badge = STATUS.get(now.kind, STATUS[REGULAR])
    before = session.earlier[-1] if session.earlier else None
    return SessionItem(
        community=now.community, href=href, day=day_text(now.date, as_of),
        weekday=weekday_text(now.date), time=time_text(now), place=now.place, leader=now.leader,
        phone=now.phone, tel=tel(now.phone), status=status, badge=badge, cancelled=now.cancelled,
        reason=now.reason if now.is_change else None,
        was=arrangement(before) if now.is_change and before is not None else None,
        announced=full_date(now.published),
    )


def upcoming(sessions: list[Session], as_of: dt.date) -> list[Session]:
    """Sessions on or after `as_of`, soonest first."""
    return sorted((s for s in sessions if s.date >= as_of), key=lambda s: s.date)


def change_items(sessions: list[Session], as_of: dt.date,
                 href_of: Callable[[str], str]) -> list[ChangeItem]:
    """Every visible change or cancellation of a coming session, or announced in the last
    RECENT_DAYS days; newest announcement first."""
    since = as_of - dt.timedelta(days=RECENT_DAYS)
    items: list[tuple[dt.date, dt.date, ChangeItem]] = []
    for session in sessions:
        previous: Announcement | None = None
        announced = session.announcements
        for i, item in enumerate(announced):
            later = announced[i + 1] if i + 1 < len(announced) else None
            if item.is_change and (session.date >= as_of or item.published >= since):
                kind_label, badge = STATUS[item.kind]
                items.append((item.published, item.date, ChangeItem(
                    community=item.community, href=href_of(item.community),
                    day=day_text(item.date, as_of), weekday=weekday_text(item.date),
                    kind=kind_label, badge=badge, cancelled=item.cancelled, reason=item.reason or "",
                    was=arrangement(previous) if previous is not None else None,
                    now="本次驻点取消" if item.cancelled else arrangement(item),
                    announced=full_date(item.published),
                    replaced_on=full_date(later.published) if later is not None else None)))
            previous = item
    items.sort(key=lambda t: (-t[0].toordinal(), t[1]))
    return [item for _, _, item in items]


def week_groups(view: PublicView) -> list[WeekGroup]:
    """This week's and the next weeks' sessions (from `as_of` on), per week and day."""
    as_of = view.as_of
    monday = as_of - dt.timedelta(days=as_of.weekday())
    groups = []
    for week in range(NOTICE_WEEKS):
        start = monday + dt.timedelta(weeks=week)
        end = start + dt.timedelta(days=6)
        by_day: dict[dt.date, list[SessionItem]] = {}
        held = sum(1 for s in view.sessions
                   if start <= s.date < as_of and s.date <= end and not s.current.cancelled)
        for s in view.sessions:  # already by date, then community order
            if max(start, as_of) <= s.date <= end:
                by_day.setdefault(s.date, []).append(
                    session_item(s, as_of, community_href(s.community)))
        label = ("本周", "下周")[week] if week < 2 else f"{day_text(start, as_of)}起的一周"
        groups.append(WeekGroup(
            label=label, span=f"{day_text(start, as_of)}至{day_text(end, as_of)}",
            days=tuple(DayGroup(day_text(day, as_of), weekday_text(day), tuple(items))
                       for day, items in by_day.items()), held=held))
    return groups


def index_page(view: PublicView) -> IndexPage:
    communities = []
    for name in view.communities:
        coming = [s for s in upcoming(view.sessions_of(name), view.as_of)
                  if not s.current.cancelled]
        nxt = (f"{day_text(coming[0].date, view.as_of)}（{weekday_text(coming[0].date)}）"
               f"{time_text(coming[0].current)}" if coming else "暂无已公布的安排")
        communities.append(CommunityLink(
            name=name, href=community_href(name), card_href=community_href(name, CARD_NAME),
            leader=view.leaders.get(name, ""), next_session=nxt))
    title = f"{view.street}驻点联系群众公开栏"
    return IndexPage(
        title=title, street=view.street,
        intro=(f"{view.street}实行街道领导驻点普遍直接联系群众制度：每周"
               f"{WEEKDAY_DIGITS[view.stationing_weekday - 1]}，街道领导带领驻点团队到各社区驻点，"
               "现场听取意见、解决问题。驻点安排及其变更至少提前一天公布。"),
        generated=full_date(view.as_of), weeks=tuple(week_groups(view)),
        changes=tuple(change_items(list(view.sessions), view.as_of, community_href)),
        communities=tuple(communities), statistics_href=quote(STATISTICS_NAME),
        fields_href=quote(FIELD_DOC_NAME),
    )


# -- a community's page ----------------------------------------------------------------------

def team_groups(members: list[TeamMember]) -> list[TeamGroup]:
    """驻点团队 then 辅助团队; 负责人, 联络员, 成员, each in roster order."""
    notes = {TEAMS[0]: "街道班子成员带队，街道干部和两代表一委员等组成",
             TEAMS[1]: "社区两委、服务站点和志愿者等组成"}
    groups = []
    for team in TEAMS:
        people = sorted((m for m in members if m.team == team),
                        key=lambda m: TEAM_ROLES.index(m.role) if m.role in TEAM_ROLES else 9)
        if people:
            groups.append(TeamGroup(name=team, note=notes[team], members=tuple(
                MemberItem(m.name, m.role, m.post, m.phone, tel(m.phone)) for m in people)))
    return groups


def shown_issues(issues: list[IssueResult], as_of: dt.date) -> list[IssueResult]:
    """The issues a community page lists: registered this year, closed this year (as the
    statistics table counts them), or not yet closed."""
    return [i for i in issues if i.registered.year == as_of.year or i.status != CLOSED
            or (i.closed is not None and i.closed.year == as_of.year)]


def issue_item(issue: IssueResult) -> IssueItem:
    return IssueItem(
        category=issue.category, status=issue.status,
        badge=ISSUE_BADGES.get(issue.status, "info"), level=issue.level,
        registered=full_date(issue.registered), due=full_date(issue.due),
        closed=full_date(issue.closed) if issue.closed else None,
        feedback=full_date(issue.feedback) if issue.feedback else None,
        summary=issue.public_summary or NO_SUMMARY, has_summary=bool(issue.public_summary))


def regular_arrangement(sessions: list[Session], as_of: dt.date,
                        default_weekday: int) -> tuple[str, str | None, str | None]:
    """The usual stationing day, time and place of a community, read from its 常规
    announcements (the coming ones first): (每周二, 08:30–12:00, place)."""
    regular = [s.current for s in sessions if s.current.kind == REGULAR]
    pool = [a for a in regular if a.date >= as_of] or regular
    if not pool:
        return f"每周{WEEKDAY_DIGITS[default_weekday - 1]}", None, None
    weekday = Counter(a.date.weekday() for a in pool).most_common(1)[0][0]
    (time, place), _ = Counter((time_text(a), a.place) for a in pool).most_common(1)[0]
    return f"每周{WEEKDAY_DIGITS[weekday]}", time, place


def community_page(view: PublicView, community: str) -> CommunityPage:
    as_of = view.as_of
    sessions = view.sessions_of(community)
    day, time, place = regular_arrangement(sessions, as_of, view.stationing_weekday)
    regular = f"{day} {time}，{place}" if time else f"{day}（具体时间、地点以公告为准）"
    issues = shown_issues(view.issues_of(community), as_of)
    counts = Counter(i.status for i in issues)
    return CommunityPage(
        title=f"{community}社区驻点联系群众公示", street=view.street, community=community,
        regular=regular, take_part=TAKE_PART, generated=full_date(as_of),
        sessions=tuple(session_item(s, as_of, "") for s in
                       upcoming(sessions, as_of)[:NEXT_SESSIONS]),
        changes=tuple(change_items(sessions, as_of, lambda _c: "")),
        teams=tuple(team_groups(view.members_of(community))),
        issues=tuple(issue_item(i) for i in issues),
        issue_counts=tuple((s, counts[s]) for s in ISSUE_STATUSES if counts[s]),
        card_href=quote(CARD_NAME), index_href=f"../{INDEX_NAME}",
        statistics_href=f"../{quote(STATISTICS_NAME)}",
    )


# -- the 驻点联系卡 -----------------------------------------------------------------------------

def contact_card(view: PublicView, community: str) -> ContactCard:
    members = view.members_of(community)
    street_team, support_team = TEAMS
    head, liaison, _ = TEAM_ROLES

    def line(label: str, team: str, role: str) -> ContactLine | None:
        person = next((m for m in members if m.team == team and m.role == role), None)
        if person is None:
            return None
        return ContactLine(label, person.name, person.phone, tel(person.phone))

    leader = line(f"{street_team}{head}", street_team, head)
    if leader is None:  # no roster yet: the schedule's leader and phone
        latest = [s.current for s in view.sessions_of(community)]
        if latest:
            leader = ContactLine(f"{street_team}{head}", latest[-1].leader, latest[-1].phone,
                                 tel(latest[-1].phone))
    contacts = [c for c in (line(f"{street_team}{liaison}", street_team, liaison),
                            line(f"{support_team}{head}", support_team, head),
                            line(f"{support_team}{liaison}", support_team, liaison)) if c]
    day, time, place = regular_arrangement(view.sessions_of(community), view.as_of,
                                           view.stationing_weekday)
    teams = {group.name: group.members for group in team_groups(members)}
    return ContactCard(
        title="驻点联系卡", street=view.street, community=community, day=day, time=time,
        place=place, leader=leader, contacts=tuple(contacts),
        street_team=tuple(m.name for m in teams.get(street_team, ())),
        support_team=tuple(m.name for m in teams.get(support_team, ())),
    )


def card_page(view: PublicView, community: str) -> CardSheetPage:
    return CardSheetPage(
        title=f"{community}社区驻点联系卡", card=contact_card(view, community),
        copies=CARDS_PER_SHEET, generated=full_date(view.as_of), index_href=INDEX_NAME)


# -- writing, and the NOTICE-LEAD rule -----------------------------------------------------

def render_notices(view: PublicView, statistics: StatisticsPage | None = None) -> dict[Path, str]:
    """Every notice page, by its path relative to outbox/public/; the street's board
    lists every community and, given `statistics`, the statistics table (DOMAIN)."""
    index = replace(index_page(view), statistics=statistics)
    pages = {Path(INDEX_NAME): render("notice_index.html", page=index)}
    for community in view.communities:
        folder = _folder(community)
        pages[folder / INDEX_NAME] = render("notice_community.html",
                                            page=community_page(view, community))
        pages[folder / CARD_NAME] = render("contact_card.html", page=card_page(view, community))
    return pages


def write_notices(workspace: Workspace, master: Master, config: Config,
                  as_of: dt.date, statistics: StatisticsPage | None = None,
                  into: AtomicBatch | None = None) -> list[Path]:
    """Render the public notices at `as_of` into `outbox/public/`, in place together
    (with `into`, when it commits)."""
    view = build_public_view(master, config, as_of)
    pages = render_notices(view, statistics)
    with joined(into) as batch:
        return [batch.write_text(workspace.public / relative, html)
                for relative, html in pages.items()]


def notice_lead_breaches(master: Master, config: Config, as_of: dt.date) -> list[dict[str, Any]]:
    """NOTICE-LEAD: every announcement (常规, 变更 or 取消) with less than
    `policy.notice_lead_days` days of notice, published by `as_of` or to be published
    later (its 发布日期 already says it will be late). It is published all the same; this
    is the internal supervision list's entry. Keys: rule, community, date, published, kind,
    lead_days (days of notice given), required_days, message; by 驻点日期."""
    required = config.policy.notice_lead_days
    breaches = []
    # an announcement replaced by one published earlier (the clerk moved a late 发布日期
    # forward) never went out: no breach, then or later
    standing = {(a.community, a.date): a.published for a in current_announcements(master)}
    for item in announcements(master, dt.date.max):
        given = item.lead_days()
        if given >= required:
            continue
        if item.published > standing.get((item.community, item.date), item.published):
            continue
        when = "当天" if given == 0 else (f"提前{given}天" if given > 0 else f"驻点{-given}天后")
        planned = item.published > as_of  # still to come, already late
        breaches.append({
            "rule": NOTICE_LEAD, "community": item.community, "date": item.date,
            "published": item.published, "kind": item.kind, "lead_days": given,
            "required_days": required,
            "message": (f"{item.community}社区{full_date(item.date)}驻点的{item.kind}安排"
                        f"{'计划于' if planned else '于'}{full_date(item.published)}（{when}）"
                        f"{'公布' if planned else '才公布'}，应至少提前{required}天公布"),
        })
    breaches.sort(key=lambda b: (b["date"], b["community"], b["published"]))
    return breaches


def _folder(community: str) -> Path:
    """A community's folder under outbox/public/ (its name, which must be a plain name)."""
    if not community or community.startswith(".") or any(c in community for c in "/\\\0"):
        raise ValueError(f"社区名称不能用作文件夹名：{community!r}")
    return Path(community)
