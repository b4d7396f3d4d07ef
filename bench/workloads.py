"""Deterministic synthetic workloads: a district of communities and their weekly workbooks.

`make_district(n)` invents n communities (two per street leader, so LEADER-SPAN holds)
and the `config.toml` that names them. `write_weekly(path, spec)` writes one community's
weekly workbook with all eight ledger sheets (or the subset a spec asks for), valid
against every 错误 rule: at scale 1 it holds about 1,000 data rows (a 600-household 户册,
250 visits and 80 receptions of the week, 40 issues, roster, work log, schedule, summary).
The same spec always gives the same cell values; sizes scale linearly with `scale`.

Visits walk the 户册 in a fixed rotation, so the 社区汇总 row of any week carries the
exact cumulative figures of the year so far (SUM-MONOTONE never fires in a rebuild).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.demo import write_ledger_workbook
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
)
from schemas.choices import (
    CLOSED,
    HOUSEHOLD_TYPES,
    ISSUE_CATEGORIES,
    ISSUE_SOURCES,
    OUTGOING_WORKERS,
    REFERRED,
    VISIT_METHODS,
    VISIT_TARGETS,
)

Row = dict[str, Any]

STREET, DISTRICT = "海珠区各街道（基准测试）", "海珠区"
# Rows per workbook at scale 1 (the rest are a dozen roster rows, work log, schedule, summary).
HOUSEHOLDS, VISITS, RECEPTIONS, ISSUES = 600, 250, 80, 40
HOUSEHOLDS_PER_GRID = 250

_FIRST = "龙凤南华江海新沙滨赤岗素昌官洲瑞宝琶晓港怡乐红卫金碧万松东西"
_SECOND = "苑园庭轩湾台街村里坊桥岭景兴和安宁康盛丰泰苗源塘涌岸"
SURNAMES = "陈李黄张梁刘林何罗郭吴谭冯邓周麦卢苏曾叶伍杨赵钟潘谢朱胡莫余关江彭廖"
GIVEN = "伟芳敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志坚建国文辉嘉琪俊晓燕欣颖锦荣振宇海波德永慧妍婷浩"
STREET_IDS = ("科室负责人", "党员干部", "党代表", "人大代表", "政协委员", "群团组织", "社会组织",
              "志愿者")
SUPPORT_IDS = ("服务站点", "志愿者", "党员群众", "社区两委")
VISIT_NOTES = ("了解家庭情况，无诉求", "宣传垃圾分类政策", "反映小区停车难", "慰问独居老人，身体状况良好",
               "宣传消防安全知识", "了解老旧小区加装电梯意愿", "发放驻点联系卡", "了解经营情况，无诉求")
MATTERS = ("咨询社保缴费", "反映楼道灯损坏", "咨询居住证办理", "反映邻里噪音", "咨询长者饭堂",
           "反映路面积水", "咨询加装电梯政策", "反映垃圾清运不及时")
TOPICS = (("{n}栋楼道灯损坏，夜间出行不便", "联系物业更换灯具", "已更换楼道灯", "更换{n}栋楼道灯"),
          ("{n}巷垃圾清运不及时", "协调环卫站增加清运班次", "已增加清运一次", "{n}巷增加清运班次"),
          ("{n}号路段占道经营影响通行", "联合执法队劝导整治", "占道摊档已清理", "整治{n}号路段占道"),
          ("{n}栋申请加装电梯", "组织业主协商并指导报建", "已完成意见征询", "指导{n}栋加装电梯"),
          ("{n}号路面下沉积水", "报区水务部门维修", "已修复路面", "修复{n}号路面积水"))


@dataclass(frozen=True)
class Community:
    name: str
    prefix: str   # of 户编号 and 问题编号
    leader: str
    leader_phone: str


@dataclass(frozen=True)
class District:
    communities: tuple[Community, ...]

    def config_toml(self) -> str:
        """The workspace config naming these communities and their leaders."""
        lines = ["[street]", f'name = "{STREET}"', f'district = "{DISTRICT}"', ""]
        leaders: dict[str, list[str]] = {}
        for c in self.communities:
            leaders.setdefault(c.leader, []).append(c.name)
        for leader, names in leaders.items():
            quoted = ", ".join(f'"{n}"' for n in names)
            lines += ["[[leaders]]", f'name = "{leader}"', f"communities = [{quoted}]", ""]
        return "\n".join(lines)


def make_district(n: int) -> District:
    """n communities, two per leader; the first k of make_district(n) are make_district(k)'s."""
    rng = random.Random("bench-district")
    names = [a + b for a in _FIRST for b in _SECOND]
    rng.shuffle(names)
    if n > len(names):
        raise ValueError(f"at most {len(names)} communities")
    taken: set[str] = set()
    leaders = [_name(rng, taken) for _ in range((n + 1) // 2)]
    return District(tuple(
        Community(name=names[i], prefix=f"C{i + 1:03d}", leader=leaders[i // 2],
                  leader_phone=f"020-8{i // 2 + 1000:04d}{i % 2}00")
        for i in range(n)))


@dataclass(frozen=True)
class WeekSpec:
    """One weekly workbook: whose, which ISO week (its Monday), how big, which sheets."""

    community: Community
    monday: dt.date
    scale: float = 1.0
    snapshots: bool = True   # carry 户册 (the roster is always there: REF-MEMBER)
    revision: int = 0        # > 0: a corrected resubmission of the same week

    @property
    def week(self) -> int:
        return self.monday.isocalendar().week

    def sizes(self) -> tuple[int, int, int, int]:
        s = self.scale
        return (max(20, round(HOUSEHOLDS * s)), max(6, round(VISITS * s)),
                max(3, round(RECEPTIONS * s)), max(4, round(ISSUES * s)))


def iso_monday(year: int, week: int) -> dt.date:
    return dt.date.fromisocalendar(year, week, 1)


def build_week(spec: WeekSpec) -> dict[str, list[Row]]:
    """Every sheet of one weekly workbook, as rows keyed by Chinese header."""
    c = spec.community
    rng = random.Random(f"{c.name}|{spec.monday.isoformat()}|{spec.scale}|{spec.revision}")
    n_households, n_visits, n_receptions, n_issues = spec.sizes()
    roster = _roster(c)
    members = [r[Roster.name] for r in roster]
    issues = _issues(spec, rng, n_issues)
    sheets: dict[str, list[Row]] = {Roster.Config.name: roster}
    if spec.snapshots:
        sheets[Household.Config.name] = [_household(c, i, rng) for i in range(n_households)]
    sheets[Visit.Config.name] = _visits(spec, rng, n_households, n_visits, members, issues)
    sheets[Reception.Config.name] = _receptions(spec, rng, n_receptions, members, issues)
    sheets[WorkLog.Config.name] = _work_log(spec, rng, n_visits, n_receptions)
    sheets[Issue.Config.name] = issues
    sheets[Schedule.Config.name] = _schedule(spec)
    sheets[Summary.Config.name] = [_summary(spec, n_households, n_visits, n_receptions)]
    return sheets


def write_weekly(path: Path, spec: WeekSpec) -> int:
    """Write the workbook of `spec` to `path`; the number of ledger data rows written."""
    note = f"基准测试数据（虚构）：{spec.community.name}社区 {spec.monday.isoformat()} 当周"
    if spec.revision:
        note += f"，第{spec.revision}次更正"
    sheets = {LEDGERS[name]: rows for name, rows in build_week(spec).items()}
    return write_ledger_workbook(path, sheets, spec.monday, creator="驻点台账基准测试", note=note)


def revised(spec: WeekSpec) -> WeekSpec:
    return replace(spec, revision=spec.revision + 1)


# -- the sheets ----------------------------------------------------------------------------

def _name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in taken:
            taken.add(name)
            return name


def _mobile(rng: random.Random) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"


def _roster(c: Community) -> list[Row]:
    """A seven-strong stationing team and a four-strong support team, the same every week."""
    rng = random.Random(f"roster|{c.name}")
    taken = {c.leader}

    def row(team: str, name: str, role: str, post: str, phone: str, identity: str) -> Row:
        return {Roster.community: c.name, Roster.team: team, Roster.name: name,
                Roster.role: role, Roster.post: post, Roster.phone: phone,
                Roster.identity: identity}

    rows = [row("驻点团队", c.leader, "负责人", "街道办事处副主任", c.leader_phone, "街道班子成员"),
            row("驻点团队", _name(rng, taken), "联络员", "街道社区建设办副主任",
                f"020-8420{rng.randint(0, 9999):04d}", "街道中层干部")]
    for identity in rng.sample(STREET_IDS, 5):
        rows.append(row("驻点团队", _name(rng, taken), "成员", f"街道{identity}", _mobile(rng),
                        identity))
    rows += [row("辅助团队", _name(rng, taken), "负责人", f"{c.name}社区党委书记",
                 f"020-8421{rng.randint(0, 9999):04d}", "社区两委"),
             row("辅助团队", _name(rng, taken), "联络员", f"{c.name}社区居委会委员",
                 f"020-8422{rng.randint(0, 9999):04d}", "社区两委")]
    for identity in SUPPORT_IDS[:2]:
        rows.append(row("辅助团队", _name(rng, taken), "成员", f"{c.name}社区{identity}",
                        _mobile(rng), identity))
    return rows


def household_type(i: int) -> str:
    """The 户册 type of household i (0-based): a fixed pattern, so cumulative splits are exact."""
    if i % 60 == 11:
        return HOUSEHOLD_TYPES[2]
    if i % 12 == 5:
        return HOUSEHOLD_TYPES[1]
    return HOUSEHOLD_TYPES[0]


def _household_id(c: Community, i: int) -> str:
    return f"{c.prefix}-{i + 1:05d}"


def _household(c: Community, i: int, rng: random.Random) -> Row:
    grid = i // HOUSEHOLDS_PER_GRID + 1
    return {Household.community: c.name, Household.grid: f"第{grid}网格",
            Household.household_id: _household_id(c, i), Household.type: household_type(i),
            Household.address: f"{c.name}社区{grid}区{rng.randint(1, 40)}栋{rng.randint(1, 9)}0"
                               f"{rng.randint(1, 6)}房"}


def _weekday(monday: dt.date, k: int) -> dt.date:
    return monday + dt.timedelta(days=k % 5)


def _split(n_visits: int) -> tuple[int, int, int]:
    """Household visits, 外出务工人员 contacts, 外来人员 visits of a week."""
    outgoing = max(1, n_visits // 10)
    newcomers = max(1, n_visits // 20)
    return n_visits - outgoing - newcomers, outgoing, newcomers


def _issues(spec: WeekSpec, rng: random.Random, n: int) -> list[Row]:
    """Issues registered this week, every status; the closed ones fed back."""
    c, year = spec.community, spec.monday.isocalendar().year
    statuses = (CLOSED,) * 6 + ("办理中", "待办理", "已上报", "延期")
    ratings = ("满意", "满意", "基本满意", "未评价", "满意", "基本满意", "满意", "不满意")
    rows = []
    for k in range(n):
        registered = _weekday(spec.monday, k)
        status = statuses[k % len(statuses)]
        description, measures, result, summary = (
            t.format(n=rng.randint(1, 40)) for t in TOPICS[rng.randrange(len(TOPICS))])
        # within the week: the run on the Monday after it sees no date still to come
        sunday = spec.monday + dt.timedelta(days=6)
        closed = min(registered + dt.timedelta(days=1 + k % 3), sunday) \
            if status == CLOSED else None
        rows.append({
            Issue.issue_id: f"{c.prefix}-{year}-{spec.week:02d}{k:03d}", Issue.community: c.name,
            Issue.registered: registered, Issue.source: ISSUE_SOURCES[k % 4],
            Issue.category: ISSUE_CATEGORIES[k % len(ISSUE_CATEGORIES)],
            Issue.description: description, Issue.reporter: _name(rng, set()),
            Issue.phone: _mobile(rng) if k % 3 else None, Issue.owner: c.leader,
            Issue.level: "区直单位" if status == "已上报" else ("驻点团队", "街道")[k % 2],
            Issue.handler_unit: f"{c.name}社区居委会", Issue.measures: measures,
            Issue.due: registered + dt.timedelta(days=14), Issue.status: status,
            Issue.closed: closed, Issue.result: result if closed else None,
            Issue.feedback: min(closed + dt.timedelta(days=1), sunday) if closed else None,
            Issue.rating: ratings[k % len(ratings)] if closed else None,
            Issue.public_summary: summary,
        })
    return rows


def _visits(spec: WeekSpec, rng: random.Random, n_households: int, n_visits: int,
            members: list[str], issues: list[Row]) -> list[Row]:
    c = spec.community
    household_visits, outgoing, newcomers = _split(n_visits)
    offset = (spec.week - 1) * household_visits
    cited = [i[Issue.issue_id] for i in issues if i[Issue.source] == ISSUE_SOURCES[1]]
    rows = []
    for j in range(household_visits):
        index = (offset + j) % n_households
        rows.append({
            Visit.date: _weekday(spec.monday, j), Visit.community: c.name,
            Visit.target_type: household_type(index), Visit.household_id: _household_id(c, index),
            Visit.headcount: 1 + j % 4,
            Visit.method: rng.choices(VISIT_METHODS, weights=(12, 2, 1, 3, 1, 2, 1))[0],
            Visit.visitor: rng.choice(members), Visit.notes: rng.choice(VISIT_NOTES),
            Visit.issue_id: cited[j] if j < len(cited) else None,
        })
    if spec.revision and rows:  # a corrected resubmission: one note rewritten
        rows[0][Visit.notes] = f"更正：{rows[0][Visit.notes]}（第{spec.revision}次）"
    for j in range(outgoing):
        rows.append({
            Visit.date: _weekday(spec.monday, j), Visit.community: c.name,
            Visit.target_type: OUTGOING_WORKERS, Visit.household_id: None,
            Visit.headcount: 1 + j % 3, Visit.method: ("电话联系", "网络联系")[j % 2],
            Visit.visitor: rng.choice(members), Visit.notes: "电话联系在外务工人员，了解返乡安排",
            Visit.issue_id: None})
    for j in range(newcomers):
        rows.append({
            Visit.date: _weekday(spec.monday, j), Visit.community: c.name,
            Visit.target_type: VISIT_TARGETS[4], Visit.household_id: None,
            Visit.headcount: 1 + j % 2, Visit.method: "入户走访",
            Visit.visitor: rng.choice(members), Visit.notes: "走访出租屋外来人员，宣传居住证办理",
            Visit.issue_id: None})
    return rows


def _visitors(k: int) -> int:
    return 1 + k % 3


def _outgoing_people(j: int) -> int:
    return 1 + j % 3


def _receptions(spec: WeekSpec, rng: random.Random, n: int, members: list[str],
                issues: list[Row]) -> list[Row]:
    c = spec.community
    referred = [i[Issue.issue_id] for i in issues if i[Issue.source] == ISSUE_SOURCES[0]]
    rows = []
    for k in range(n):
        issue = referred[k] if k < len(referred) else None
        rows.append({
            Reception.date: _weekday(spec.monday, k), Reception.community: c.name,
            Reception.place: f"{c.name}社区党群服务中心", Reception.receiver: members[k % 4],
            Reception.visitors: _visitors(k), Reception.visitor_name: _name(rng, set()),
            Reception.phone: _mobile(rng) if k % 5 else None,
            Reception.matter: rng.choice(MATTERS),
            Reception.handling: REFERRED if issue else ("现场解决", "解释答复", "记录备案")[k % 3],
            Reception.issue_id: issue,
        })
    return rows


def _work_log(spec: WeekSpec, rng: random.Random, n_visits: int, n_receptions: int) -> list[Row]:
    c = spec.community
    days = [(spec.monday + dt.timedelta(days=1), "固定驻点日", "08:30", "12:00")]
    if spec.week % 2 == 0:
        days.append((spec.monday + dt.timedelta(days=3), "灵活驻点", "14:30", "18:00"))
    rows = []
    for day, kind, start, end in days:
        collected = rng.randint(0, 6)
        rows.append({
            WorkLog.community: c.name, WorkLog.date: day, WorkLog.start: start, WorkLog.end: end,
            WorkLog.place: f"{c.name}社区党群服务中心", WorkLog.leader: c.leader,
            WorkLog.participants: rng.randint(4, 7), WorkLog.visited: n_visits // len(days),
            WorkLog.received: n_receptions // len(days), WorkLog.collected: collected,
            WorkLog.solved: rng.randint(0, collected), WorkLog.kind: kind,
            WorkLog.remarks: None if kind == "固定驻点日" else "针对群众集中反映的问题开展专题走访"})
    return rows


def _schedule(spec: WeekSpec) -> list[Row]:
    """The next four Tuesdays, published on this week's Monday."""
    c = spec.community
    tuesday = spec.monday + dt.timedelta(days=1)
    return [{Schedule.community: c.name, Schedule.date: tuesday + dt.timedelta(weeks=k + 1),
             Schedule.start: "08:30", Schedule.end: "12:00",
             Schedule.place: f"{c.name}社区党群服务中心", Schedule.leader: c.leader,
             Schedule.phone: c.leader_phone, Schedule.published: spec.monday,
             Schedule.kind: "常规", Schedule.reason: None} for k in range(4)]


def _summary(spec: WeekSpec, n_households: int, n_visits: int, n_receptions: int) -> Row:
    """The year's cumulative figures up to this week's Sunday (weeks 1..week, same sizes)."""
    household_visits, outgoing, _ = _split(n_visits)
    visited = min(n_households, spec.week * household_visits)
    residents = sum(1 for i in range(visited) if household_type(i) == HOUSEHOLD_TYPES[0])
    weekly_received = sum(_visitors(k) for k in range(n_receptions))
    weekly_outgoing = sum(_outgoing_people(j) for j in range(outgoing))
    return {Summary.as_of: spec.monday + dt.timedelta(days=6), Summary.leader: spec.community.leader,
            Summary.community: spec.community.name, Summary.total: n_households,
            Summary.visited: visited, Summary.residents: residents,
            Summary.businesses: visited - residents, Summary.rate: None,
            Summary.received: spec.week * weekly_received,
            Summary.outgoing: spec.week * weekly_outgoing}


def data_rows(specs: Iterable[WeekSpec]) -> int:
    """Ledger data rows the specs' workbooks hold (without writing them)."""
    return sum(len(rows) for spec in specs for rows in build_week(spec).values())
