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


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def names_a_resident(text: str, *, name: object = None, phone: object = None,
                     official: object = None) -> bool:
    """Whether `text` gives a resident away: the row's own resident by `name` (a cell that
    may hold several) or `phone`, any masked surname, or any mobile or ID number other
    than the `official` phone the row publishes anyway."""
    squeezed = "".join(text.split())
    who_all = re.split(r"[、，,/；;]", "".join(name.split())) if isinstance(name, str) else []
    for who in who_all:
        if len(who) < 2 or any(word in who for word in NOBODY):
            continue
        surname, given = re.escape(who[0]), re.escape(who[1:])
        if who in squeezed or re.search(
                f"{surname}[{MASK}]|[{MASK}]+{given}|{surname}(?:{'|'.join(ADDRESSED)})", squeezed):
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
