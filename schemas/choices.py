"""Allowed values shared by more than one ledger (DOMAIN.md)."""

TEAMS = ("驻点团队", "辅助团队")
TEAM_ROLES = ("负责人", "联络员", "成员")
IDENTITIES = (
    "街道班子成员", "街道中层干部", "科室负责人", "党员干部", "党代表", "人大代表", "政协委员",
    "社区两委", "服务站点", "群团组织", "社会组织", "志愿者", "党员群众", "其他",
)
HOUSEHOLD_TYPES = ("居民户", "个体工商户", "驻社区单位")
RESIDENT_TYPE = "居民户"
VISIT_TARGETS = HOUSEHOLD_TYPES + ("外出务工人员", "外来人员")
OUTGOING_WORKERS = "外出务工人员"
VISIT_METHODS = ("入户走访", "定点接访", "重点约访", "走访慰问", "座谈访谈", "电话联系", "网络联系")
RECEPTION_HANDLING = ("现场解决", "转办", "解释答复", "记录备案")
REFERRED = "转办"
STATION_KINDS = ("固定驻点日", "灵活驻点", "现场办公会")
FIXED_DAY = "固定驻点日"
ISSUE_SOURCES = ("接待", "走访", "约访", "座谈", "电话", "网络", "其他")
ISSUE_CATEGORIES = (
    "民生微实事", "环境卫生", "治安维稳", "市政设施", "社会保障", "城市管理", "矛盾纠纷",
    "政策咨询", "意见建议", "其他",
)
ISSUE_LEVELS = ("驻点团队", "街道", "区直单位", "区委区政府")  # escalation order
ISSUE_STATUSES = ("待办理", "办理中", "已上报", "延期", "已办结", "重办")
CLOSED = "已办结"
IN_PROGRESS = "办理中"
RATINGS = ("满意", "基本满意", "不满意", "未评价")
DISSATISFIED = "不满意"
UNRATED = "未评价"
SCHEDULE_KINDS = ("常规", "变更", "取消")
SCHEDULE_CHANGES = ("变更", "取消")
