"""The demo workspace: one fake but consistent workbook per community, from the seed's figures.

`build_demo` writes into `inbox/` a workbook per community of the bundled 龙凤街道
config whose registers add up exactly to the seed's statistics table (总户数, distinct
visited households split by 户册 type, Σ 来访人数, Σ 外出务工人员 人数). Every name,
phone and address is invented; the same `as_of` always gives the same cell values.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandera.pandas as pa
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pipeline.config import CONFIG_NAME, DEFAULT_CONFIG, Config, load_config
from pipeline.workspace import Workspace
from schemas import (
    LEDGERS,
    README_SHEET,
    Household,
    Issue,
    Reception,
    Roster,
    Schedule,
    Summary,
    Visit,
    WorkLog,
    field_specs,
)
from schemas.choices import (
    CLOSED,
    DISSATISFIED,
    FIXED_DAY,
    HOUSEHOLD_TYPES,
    ISSUE_LEVELS,
    ISSUE_SOURCES,
    ISSUE_STATUSES,
    OUTGOING_WORKERS,
    RATINGS,
    RECEPTION_HANDLING,
    REFERRED,
    SCHEDULE_KINDS,
    STATION_KINDS,
    TEAM_ROLES,
    TEAMS,
    VISIT_METHODS,
    VISIT_TARGETS,
)

Row = dict[str, Any]


@dataclass(frozen=True)
class SeedRow:
    """One community's row of the seed's 驻点团队联系群众数据统计表."""

    leader: str
    community: str
    total: int        # 总户数(户)
    visited: int      # 已走访户数(户)
    residents: int    # 群众(户)
    businesses: int   # 企业/工商户(户)
    received: int     # 接待群众数(人次)
    outgoing: int     # 联系外出人员(人)


SEED_TABLE: tuple[SeedRow, ...] = (
    SeedRow("李福坚", "龙导", 1050, 820, 755, 65, 320, 58),
    SeedRow("李福坚", "状元", 1941, 862, 857, 5, 126, 182),
    SeedRow("张建勋", "仁和", 1300, 502, 349, 153, 82, 56),
    SeedRow("张建勋", "环珠", 1025, 759, 594, 165, 122, 1466),
    SeedRow("夏先华", "富力", 2393, 1407, 1281, 126, 985, 50),
    SeedRow("夏先华", "新民", 3215, 1992, 1917, 75, 45, 25),
    SeedRow("冯志明", "鹤兴", 1268, 739, 700, 39, 250, 22),
    SeedRow("冯志明", "梅园南", 1225, 520, 483, 37, 520, 34),
    # The seed prints 群众 1500 for 昌盛, more than its 550 visited households; the
    # consistent reading is 500 (500 + 50 = 550), which is what the demo uses.
    SeedRow("黄耀东", "昌盛", 1550, 550, 500, 50, 32, 14),
    SeedRow("黄耀东", "龙田", 2620, 1050, 990, 60, 120, 150),
)

# Short pinyin prefix of each community's 户编号 and 问题编号 (LD-00001, LD-2026-001).
ID_PREFIXES: dict[str, str] = {
    "龙导": "LD", "状元": "ZY", "仁和": "RH", "环珠": "HZ", "富力": "FL",
    "新民": "XM", "鹤兴": "HX", "梅园南": "MYN", "昌盛": "CS", "龙田": "LT",
}
# The communities whose schedule shows a 变更 and a 取消 besides the regular sessions.
CHANGED_COMMUNITIES = ("状元", "鹤兴")
# The community whose 工作台账 skips one week, that many weeks back (WEEKLY-LEDGER).
GAP_COMMUNITY, GAP_WEEK = "梅园南", 6

HOUSEHOLDS_PER_GRID = 250
SCHEDULE_WEEKS = 4
WORK_LOG_WEEKS = 12
FIXED_START, FIXED_END = "08:30", "12:00"
FLEX_START, FLEX_END = "14:30", "18:00"

SURNAMES = "陈李黄张梁刘林何罗郭吴谭冯邓周麦卢苏曾叶伍杨赵区钟潘谢朱胡莫余关江彭廖"
GIVEN_CHARS = "伟芳敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志坚建国文辉嘉琪俊晓燕欣颖锦荣振宇海波德永慧妍婷浩"

LEADER_POSTS = ("党工委书记", "办事处主任", "党工委副书记", "人大工委主任", "办事处副主任")
OFFICES = ("党政综合办", "社区建设办", "城市管理科", "平安建设办", "公共服务办", "经济发展办")
DISTRICT_UNITS = ("区住房城乡建设局", "区城市管理和综合执法局", "区民政局", "区水务局", "区卫生健康局")
STREET_MEMBERS: tuple[tuple[str, str], ...] = (  # (身份, 单位及职务 pattern)
    ("科室负责人", "{street}{office}负责人"),
    ("党员干部", "{street}{office}干部"),
    ("党代表", "{district}党代表"),
    ("人大代表", "{district}人大代表"),
    ("政协委员", "{district}政协委员"),
    ("群团组织", "{street}妇联执委"),
    ("社会组织", "{community}社工服务站社工"),
    ("志愿者", "{street}志愿服务队队员"),
)
SUPPORT_MEMBERS: tuple[tuple[str, str], ...] = (
    ("社区两委", "{community}社区党委委员"),
    ("服务站点", "{community}社区党群服务站工作人员"),
    ("志愿者", "{community}社区志愿者"),
    ("党员群众", "{community}社区党员"),
)

VISIT_NOTES = {
    "居民户": ("了解家庭情况，无诉求", "宣传垃圾分类政策", "反映小区停车难", "慰问独居老人，身体状况良好",
            "宣传消防安全知识", "了解老旧小区加装电梯意愿", "发放驻点联系卡"),
    "个体工商户": ("了解经营情况，无诉求", "宣传门前三包责任", "提醒燃气使用安全", "发放驻点联系卡"),
    "驻社区单位": ("走访单位负责人，了解共建需求", "商议共建活动安排", "发放驻点联系卡"),
    OUTGOING_WORKERS: ("电话联系在外务工人员，了解务工和返乡安排", "通过微信群联系在外务工人员，宣传社保政策"),
    "外来人员": ("走访出租屋外来人员，宣传居住证办理", "了解外来人员子女入学需求"),
}
RECEPTION_MATTERS = ("咨询社保缴费", "反映楼道灯损坏", "咨询居住证办理", "反映邻里噪音", "咨询长者饭堂",
                     "反映路面积水", "咨询加装电梯政策", "反映垃圾清运不及时")
# (类别, 问题描述, 办理措施, 办理结果, 公开摘要) — invented topics, no personal data in the summary.
ISSUE_TOPICS: tuple[tuple[str, str, str, str, str], ...] = (
    ("市政设施", "{n}栋楼道灯损坏，夜间出行不便", "联系物业更换灯具", "已更换楼道灯", "更换{n}栋楼道灯"),
    ("环境卫生", "{n}巷垃圾清运不及时，有异味", "协调环卫站增加清运班次", "已增加每日清运一次",
     "{n}巷增加垃圾清运班次"),
    ("城市管理", "{n}号路段占道经营影响通行", "联合执法队劝导整治", "占道摊档已清理",
     "整治{n}号路段占道经营"),
    ("民生微实事", "{n}栋申请加装电梯", "组织业主协商并指导报建", "已完成业主意见征询",
     "指导{n}栋加装电梯报建"),
    ("社会保障", "独居长者申请居家养老服务", "转介社工站评估", "已纳入居家养老服务", "协助长者申请居家养老服务"),
    ("治安维稳", "{n}巷夜间照明不足存在治安隐患", "增设监控和照明", "已增设两处照明", "{n}巷增设照明"),
    ("矛盾纠纷", "{n}栋邻里漏水纠纷", "组织双方调解", "双方达成调解协议", "调解{n}栋邻里漏水纠纷"),
    ("市政设施", "{n}号路面下沉积水", "报区水务部门维修", "已修复路面", "修复{n}号路面积水"),
    ("政策咨询", "咨询困难家庭救助政策", "解释政策并协助申请", "已协助提交申请", "困难家庭救助政策咨询"),
    ("意见建议", "建议增设社区休闲座椅", "纳入民生微实事项目", "已增设座椅六张", "社区增设休闲座椅"),
    ("环境卫生", "{n}栋天台乱堆放杂物", "通知业主清理并巡查", "杂物已清理", "清理{n}栋天台杂物"),
    ("民生微实事", "小区儿童游乐设施破损", "联系物业维修", "已修复游乐设施", "修复儿童游乐设施"),
)


@dataclass(frozen=True)
class Member:
    name: str
    team: str
    role: str
    phone: str


@dataclass(frozen=True)
class _Community:
    """What every sheet builder of one community needs."""

    seed: SeedRow
    prefix: str
    as_of: dt.date
    config: Config
    rng: random.Random

    @property
    def name(self) -> str:
        return self.seed.community

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.as_of.year, 1, 1)

    @property
    def place(self) -> str:
        return f"{self.name}社区党群服务中心"


def build_demo(workspace: Workspace, as_of: dt.date) -> list[Path]:
    """Write one demo workbook per community of the bundled config into `workspace.inbox`."""
    config = load_config(None)
    seeds = {row.community: row for row in SEED_TABLE}
    workspace.inbox.mkdir(parents=True, exist_ok=True)
    written = []
    for community in config.communities:
        ctx = _context(config, seeds[community], as_of)
        path = workspace.inbox / f"{community}_台账.xlsx"
        write_ledger_workbook(path, build_sheets(ctx), as_of)
        written.append(path)
    return written


def _context(config: Config, seed: SeedRow, as_of: dt.date) -> _Community:
    rng = random.Random(f"{seed.community}|{as_of.isoformat()}")
    return _Community(seed, ID_PREFIXES[seed.community], as_of, config, rng)


DEMO_MARK = ".demo-workspace"


def run_demo(workspace: Workspace, as_of: dt.date | None = None, out: IO[str] | None = None) -> int:
    """Build the demo workspace afresh and run the whole nightly job on it; 0 when every
    demo workbook is accepted."""
    from pipeline.nightly import run_nightly

    as_of = as_of or dt.date.today()
    _reset(workspace)
    write_demo_config(workspace)
    paths = build_demo(workspace, as_of)
    updates = build_demo_updates(workspace, as_of)
    print(f"演示工作区：{workspace.root}（截至 {as_of.isoformat()}），"
          f"已生成 {len(paths)} 个社区的演示台账和 {len(updates)} 个后续报送的文件。", file=out)
    summary = run_nightly(workspace, as_of=as_of, out=out or sys.stdout)
    ok = bool(summary.files) and all(f.status == "accepted" for f in summary.files)
    print("全部演示台账已接收。" if ok else "有演示台账未通过校验，请查看反馈。", file=out)
    for label, path in (("公开页面", workspace.public / "index.html"),
                        ("统计表", workspace.public / "statistics.html"),
                        ("内部看板", workspace.internal / "index.html"),
                        ("反馈", workspace.feedback)):
        if path.exists():
            print(f"{label}：{path.resolve()}", file=out)
    return 0 if ok else 1


def _reset(workspace: Workspace) -> None:
    """Start from an empty workspace; only a folder the demo made (or an empty one) is cleared."""
    root = workspace.root
    if root.exists() and any(root.iterdir()) and not (root / DEMO_MARK).exists():
        raise SystemExit(f"{root} 不是演示工作区（没有 {DEMO_MARK}），为免误删，请换一个目录。")
    for name in ("inbox", "outbox", "archive", "data"):
        shutil.rmtree(root / name, ignore_errors=True)
    workspace.ensure()
    (root / DEMO_MARK).write_text("demo workspace: cleared by `python -m pipeline demo`\n")


def write_demo_config(workspace: Workspace) -> Path:
    """The bundled 龙凤街道 config plus NEW_LEADER, appointed but heading no community."""
    path = workspace.root / CONFIG_NAME
    path.write_text(DEFAULT_CONFIG.read_text("utf-8") + f"""
# 演示：新任街道班子成员，尚未分配驻点社区（督办清单“领导负责社区数”会列出）。
[[leaders]]
name = "{NEW_LEADER}"
communities = []
""", "utf-8")
    return path


def build_sheets(ctx: _Community) -> dict[type[pa.DataFrameModel], list[Row]]:
    """Every ledger of one community, as rows keyed by Chinese header."""
    roster = _roster(ctx)
    members = [_member(r) for r in roster]
    households = _households(ctx)
    issues = _issues(ctx, members)
    return {
        Roster: roster,
        Household: households,
        Visit: _visits(ctx, households, issues, members),
        Reception: _receptions(ctx, issues, members),
        WorkLog: _work_log(ctx, len([m for m in members if m.team == TEAMS[0]])),
        Issue: issues,
        Schedule: _schedule(ctx, members[0].phone),
        Summary: [_summary(ctx)],
    }


# -- 团队名册 -------------------------------------------------------------------------

def _roster(ctx: _Community) -> list[Row]:
    rng, cfg = ctx.rng, ctx.config
    taken = {lead.name for lead in cfg.leaders} | {NEW_LEADER}
    leader_index = [lead.name for lead in cfg.leaders].index(ctx.seed.leader)
    fmt = {"street": cfg.street, "district": cfg.district, "community": ctx.name}
    street_team, support_team = TEAMS
    head, liaison, member = TEAM_ROLES

    def person(team: str, role: str, identity: str, post: str, phone: str | None = None) -> Row:
        name = _unique_name(rng, taken)
        return _roster_row(ctx, team, name, role, post, phone or _phone(rng, identity), identity)

    rows = [_roster_row(ctx, street_team, ctx.seed.leader, head,
                        f"{cfg.street}{LEADER_POSTS[leader_index % len(LEADER_POSTS)]}",
                        _leader_phone(ctx.seed.leader), "街道班子成员")]
    office = rng.choice(OFFICES)
    rows.append(person(street_team, liaison, "街道中层干部", f"{cfg.street}{office}副主任",
                       _landline(rng)))
    for identity, pattern in rng.sample(STREET_MEMBERS, rng.randint(4, 7)):
        post = pattern.format(office=rng.choice(OFFICES), **fmt)
        rows.append(person(street_team, member, identity, post))
    rows.append(person(support_team, head, "社区两委", f"{ctx.name}社区党委书记、居委会主任",
                       _landline(rng)))
    rows.append(person(support_team, liaison, "社区两委", f"{ctx.name}社区居委会委员",
                       _landline(rng)))
    for identity, pattern in rng.sample(SUPPORT_MEMBERS, rng.randint(2, 4)):
        rows.append(person(support_team, member, identity, pattern.format(**fmt)))
    return rows


def _roster_row(ctx: _Community, team: str, name: str, role: str, post: str, phone: str,
                identity: str) -> Row:
    return {Roster.community: ctx.name, Roster.team: team, Roster.name: name, Roster.role: role,
            Roster.post: post, Roster.phone: phone, Roster.identity: identity}


def _member(row: Row) -> Member:
    return Member(row[Roster.name], row[Roster.team], row[Roster.role], row[Roster.phone])


# -- 户册 -----------------------------------------------------------------------------

def _households(ctx: _Community) -> list[Row]:
    """Exactly 总户数 households, with enough of each type for the visited split."""
    rng, seed = ctx.rng, ctx.seed
    unvisited = seed.total - seed.visited
    businesses = min(seed.total - seed.residents,
                     max(seed.businesses + math.ceil(unvisited * 0.15), round(seed.total * 0.06)))
    units = max(1, round(businesses * 0.12)) if businesses > 1 else 0
    resident_type, shop_type, unit_type = HOUSEHOLD_TYPES
    types = ([resident_type] * (seed.total - businesses) + [shop_type] * (businesses - units)
             + [unit_type] * units)
    rng.shuffle(types)
    rows: list[Row] = []
    for i, kind in enumerate(types):
        grid = i // HOUSEHOLDS_PER_GRID + 1
        if kind == resident_type:
            address = f"{ctx.name}社区{grid}区{rng.randint(1, 40)}栋{rng.randint(1, 9)}0{rng.randint(1, 6)}房"
        elif kind == shop_type:
            address = f"{ctx.name}社区商铺{rng.randint(1, 300)}号"
        else:
            address = f"{ctx.name}社区{rng.randint(1, 20)}号楼"
        rows.append({Household.community: ctx.name, Household.grid: f"第{grid}网格",
                     Household.household_id: f"{ctx.prefix}-{i + 1:05d}", Household.type: kind,
                     Household.address: address})
    return rows


# -- 问题台账 -------------------------------------------------------------------------

def _issues(ctx: _Community, members: Sequence[Member]) -> list[Row]:
    """8–15 issues in every status; some overdue, one closed and rated 不满意."""
    rng, as_of = ctx.rng, ctx.as_of
    open_statuses = [s for s in ISSUE_STATUSES if s != CLOSED]
    count = rng.randint(8, 15)
    statuses = list(ISSUE_STATUSES) + rng.choices(
        ISSUE_STATUSES, weights=(1, 2, 1, 1, 6, 1), k=count - len(ISSUE_STATUSES))
    overdue_forced = rng.choice([s for s in open_statuses if s != "重办"])
    rows: list[Row] = []
    dissatisfied_done = False
    unfed_back = ctx.name in CHANGED_COMMUNITIES  # rare: one recent closure not yet fed back
    for n, status in enumerate(statuses):
        topic = ISSUE_TOPICS[rng.randrange(len(ISSUE_TOPICS))]
        number = rng.randint(1, 40)
        category, description, measures, result, summary = (t.format(n=number) for t in topic)
        closed = feedback = rating = outcome = None
        if status == CLOSED and unfed_back:
            # closed a few days ago, not yet fed back: ISSUE-FEEDBACK warns, nothing more
            registered = as_of - dt.timedelta(days=rng.randint(5, 20))
            closed = as_of - dt.timedelta(days=rng.randint(0, 4))
            due = registered + dt.timedelta(days=rng.randint(3, 30))
            outcome, unfed_back = result, False
        elif status == CLOSED:
            registered = as_of - dt.timedelta(days=rng.randint(10, 150))
            span = (as_of - registered).days
            closed = registered + dt.timedelta(days=rng.randint(0, min(30, span)))
            due = registered + dt.timedelta(days=rng.randint(3, 30))
            feedback = min(as_of, closed + dt.timedelta(days=rng.randint(0, 5)))
            outcome = result
            if not dissatisfied_done:
                rating, dissatisfied_done = DISSATISFIED, True
            else:
                rating = rng.choices(RATINGS, weights=(6, 3, 0, 2))[0]
        elif status == "重办":
            registered = as_of - dt.timedelta(days=rng.randint(30, 90))
            closed = registered + dt.timedelta(days=rng.randint(5, 20))
            feedback = closed + dt.timedelta(days=rng.randint(1, 5))
            rating, outcome = DISSATISFIED, f"首次办理：{result}，群众不满意，重新办理"
            due = as_of + dt.timedelta(days=rng.randint(5, 30))
        elif status == overdue_forced or rng.random() < 0.3:
            registered = as_of - dt.timedelta(days=rng.randint(15, 90))
            due = registered + dt.timedelta(days=rng.randint(5, (as_of - registered).days - 1))
            overdue_forced = "" if status == overdue_forced else overdue_forced
        else:
            registered = as_of - dt.timedelta(days=rng.randint(1, 60))
            due = as_of + dt.timedelta(days=rng.randint(0, 30))
        level = _issue_level(rng, status)
        rows.append({
            Issue.issue_id: "", Issue.community: ctx.name, Issue.registered: registered,
            Issue.source: ISSUE_SOURCES[n] if n < 2 else rng.choice(ISSUE_SOURCES),
            Issue.category: category, Issue.description: description,
            Issue.reporter: _unique_name(rng, set()), Issue.phone: _mobile(rng) if n % 3 else None,
            Issue.owner: rng.choice(members[:3]).name, Issue.level: level,
            Issue.handler_unit: _handler_unit(ctx, rng, level),
            Issue.measures: measures, Issue.due: due, Issue.status: status,
            Issue.closed: closed, Issue.result: outcome, Issue.feedback: feedback,
            Issue.rating: rating, Issue.public_summary: summary if rng.random() < 0.85 else None,
        })
    rows.sort(key=lambda r: r[Issue.registered])
    per_year: dict[int, int] = {}
    for row in rows:
        year = row[Issue.registered].year
        per_year[year] = per_year.get(year, 0) + 1
        row[Issue.issue_id] = f"{ctx.prefix}-{year}-{per_year[year]:03d}"
    return rows


def _issue_level(rng: random.Random, status: str) -> str:
    if status == "已上报":
        return rng.choice(ISSUE_LEVELS[2:])
    return rng.choices(ISSUE_LEVELS, weights=(9, 6, 3, 1))[0]


def _handler_unit(ctx: _Community, rng: random.Random, level: str) -> str:
    street, district = ctx.config.street, ctx.config.district
    return {
        ISSUE_LEVELS[0]: f"{ctx.name}社区居委会",
        ISSUE_LEVELS[1]: f"{street}{rng.choice(OFFICES)}",
        ISSUE_LEVELS[2]: f"{district}{rng.choice(DISTRICT_UNITS)[1:]}",
        ISSUE_LEVELS[3]: f"{district}人民政府办公室",
    }[level]


# -- 走访登记 -------------------------------------------------------------------------

def _visits(ctx: _Community, households: Sequence[Row], issues: Sequence[Row],
            members: Sequence[Member]) -> list[Row]:
    """Distinct visited households exactly as the seed's split, plus 外出务工/外来人员 rows."""
    rng, seed = ctx.rng, ctx.seed
    days = _days(ctx.year_start, ctx.as_of)
    visitors = [m.name for m in members]
    resident_type = HOUSEHOLD_TYPES[0]
    residents = [h for h in households if h[Household.type] == resident_type]
    others = [h for h in households if h[Household.type] != resident_type]
    visited = rng.sample(residents, seed.residents) + rng.sample(others, seed.businesses)
    repeats = rng.sample(visited, len(visited) // 5)
    repeats += rng.sample(repeats, len(repeats) // 4)
    methods, method_weights = VISIT_METHODS, (12, 2, 1, 3, 1, 2, 1)

    def household_visit(h: Row) -> Row:
        kind = h[Household.type]
        return _visit_row(ctx, rng.choice(days), kind, h[Household.household_id],
                          rng.randint(1, 4), rng.choices(methods, weights=method_weights)[0],
                          rng.choice(visitors), rng.choice(VISIT_NOTES[kind]))

    rows = [household_visit(h) for h in visited + repeats]
    cited = [i for i in issues if i[Issue.source] == ISSUE_SOURCES[1]]
    for issue, row in zip(cited, rng.sample(rows, min(len(cited), len(rows))), strict=False):
        row[Visit.date] = max(issue[Issue.registered], ctx.year_start)
        row[Visit.issue_id] = issue[Issue.issue_id]
        row[Visit.notes] = f"群众反映：{issue[Issue.description]}，已登记问题台账"
    outgoing_type, newcomer_type = VISIT_TARGETS[3], VISIT_TARGETS[4]
    cap = max(3, seed.outgoing // 40)
    for people in _split(rng, seed.outgoing, cap):
        rows.append(_visit_row(ctx, rng.choice(days), outgoing_type, None, people,
                               rng.choice(("电话联系", "网络联系", "座谈访谈")), rng.choice(visitors),
                               rng.choice(VISIT_NOTES[outgoing_type])))
    for _ in range(rng.randint(3, 6)):
        rows.append(_visit_row(ctx, rng.choice(days), newcomer_type, None, rng.randint(1, 5),
                               rng.choice(("入户走访", "座谈访谈")), rng.choice(visitors),
                               rng.choice(VISIT_NOTES[newcomer_type])))
    rows.sort(key=lambda r: r[Visit.date])
    return rows


def _visit_row(ctx: _Community, day: dt.date, kind: str, household_id: str | None, people: int,
               method: str, visitor: str, notes: str) -> Row:
    return {Visit.date: day, Visit.community: ctx.name, Visit.target_type: kind,
            Visit.household_id: household_id, Visit.headcount: people, Visit.method: method,
            Visit.visitor: visitor, Visit.notes: notes, Visit.issue_id: None}


# -- 接待登记 -------------------------------------------------------------------------

def _receptions(ctx: _Community, issues: Sequence[Row], members: Sequence[Member]) -> list[Row]:
    """Rows whose 来访人数 add up to 接待群众数; each 接待-sourced issue is a 转办 row."""
    rng = ctx.rng
    days = _days(ctx.year_start, ctx.as_of)
    receivers = [m.name for m in members[:4]]
    places = (ctx.place, f"{ctx.name}社区居委会接待室")
    referred = [i for i in issues if i[Issue.source] == ISSUE_SOURCES[0]]
    counts = _split(rng, ctx.seed.received, 3)
    rng.shuffle(counts)
    other_handling = [h for h in RECEPTION_HANDLING if h != REFERRED]
    rows: list[Row] = []
    for k, visitors in enumerate(counts):
        issue = referred[k] if k < len(referred) else None
        day = max(issue[Issue.registered], ctx.year_start) if issue else rng.choice(days)
        rows.append({
            Reception.date: day, Reception.community: ctx.name, Reception.place: rng.choice(places),
            Reception.receiver: rng.choice(receivers), Reception.visitors: visitors,
            Reception.visitor_name: _unique_name(rng, set()),
            Reception.phone: _mobile(rng) if rng.random() < 0.8 else None,
            Reception.matter: issue[Issue.description] if issue else rng.choice(RECEPTION_MATTERS),
            Reception.handling: REFERRED if issue else rng.choices(other_handling,
                                                                   weights=(4, 4, 2))[0],
            Reception.issue_id: issue[Issue.issue_id] if issue else None,
        })
    rows.sort(key=lambda r: r[Reception.date])
    return rows


# -- 工作台账 -------------------------------------------------------------------------

def _work_log(ctx: _Community, team_size: int) -> list[Row]:
    """Every fixed stationing day of the last weeks, plus two 灵活驻点 afternoons."""
    rng, as_of = ctx.rng, ctx.as_of
    fixed_weekday = ctx.config.policy.stationing_weekday - 1
    last = as_of - dt.timedelta(days=(as_of.weekday() - fixed_weekday) % 7)
    gap = ctx.name == GAP_COMMUNITY  # one week never filed: still WORK_LOG_WEEKS sessions
    fixed = [last - dt.timedelta(weeks=w) for w in range(WORK_LOG_WEEKS + gap)
             if not (gap and w == GAP_WEEK)]
    flex = [fixed[w] + dt.timedelta(days=2) for w in rng.sample(range(1, WORK_LOG_WEEKS), 2)]
    flex_kind = STATION_KINDS[1]
    rows: list[Row] = []
    for day, kind in sorted([(d, FIXED_DAY) for d in fixed] + [(d, flex_kind) for d in flex]):
        start, end = (FIXED_START, FIXED_END) if kind == FIXED_DAY else (FLEX_START, FLEX_END)
        collected = rng.randint(0, 6)
        rows.append({
            WorkLog.community: ctx.name, WorkLog.date: day, WorkLog.start: start,
            WorkLog.end: end, WorkLog.place: ctx.place, WorkLog.leader: ctx.seed.leader,
            WorkLog.participants: rng.randint(min(4, team_size), team_size),
            WorkLog.visited: rng.randint(8, 30), WorkLog.received: rng.randint(0, 12),
            WorkLog.collected: collected, WorkLog.solved: rng.randint(0, collected),
            WorkLog.kind: kind,
            WorkLog.remarks: None if kind == FIXED_DAY else "针对群众集中反映的问题开展专题走访",
        })
    return rows


# -- 驻点安排 -------------------------------------------------------------------------

def _schedule(ctx: _Community, leader_phone: str) -> list[Row]:
    """The next fixed days, published ahead; some communities also change and cancel one."""
    as_of = ctx.as_of
    fixed_weekday = ctx.config.policy.stationing_weekday - 1
    first = as_of + dt.timedelta(days=(fixed_weekday - as_of.weekday() - 1) % 7 + 1)
    regular, changed, cancelled = SCHEDULE_KINDS

    def session(day: dt.date, published: dt.date, kind: str, place: str = ctx.place,
                reason: str | None = None) -> Row:
        return {Schedule.community: ctx.name, Schedule.date: day, Schedule.start: FIXED_START,
                Schedule.end: FIXED_END, Schedule.place: place, Schedule.leader: ctx.seed.leader,
                Schedule.phone: leader_phone, Schedule.published: published, Schedule.kind: kind,
                Schedule.reason: reason}

    days = [first + dt.timedelta(weeks=w) for w in range(SCHEDULE_WEEKS)]
    rows = [session(day, as_of - dt.timedelta(days=6), regular) for day in days]
    if ctx.name in CHANGED_COMMUNITIES:
        rows.append(session(days[1], as_of, changed, f"{ctx.name}社区居委会二楼会议室",
                            "党群服务中心场地维修，驻点地点改到社区居委会二楼会议室"))
        rows.append(session(days[2], as_of, cancelled, ctx.place,
                            "因全区集中学习，本次驻点取消，顺延至下周同一时间"))
    return rows


# -- 社区汇总 -------------------------------------------------------------------------

def _summary(ctx: _Community) -> Row:
    s = ctx.seed
    return {Summary.as_of: ctx.as_of, Summary.leader: s.leader, Summary.community: s.community,
            Summary.total: s.total, Summary.visited: s.visited, Summary.residents: s.residents,
            Summary.businesses: s.businesses, Summary.rate: None, Summary.received: s.received,
            Summary.outgoing: s.outgoing}


# -- later submissions: one case of each kind for the internal supervision list ---------

# The demo's config is the bundled one plus a newly appointed street leader who heads no
# community yet (LEADER-SPAN), so the statistics keep the seed's leaders. 龙导's team
# shrinks to four (TEAM-SIZE); 状元 gains a member. 鹤兴 corrects two past sessions
# (DAY-WEEKDAY, DAY-HALF), announces a same-day change (NOTICE-LEAD) and reports an issue
# closed without feedback (ISSUE-FEEDBACK). Roster changes follow from the new rosters.
NEW_LEADER = "陈志强"
ROSTER_UPDATES = ("龙导", "状元")
SHRUNK_TEAM = ("龙导", 4)
CORRECTING = "鹤兴"
MOVED_WEEK, SHORT_WEEK = 3, 5          # weeks back of the corrected sessions
SHORT_START = "09:00"                  # 09:00–12:00: three hours
UNFED_BACK_DAYS = 20                   # the issue was closed this many days before as_of


def build_demo_updates(workspace: Workspace, as_of: dt.date) -> list[Path]:
    """Write the demo's later submissions into `workspace.inbox`, newer than build_demo's."""
    config = load_config(None)
    seeds = {row.community: row for row in SEED_TABLE}
    sheets: dict[str, dict[type[pa.DataFrameModel], list[Row]]] = {}
    for community in ROSTER_UPDATES:
        base = build_sheets(_context(config, seeds[community], as_of))
        sheets[f"{community}_团队名册调整.xlsx"] = {Roster: _roster_update(config, base[Roster],
                                                                         as_of)}
    base = build_sheets(_context(config, seeds[CORRECTING], as_of))
    sheets[f"{CORRECTING}_台账更正.xlsx"] = _corrections(base, as_of)
    newest = max((p.stat().st_mtime_ns for p in workspace.inbox.iterdir()), default=0)
    written = []
    for k, (name, content) in enumerate(sheets.items(), start=1):
        path = workspace.inbox / name
        write_ledger_workbook(path, content, as_of)
        stamp = newest + k * 1_000_000_000  # taken after the first workbooks, in this order
        os.utime(path, ns=(stamp, stamp))
        written.append(path)
    return written


def _roster_update(config: Config, roster: list[Row], as_of: dt.date) -> list[Row]:
    rows = [dict(r) for r in roster]
    community = rows[0][Roster.community]
    street_team = TEAMS[0]
    street = [r for r in rows if r[Roster.team] == street_team]
    support = [r for r in rows if r[Roster.team] != street_team]
    if community == SHRUNK_TEAM[0]:
        return street[:SHRUNK_TEAM[1]] + support
    rng = random.Random(f"update|{community}|{as_of.isoformat()}")
    taken = {r[Roster.name] for r in rows} | {lead.name for lead in config.leaders} | {NEW_LEADER}
    joined = _roster_row(_context(config, _seed(community), as_of), street_team,
                         _unique_name(rng, taken), TEAM_ROLES[2], f"{config.street}志愿服务队队员",
                         _mobile(rng), "志愿者")
    return street + [joined] + support


def _seed(community: str) -> SeedRow:
    return next(row for row in SEED_TABLE if row.community == community)


def _corrections(base: dict[type[pa.DataFrameModel], list[Row]],
                 as_of: dt.date) -> dict[type[pa.DataFrameModel], list[Row]]:
    """Every 工作台账 row of two past weeks (a sheet replaces whole weeks), one fixed day
    moved to the next day and one cut short; a change announced on the day; one issue."""
    log = base[WorkLog]
    fixed = sorted((r for r in log if r[WorkLog.kind] == FIXED_DAY), key=lambda r: r[WorkLog.date],
                   reverse=True)
    moved, short = fixed[MOVED_WEEK], fixed[SHORT_WEEK]
    weeks = {moved[WorkLog.date].isocalendar()[:2], short[WorkLog.date].isocalendar()[:2]}
    rows = []
    for row in log:
        if row[WorkLog.date].isocalendar()[:2] not in weeks:
            continue
        row = dict(row)
        if row[WorkLog.date] == moved[WorkLog.date] and row[WorkLog.kind] == FIXED_DAY:
            row[WorkLog.date] += dt.timedelta(days=1)
            row[WorkLog.remarks] = "原定驻点日遇区集中学习，顺延一天"
        elif row[WorkLog.date] == short[WorkLog.date] and row[WorkLog.kind] == FIXED_DAY:
            row[WorkLog.start] = SHORT_START
            row[WorkLog.remarks] = "上午先参加街道例会，推迟开始"
        rows.append(row)
    today = fixed[0]
    notice = {Schedule.community: today[WorkLog.community], Schedule.date: today[WorkLog.date],
              Schedule.start: FIXED_START, Schedule.end: FIXED_END,
              Schedule.place: f"{today[WorkLog.community]}社区居委会二楼会议室",
              Schedule.leader: today[WorkLog.leader], Schedule.phone: _leader_phone(
                  today[WorkLog.leader]),
              Schedule.published: today[WorkLog.date], Schedule.kind: SCHEDULE_KINDS[1],
              Schedule.reason: "党群服务中心临时停电，驻点地点改到社区居委会二楼会议室"}
    out: dict[type[pa.DataFrameModel], list[Row]] = {WorkLog: rows, Schedule: [notice]}
    closed = as_of - dt.timedelta(days=UNFED_BACK_DAYS)
    issue = next((dict(i) for i in base[Issue] if i[Issue.status] not in (CLOSED, "重办")
                  and i[Issue.registered] <= closed), None)
    if issue is not None:
        issue.update({Issue.status: CLOSED, Issue.closed: closed,
                      Issue.result: f"已{issue[Issue.measures]}，问题解决", Issue.feedback: None,
                      Issue.rating: None})
        out[Issue] = [issue]
    return out


# -- helpers --------------------------------------------------------------------------

def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Working days from first to last (every day when there is no working day)."""
    every = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    return [d for d in every if d.weekday() < 5] or every


def _split(rng: random.Random, total: int, cap: int) -> list[int]:
    """Positive parts of at most `cap` that add up to `total`."""
    parts = []
    while total > 0:
        part = rng.randint(1, min(cap, total))
        parts.append(part)
        total -= part
    return parts


def _unique_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
        name = rng.choice(SURNAMES) + given
        if name not in taken:
            taken.add(name)
            return name


def _landline(rng: random.Random) -> str:
    return f"020-8420{rng.randint(0, 9999):04d}"


def _mobile(rng: random.Random) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"


def _phone(rng: random.Random, identity: str) -> str:
    return _landline(rng) if identity in ("科室负责人", "党员干部", "服务站点") else _mobile(rng)


def _leader_phone(leader: str) -> str:
    """A leader heads several communities: the same office phone on every roster."""
    return _landline(random.Random(f"phone|{leader}"))


DEMO_NOTE = "本工作簿为演示数据：人名、电话、地址、事项均为虚构，数字与种子统计表一致。"


def write_ledger_workbook(path: Path, sheets: dict[type[pa.DataFrameModel], list[Row]],
                          created: dt.date, creator: str = "驻点台账演示",
                          note: str = DEMO_NOTE) -> int:
    """Sheets and headers straight from the schemas, in the order of `schemas.LEDGERS`,
    after a 说明 sheet carrying `note`; returns the number of data rows written."""
    book = Workbook(write_only=True)
    book.properties.creator = creator
    book.properties.created = dt.datetime.combine(created, dt.time())
    book.create_sheet(README_SHEET).append([note])
    rows = 0
    for model in LEDGERS.values():
        if model not in sheets:  # a later submission carries only the sheets it changes
            continue
        headers = [spec.header for spec in field_specs(model)]
        sheet = book.create_sheet(model.Config.name)
        for col, header in enumerate(headers, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = max(10, 2.2 * len(header) + 2)
        sheet.append(headers)
        for row in sheets[model]:
            sheet.append([row.get(header) for header in headers])
        rows += len(sheets[model])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return rows
