"""Every Chinese text a clerk or the street office reads about a finding, keyed by rule.

Keys are rule IDs (DOMAIN.md, INTERFACE.md), with a `.variant` where one rule says
different things. Placeholders are filled with `say(key, **values)`.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    # --- the file as a whole -------------------------------------------------------------
    "FILE.duplicate": "本文件与{received}收到的“{earlier}”内容完全相同，已经收到过，这次不再合并；下面是那次的检查结果。",
    "FILE.missing": "找不到文件“{path}”，请检查文件名和位置。",
    "FILE.empty": "文件是空的（0字节），请重新保存为Excel工作簿（.xlsx）后再提交。",
    "FILE.not_zip": "这不是Excel工作簿（.xlsx）文件，可能是改了扩展名的文本或CSV文件。请在Excel中“另存为”Excel工作簿（.xlsx）后再提交。",
    "FILE.xls": "这是旧版Excel格式（.xls，Excel 97-2003）。请在Excel中“另存为”Excel工作簿（.xlsx）后再提交。",
    "FILE.other_format": "这是{kind}文件，不是Excel工作簿（.xlsx）。请在Excel或WPS中“另存为”Excel工作簿（.xlsx）后再提交。",
    "FILE.encrypted": "工作簿设置了打开密码，系统无法读取。请取消密码（文件→信息→保护工作簿）后再提交。",
    "FILE.corrupt": "文件已损坏或不完整（{detail}），无法打开。请重新从Excel保存后再提交。",
    "FILE.too_big": "文件太大（{size}），超过上限{limit}。请按社区或按周拆分后分别提交。",
    "FILE.bomb": "文件解压后过大（{size}，压缩比{ratio}倍），超过安全上限{limit}，为保护系统拒绝读取。请检查文件是否正常，删除无关内容后再提交。",
    "FILE.entity": "文件中含有不允许的XML声明（DOCTYPE/ENTITY），为安全起见拒绝读取。请用Excel重新保存后再提交。",
    "FILE.extent": "工作表“{sheet}”的数据范围过大（到{cell}，共{rows}行×{cols}列），超过上限{max_rows}行×{max_cols}列。请删除表格下方和右侧无关的单元格后再提交。",
    "FILE.cell_too_long": "工作表“{sheet}”中有单元格内容过长（{size}），超过上限{limit}。请检查是否误粘贴了大量文字。",
    "FILE.crashed": "读取文件时处理程序异常退出（{detail}），文件未能校验。这不是您的错误，请联系街道信息员。",
    "FILE.timeout": "读取文件超时（超过{seconds}秒）未完成，文件未能校验。请检查文件是否过大，或联系街道信息员。",
    "FILE.no_sheets": "工作簿中没有可识别的台账工作表。工作表名称应为：{expected}。",
    "FILE.unreadable": "无法读取文件：{detail}。请重新从Excel保存为.xlsx后再提交。",
    "FILE.damaged": "无法读取文件：文件内容已损坏或不完整（可能是复制或下载中断），Excel中的数据读不出来。"
                    "请在Excel中打开原文件，另存为.xlsx后重新提交。（技术信息：{detail}）",
    "FILE.check_crashed": "校验未完成：检查“{check}”时系统出错（{detail}）。这不是您的错误，请联系街道信息员。",
    # --- the nightly run -----------------------------------------------------------------
    "RUN.publish_failed": "运行失败：生成统计表、督办清单和公开栏时出错，本次运行已撤销。数据库保持原样，"
                          "本次{files}个文件仍在收件箱中，outbox和反馈仍是上次的结果；排除故障后再运行一次即可。"
                          "错误：{detail}",
    "RUN.publish_failed_kept": "运行失败：生成统计表、督办清单和公开栏时出错，且未能撤销本次运行：本次{files}个文件"
                               "已记入数据库，收件箱中的文件下次运行将作为重复提交处理；outbox和反馈仍是上次的结果，"
                               "排除故障后再运行一次即可重新生成。错误：{detail}",
    "RUN.locked": "另一个运行正在进行（进程{pid}，主机{host}，开始于{since}），本次不运行。请等它结束后再试。",
    "RUN.changed_since": "{file}在核对期间又有改动（可能还在复制或又保存了一次），已核对的是改动前的版本；"
                         "新版本留在收件箱，下次运行再处理。",
    "RUN.changing": "{file}在读取时仍在变化（可能正在复制），本次不处理，留在收件箱等下次运行。",
    "RUN.accepted": "已接收",
    "RUN.rejected": "未通过，已退回（见反馈）",
    "RUN.duplicate": "与{earlier}（{received}）内容完全相同，不重复合并",
    # --- sheets and headers --------------------------------------------------------------
    "SHEET.unknown": "工作表“{sheet}”不是台账工作表，已忽略。台账工作表名称应为：{expected}（说明页请命名为“说明”）。",
    "SHEET.same_kind": "工作表“{sheet}”和“{other}”都是{kind}，两表的行都已收入。"
                       "请确认同一条记录没有在两表中重复登记（最好合并成一个工作表）。",
    "SHEET.empty": "工作表“{sheet}”没有数据行，已跳过。",
    "SHEET.hidden_rows": "第{rows}行是隐藏行，仍按数据读取。如这些行不应提交，请删除而不是隐藏。",
    "SHEET.total_row": "这一行是合计/小计行，已跳过，不计入数据（系统会自动计算合计）。",
    "SHEET.footnote": "这一行是表格下方的备注/落款（如“填表人”“注：”），不是数据，已跳过。",
    "SHEET.blank_rows": "第{rows}行是空行，已跳过。",
    "HEADER.missing": "缺少表头“{header}”。请在表头行补上这一列（参见模板“说明”页）。",
    "HEADER.not_found": "找不到表头行：工作表“{sheet}”前{scan}行中没有一行像“{expected}”这样的表头。",
    "HEADER.unknown": "表头“{value}”不是{ledger}的列，这一列未读取。应有的列为：{expected}。",
    "HEADER.duplicate": "表头“{header}”出现了不止一次（另见{other}列），请只保留一列。",
    "HEADER.unheaded": "这一列没有表头，但有数据（如{cell}“{value}”），未读取。请补上表头或删除这些数据。",
    # --- cells ---------------------------------------------------------------------------
    "REQUIRED": "“{column}”必须填写，这里是空的。示例：{example}。",
    "REQUIRED.blank_row": "这一行只填了部分内容？“{columns}”等必填项都是空的。如是多余的行请删除。",
    "REQUIRED.household": "对象类型为“{target}”时必须填写户编号（户册中的编号），示例：{example}。",
    "REQUIRED.referral": "处理方式为“转办”时必须填写问题编号（问题台账中的编号），示例：{example}。",
    "REQUIRED.change_reason": "安排类型为“{kind}”时必须填写变更说明，向群众说明原因。",
    "TYPE.date": "“{value}”不是有效日期。请填写日期，如 2026-11-03、2026/11/3 或 2026年11月3日。",
    "TYPE.date_range": "“{value}”的年份不对（应在1900年至2099年之间），可能是输错了，如 {example}。",
    "TYPE.date_weekday": "“{value}”里的日期和星期对不上，请核对是日期还是星期写错了。",
    "TYPE.time": "“{value}”不是有效时间。请填写 时:分，如 08:30 或 14:00。",
    "TYPE.int": "“{value}”不是整数。请只填阿拉伯数字，如 {example}。",
    "TYPE.int_range": "“{value}”太大，不像是一个人数或户数，请检查是否多输了数字，如 {example}。",
    "TYPE.percent": "“{value}”不是有效的百分比。请填写如 58.28% 或 0.5828，也可以不填（系统自动计算）。",
    "TYPE.error_value": "单元格是Excel错误值“{value}”，请修正公式或直接填写数值。",
    "TYPE.formula_no_value.computed": "单元格是公式（{value}）但没有计算结果，已忽略：走访率由系统按已走访户数÷总户数计算。",
    "TYPE.formula_no_value": "单元格是公式（{value}）但没有计算结果。请在Excel中打开、重新计算并保存，或直接填写数值。",
    "CHOICE": "“{value}”不是允许的值。{column}只能填：{choices}。",
    "CHOICE.community": "“{value}”不是本街道的社区。社区只能填：{choices}。",
    "FORMAT.phone": "“{value}”不是有效的电话号码。请填写11位手机号（如13800138000）或固定电话（如020-84201234）。",
    "FORMAT.private_summary": "公开摘要里有群众的姓名、手机号或身份证号（打码的也不行）。"
                              "公开摘要会贴在公开栏，不能含群众个人信息，请改写（如“协调更换3栋楼道灯”）。",
    "FORMAT.private_known": "{column}会贴在公开栏，但里面有本社区群众的姓名或户册中的住址（系统中登记过的反映人、"
                            "来访人或户册地址）。请改写，如“协调更换3栋楼道灯”。",
    "FORMAT.private_notice": "{column}会原样贴在公开栏，不能含群众的手机号、身份证号或打码的姓名（如王某）。"
                             "公开的联系电话请填在“联系电话”一列。",
    "FORMAT.invisible": "有{count}个单元格含有不可见字符（如零宽空格、全角空格），已自动去除后读取：{cells}。",
    "RANGE.min": "{column}“{value}”不能小于{minimum}。",
    "RANGE.solved": "现场解决数{value}大于收集问题数{other}，现场解决数不能多于收集的问题数。",
    "RANGE.end_time": "结束时间{value}不晚于开始时间{other}，请检查。",
    "RANGE.future": "日期{value}晚于今天（{today}），请检查是否填错。",
    "UNIQUE.history": "{columns}“{value}”在第{others}行也出现：按后面这一行为准，前面的行作为办理过程保留在历史中。"
                      "如果是编号填错了，请改正。",
    "UNIQUE.other_sheet": "{columns}“{value}”在{other}已经登记过：同一份台账分在几个工作表里，每条也只能登记一次。"
                          "请删去重复的行（或重复的工作表）。",
    "UNIQUE.same_row": "这一行与{other}完全相同，两行都会计入统计。若是重复粘贴，请删去一行；确是两次记录请忽略本提醒。",
    "UNIQUE": "{columns}“{value}”重复出现（另见第{others}行），每个{what}只能登记一次。",
    # --- the rules of 五定四全 -----------------------------------------------------------
    "TEAM-HEAD.missing": "{community}{team}没有{role}：每个团队必须恰有一名{role}。",
    "TEAM-HEAD.many": "{community}{team}有{count}名{role}（第{rows}行）：每个团队只能有一名{role}。",
    "TEAM-LEADER-KIND": "{team}负责人{name}的身份是“{value}”，按制度应为“{expected}”。请核对。",
    "ISSUE-OWNER": "“{column}”必须填写：每个问题都要明确责任人、完成时限和办理措施（全记录）。",
    "ISSUE-DATES.due": "完成时限{value}早于登记日期{other}。完成时限不能早于登记日期。",
    "ISSUE-DATES.closed": "办结日期{value}早于登记日期{other}。办结日期不能早于登记日期。",
    "ISSUE-DATES.feedback": "反馈日期{value}早于办结日期{other}。应在办结后反馈。",
    "ISSUE-CLOSED.date": "办理状态为“已办结”，但没有填写办结日期。",
    "ISSUE-CLOSED.result": "办理状态为“已办结”，但没有填写办理结果。",
    "ISSUE-FEEDBACK": "问题已办结，但还没有填写反馈日期：办理结果要向群众反馈（全公开）。",
    "SUM-BOUND": "已走访户数{value}大于总户数{other}。已走访户数不能超过总户数。",
    "SUM-SPLIT": "群众{residents}户 + 企业/工商户{businesses}户 = {total}户，不等于已走访户数{value}户。请核对这三个数。",
    "SUM-RATE": "填写的走访率{value}与计算值不符：{visited}÷{total} = {computed}。走访率由系统计算，可以不填。",
    "SUM-MONOTONE": "{column}{value}比此前报送的{other}（截至{date}）少。本年累计数不应减少，请核对。",
    "SUM-MONOTONE.later": "{column}{value}比之后报送的{other}（截至{date}）多。本年累计数不应减少，请核对。",
    "SHEET.replaces_beyond": "本表有{week}的记录。按规则，新交的{ledger}会整体替换{community}社区这一周以前交过的记录，"
                             "其中{days}的{count}条不在本表中，将被删除（常见于按月填报时，一周跨两个月）。"
                             "如需保留，请把这几天的记录也填进本表后重新提交。",
    "SHEET.reference_copy": "工作表“{sheet}”看起来是留作参考的“{kind}”副本（本文件另有“{kind}”表），没有读取。"
                            "如果它的内容也要提交，请把它并入“{kind}”表或改名后重新提交。",
    "SHEET.hidden": "工作表“{sheet}”是隐藏的，已按“{kind}”读取并计入。如果它只是留作参考的旧表，请删除它或把名字改掉后重新提交。",
    "SHEET.shrunk": "{ledger}中{community}社区只有{sent}{unit}，系统中现有{held}{unit}，少了一半以上。"
                    "{ledger}会整体替换原有的{ledger}，没有列出的将被删除：请确认这是完整的{ledger}，"
                    "而不只是新增或修改的几行。",
    "SUM-ASOF": "没有找到统计截至日期（表头标题处或“统计截至日期”列），已按运行日期{today}处理。",
    "SUM-ASOF.blank": "第{rows}行的统计截至日期是空的（标题处也没有），这些行已按运行日期{today}处理。"
                      "请填写这些数字截至的日期，如 2026-11-30。",
    "REF-HOUSEHOLD": "户编号{value}不在{community}社区户册中。请核对户编号，或先提交包含这一户的户册。",
    "REF-HOUSEHOLD.no_base": "系统中还没有{community}社区的户册，无法核对户编号。请在本文件中加入“户册”工作表，或先提交户册。",
    "REF-MEMBER.no_roster": "系统中还没有{community}社区的团队名册，无法核对人员姓名。请在本文件中加入“团队名册”工作表，或先提交团队名册。",
    "REF-ISSUE": "问题编号{value}在问题台账中找不到。请核对编号，或在问题台账中登记这个问题。",
    "REF-MEMBER": "“{value}”不在{community}社区的团队名册中。请核对姓名，或更新团队名册。",
    "ISSUE-ESCALATION": "问题{issue}的办理层级从“{before}”变为“{value}”：办理层级只能逐级上升（驻点团队→街道→区直单位→区委区政府）。",
}


def say(key: str, **values: Any) -> str:
    """The catalogue text for `key` with its placeholders filled."""
    return MESSAGES[key].format(**values)
