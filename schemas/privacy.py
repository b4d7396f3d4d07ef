"""What gives a resident away in text bound for the notice board (DOMAIN: Public and private).

A resident's name, phone or ID number never appears in public text, "not even masked".
Names in general cannot be told apart from words, so the checks are: the resident's own
name and phone where the row records them (written out, masked, or as surname and form
of address), any common surname masked, and any mobile or ID number, whole or starred.
Office numbers (020-…) may stay, and so may the official phones a row itself publishes.
"""

import re

_MASKED = "*＊×xX"
# a mobile (13912345678, 139 1234 5678, 139****5678, 1391234****) or an ID number (18
# characters, 440105199001011234, 4401**********1234), whole or partly starred
PERSONAL_NUMBER = re.compile(
    rf"(?<![\d{_MASKED}])(?:1[3-9]\d(?:[-\s]?[\d{_MASKED}]){{8}}"
    rf"|[1-9]\d{{3}}[\d{_MASKED}]{{13}}[\d{_MASKED}])(?![\d{_MASKED}])")
# a surname masked the way notices often do it (陈某, 陈某某, 陈*): common surnames that are
# seldom anything else, so that 某 after an ordinary word (于某日, 向某单位, 工程某段) stays text
MASKED_NAME = re.compile("[王李张刘陈杨黄赵吴周徐孙朱郭林罗郑宋唐韩冯邓曹彭曾肖董袁潘蒋蔡杜叶苏魏"
                         "吕丁沈姚卢崔谭陆汪廖贾夏邹孟熊秦邱麦冼骆岑][某*＊×○〇]")
MASK = "某*＊×xX○〇"
# what a clerk calls a resident by: the surname and a form of address (王先生, 王阿姨)
ADDRESSED = ("先生", "女士", "小姐", "阿姨", "大妈", "大爷", "大叔", "大姐", "阿伯", "伯伯", "阿婆",
             "婆婆", "奶奶", "爷爷", "师傅", "老伯", "姨", "叔", "伯", "婆")
# a 反映人 that names nobody (匿名, 居民, 热心市民): the summary may say so
NOBODY = ("匿名", "居民", "群众", "市民", "村民", "业主", "住户", "商户", "租户", "不详", "未知",
          "未留", "不愿", "网友", "来电", "来访")


# who can be told from a word by name alone: a common surname (or a compound one) and one
# or two more characters, none of the words of a place, a post or an organisation
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
                     "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
                     "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤麦伍关区冼骆甘植欧岑简容温利佘古凌谷邝")
COMPOUND_SURNAMES = ("欧阳", "司徒", "上官", "诸葛", "司马", "东方", "尉迟", "公孙", "慕容", "夏侯")
NOT_A_NAME = ("公司", "物业", "中心", "委员", "楼长", "网格", "社区", "街道", "办事", "服务", "管理",
              "工作", "单位", "商店", "超市", "医院", "学校", "派出", "居委", "业委", "小区", "花园")
_CJK = re.compile(r"[\u4e00-\u9fff]{3,4}")


def split_names(cell: str) -> list[str]:
    """The names in one cell as clerks write them: 王秀芳、李国明 or 王秀芳 李国明 are two;
    王　大妈 (padded to align) is one."""
    names: list[str] = []
    for part in re.split(r"[、，,;；/／]", cell):
        pieces = part.split()
        if len(pieces) > 1 and all(len(p) >= 2 for p in pieces):
            names += pieces
        elif pieces:
            names.append("".join(pieces))
    return names


def is_personal_name(text: str) -> bool:
    """Whether `text` reads as a person's full name (陈国强, 欧阳建华), not a post or a
    group (楼长, 物业公司) and not two characters (高峰, 周平: words as often as names)."""
    return bool(_CJK.fullmatch(text)) and (text[0] in SURNAMES or text.startswith(
        COMPOUND_SURNAMES)) and not any(word in text for word in NOT_A_NAME + NOBODY)


class KnownResidents:
    """The residents of a community that the records name, to be kept off public text:
    full names (3–4 characters), their given names with a form of address (秀娟阿姨), and
    the addresses of its 居民户."""

    def __init__(self, names: set[str], addresses: set[str]) -> None:
        self.names = {n for n in names if is_personal_name(n)}
        self.givens = {n[1:] for n in self.names if len(n) >= 3}
        self.addresses = {a for a in ("".join(x.split()) for x in addresses) if len(a) >= 6}

    def found_in(self, text: str) -> bool:
        """Whether `text` names one of them: a look-up per character, not per name, so it
        costs the same with ten names known or ten thousand."""
        squeezed = "".join(text.split())
        for i in range(len(squeezed)):
            if squeezed[i:i + 3] in self.names or squeezed[i:i + 4] in self.names:
                return True
        for form in ADDRESSED:
            at = squeezed.find(form)
            while at >= 0:
                if squeezed[max(at - 2, 0):at] in self.givens or \
                        squeezed[max(at - 3, 0):at] in self.givens:
                    return True
                at = squeezed.find(form, at + 1)
        return any(address in squeezed for address in self.addresses)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def names_a_resident(text: str, *, name: object = None, phone: object = None,
                     official: object = None) -> bool:
    """Whether `text` gives a resident away: the row's own resident by `name` (a cell that
    may hold several) or `phone`, any masked surname, or any mobile or ID number other
    than the `official` phone the row publishes anyway."""
    squeezed = "".join(text.split())
    for who in split_names(name) if isinstance(name, str) else []:
        if len(who) < 2 or any(word in who for word in NOBODY):
            continue
        surname, given = who[0], who[1:]  # plain look-ups: a pattern per name costs a compile
        if who in squeezed or any(surname + m in squeezed or m + given in squeezed for m in MASK) \
                or any(surname + a in squeezed for a in ADDRESSED):
            return True
    if MASKED_NAME.search(squeezed):
        return True
    digits = _digits(text)
    own = _digits(phone) if isinstance(phone, str) else ""
    # a landline counts by its local number too (8420 1234 for 020-84201234)
    if len(own) >= 7 and (own in digits or (own.startswith("0") and own[-8:] in digits)):
        return True
    allowed = _digits(official) if isinstance(official, str) else None
    return any(_digits(m.group()) != allowed for m in PERSONAL_NUMBER.finditer(text))
