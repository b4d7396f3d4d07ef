"""What gives a resident away in text bound for the notice board (DOMAIN: Public and private).

A resident's name, phone or ID number never appears in public text, "not even masked".
Names in general cannot be told apart from words, so the checks are: the resident's own
name and phone where the row records them (written out, masked, or as surname and form
of address), any common surname masked, and any mobile or ID number, whole or starred.
Office numbers (020-…) may stay, and so may the official phones a row itself publishes.
"""

import re

import pandas as pd

_MASKED = "*＊×xX"
# a mobile (13912345678, 139 1234 5678, 139****5678, 1391234****) or an ID number (18
# characters, 440105199001011234, 4401**********1234), whole or partly starred
PERSONAL_NUMBER = re.compile(
    rf"(?<![\d{_MASKED}])(?:1[3-9]\d(?:[-\s.]?[\d{_MASKED}]){{8}}"
    rf"|[1-9]\d{{3}}[\d{_MASKED}]{{13}}[\d{_MASKED}])(?![\d{_MASKED}])")
# an ID number written out whole has a birth date in it (a work order's 18 digits has not)
_BIRTH = re.compile(r"\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]")
# a surname masked the way notices often do it (陈某, 陈某某, 陈*): common surnames that are
# seldom anything else, so that 某 after an ordinary word (于某日, 向某单位, 工程某段) stays text
MASKED_NAME = re.compile("(?:[王李张刘陈杨黄赵吴徐孙朱郭林罗郑宋唐韩冯邓曹彭曾肖董袁潘蒋蔡杜叶苏魏吕丁沈"
                         "姚卢崔谭陆汪廖贾夏邹孟熊秦邱麦冼骆岑黎马]|(?<![本下上每这该当同])周"
                         "|(?<!桥)梁|(?<![如为任几奈])何|(?<![感致答道])谢|(?<![分点时闹])钟|胡)"
                         "(?:某|[*＊×○〇]+)")
MASK = "某*＊×xX○〇"
# what a clerk calls a resident by: the surname and a form of address (王先生, 王阿姨)
ADDRESSED = ("先生", "女士", "小姐", "阿姨", "大妈", "大爷", "大叔", "大姐", "阿伯", "伯伯", "阿婆",
             "婆婆", "奶奶", "爷爷", "师傅", "老伯", "姨", "叔", "伯", "婆")
# and, for the row's own resident, as Guangzhou says it (王生, 王太, 王姐, 老王, 阿王, 王姓居民)
OWN_FORMS = ("生", "太", "姐", "嫂", "婶", "哥", "姓")
OWN_PREFIXES = ("老", "阿")
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
              "工作", "单位", "商店", "超市", "医院", "学校", "派出", "居委", "业委", "小区", "花园",
              "书记", "主任", "局长", "经理", "老师", "师傅", "所长", "站长", "科长", "队长", "组长",
              "代表", "热线", "小学", "中学", "幼儿", "市场", "书院", "海关", "银行", "大厦")
# a group's or a place's ending (江南市场 is caught above; 黄埔站, 龙凤街)
ORG_ENDINGS = ("店", "厂", "站", "局", "所", "会", "园", "队", "部", "处", "科", "办", "院", "馆",
               "场", "司", "室", "楼", "村", "街", "路", "巷", "区")


# what a clerk adds to a name in the cell: （3栋）, 等3人, 夫妇, a house number before it
_ANNOTATION = re.compile(r"[（(][^）)]*[）)]|等\d*人?$|夫妇$|^[\dA-Za-z\-栋座号楼房室]+(?=[\u4e00-\u9fff])")


def split_names(cell: str) -> list[str]:
    """The names in one cell as clerks write them: 王秀芳、李国明 or 王秀芳 李国明 are two;
    王　大妈 (padded to align) is one; 王秀芳（3栋）, 王秀芳等3人, 3栋王秀芳 are 王秀芳."""
    names: list[str] = []
    for part in re.split(r"[、，,;；/／]", _ANNOTATION.sub("", cell.strip())):
        pieces = part.split()
        if len(pieces) > 1 and all(len(p) >= 2 for p in pieces):
            names += pieces
        elif pieces:
            names.append("".join(pieces))
    return names


def is_personal_name(text: str, shortest: int = 3) -> bool:
    """Whether `text` reads as a person's name (陈国强, 欧阳建华; 李明 with `shortest` 2), not
    a post or a group (楼长, 物业公司, 江南市场) and by default not two characters (高峰,
    周平: words as often as names)."""
    return bool(re.fullmatch(rf"[\u4e00-\u9fff]{{{shortest},4}}", text)) \
        and (text[0] in SURNAMES or text.startswith(COMPOUND_SURNAMES)) \
        and not any(word in text for word in NOT_A_NAME + NOBODY) \
        and not text.endswith(ORG_ENDINGS)


def _surname(name: str) -> tuple[str, str]:
    """(surname, given name): 欧阳建华 -> (欧阳, 建华)."""
    cut = 2 if name.startswith(COMPOUND_SURNAMES) else 1
    return name[:cut], name[cut:]


# a two-character name is a word as often (高峰期, 每周平均): it counts said as a person is
_AS_A_PERSON_AFTER = ("反映", "家", "的", "等", "户", "来电", "来访", "诉求", "投诉", "提出", "称",
                      "夫妇", "老人", "同志")
_AS_A_PERSON_BEFORE = ("居民", "群众", "业主", "住户", "村民", "市民", "租户", "联系", "回复", "告知",
                       "电话", "为", "帮")


def _said_as_a_person(name: str, text: str) -> bool:
    at = text.find(name)
    while at >= 0:
        after, before = text[at + len(name):], text[:at]
        if after.startswith(_AS_A_PERSON_AFTER) or before.endswith(_AS_A_PERSON_BEFORE):
            return True
        at = text.find(name, at + 1)
    return False


class KnownResidents:
    """The residents of a community that the records name, to be kept off public text:
    full names (3–4 characters), their given names with a form of address (秀娟阿姨), and
    the addresses of its 居民户."""

    def __init__(self, names: set[str], addresses: set[str]) -> None:
        self.names = {n for n in names if is_personal_name(n)}
        self.givens = {g for g in (_surname(n)[1] for n in self.names) if len(g) >= 2}
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
        return any(_holds_address(squeezed, address) for address in self.addresses)


def _holds_address(text: str, address: str) -> bool:
    """龙凤路1号101 in text, not as the start of 龙凤路1号1012房 (another unit)."""
    at = text.find(address)
    while at >= 0:
        if not text[at + len(address):at + len(address) + 1].isdigit():
            return True
        at = text.find(address, at + 1)
    return False


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def names_a_resident(text: str, *, name: object = None, phone: object = None,
                     official: object = None) -> bool:
    """Whether `text` gives a resident away: the row's own resident by `name` (a cell that
    may hold several) or `phone`, any masked surname, or any mobile or ID number other
    than the `official` phone the row publishes anyway."""
    squeezed = "".join(text.split())
    for who in split_names(name) if isinstance(name, str) else []:
        if not is_personal_name(who, shortest=2):  # 网格员, 物业公司, 12345热线, 龙导小学
            continue
        surname, given = _surname(who)  # plain look-ups: a pattern per name costs a compile
        if (who in squeezed if len(who) >= 3 else _said_as_a_person(who, squeezed)) \
                or any(surname + m in squeezed for m in MASK) \
                or (len(given) >= 2 and any(m + given in squeezed for m in MASK)) \
                or any(surname + a in squeezed for a in ADDRESSED + OWN_FORMS) \
                or any(p + surname in squeezed for p in OWN_PREFIXES) \
                or (len(given) >= 2 and any(given + a in squeezed for a in ADDRESSED + OWN_FORMS)):
            return True
    if MASKED_NAME.search(squeezed):
        return True
    digits = _digits(text)
    own = _digits(phone) if isinstance(phone, str) else ""
    # a landline counts by its local number too (8420 1234 for 020-84201234)
    if len(own) >= 7 and (own in digits or (own.startswith("0") and own[-8:] in digits)):
        return True
    allowed = _digits(official) if isinstance(official, str) else None
    return any(_digits(m.group()) != allowed and (len(m.group()) < 18 or not m.group().isdigit()
                                                  or _BIRTH.fullmatch(m.group()) is not None)
               for m in PERSONAL_NUMBER.finditer(text))


def keeps_residents_out(texts: pd.Series, *, names: pd.Series | None = None,
                        phones: pd.Series | None = None,
                        officials: pd.Series | None = None) -> pd.Series:
    """A row rule's answer for a public text column: True where `names_a_resident` finds
    nothing, given each row's own 反映人 (`names`), its phone, or the official phone it
    publishes (`officials`); a blank text keeps everyone out."""
    def cells(column: pd.Series | None) -> list[object]:
        return [None] * len(texts) if column is None else list(column.astype(object))

    return pd.Series([not isinstance(text, str) or not names_a_resident(
                          text, name=name, phone=phone, official=official)
                      for text, name, phone, official in zip(
                          texts.astype(object), cells(names), cells(phones), cells(officials),
                          strict=True)], index=texts.index, dtype=bool)

