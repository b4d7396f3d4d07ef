"""What gives a resident away in public text, and what does not (schemas/privacy.py).

A hit rejects a whole file (FORMAT 错误), so wording a street office approves every day must
pass as surely as a resident's name must not.
"""

from __future__ import annotations

import pytest

from schemas.privacy import KnownResidents, names_a_resident, split_names


@pytest.mark.parametrize(("reporter", "text"), [
    # a post, a group, a hotline or a place in the 反映人 cell is no resident
    ("网格员", "经网格员巡查发现，已安排维修破损路面"), ("楼长", "楼长已协助通知各住户停水安排"),
    ("物业公司", "物业公司已完成维修"), ("某公司", "已督促某公司整改油烟扰民问题"),
    ("12345热线", "经12345热线转办，已完成处置"), ("居委会", "居委会已组织志愿者清理"),
    ("龙导小学", "已在龙导小学门前增设斑马线"), ("李书记", "由李书记带队上门协调"),
    # two-character names are words as often
    ("高峰", "高峰期交通疏导已加强"), ("周平", "已加强每周平均巡查频次"),
    ("江南", "已安排江南西片区清运"), ("向阳", "向阳社区已协助处理"),
    # 某 after a word that ends in a surname's character
    ("匿名", "计划于下周某日完成化粪池清掏"), ("匿名", "本周某天将安排消杀"),
    ("匿名", "桥梁某处栏杆已加固"), ("匿名", "如何某些设施仍需报修"),
    # a work order's 18 digits, an office number, an amount
    ("匿名", "工单号202611031234567890已办结"), ("匿名", "咨询请拨打020-84201234"),
    ("匿名", "投入资金3.5万元完成改造"),
])
def test_public_wording_passes(reporter: str, text: str) -> None:
    assert not names_a_resident(text, name=reporter)


@pytest.mark.parametrize(("reporter", "text"), [
    ("王秀芳", "王秀芳反映的漏水问题已解决"), ("李明", "李明反映的路灯已修复"),
    ("李明", "已电话告知李明"),
    # as Guangzhou says it
    ("王秀芳", "王生反映的噪音已处理"), ("王秀芳", "已回复王太"), ("王秀芳", "王姐家门口路灯已修复"),
    ("王秀芳", "老王反映的问题已解决"), ("王秀芳", "王姓居民反映的问题已解决"),
    ("王秀芳", "秀芳姐家门口路灯已修复"),
    # compound surnames
    ("欧阳建华", "建华阿姨家的水管已更换"), ("欧阳建华", "欧阳生反映的问题已解决"),
    # the cell with more than the name in it
    ("王秀芳等3人", "王秀芳反映的漏水问题已解决"), ("王秀芳（3栋）", "王秀芳反映的漏水问题已解决"),
    ("王秀芳夫妇", "王秀芳反映的漏水问题已解决"), ("3栋王秀芳", "王秀芳反映的漏水问题已解决"),
    # masked, any common surname of Guangzhou's
    ("匿名", "梁某反映的问题已解决"), ("匿名", "何某某与邻居的漏水纠纷已调解"),
    ("匿名", "黎某与邻居漏水纠纷已调解"), ("匿名", "钟**家门口路灯已修复"),
    # numbers
    ("匿名", "已按139.1234.5678回复"), ("匿名", "身份证440105199001011234"),
])
def test_a_resident_is_caught(reporter: str, text: str) -> None:
    assert names_a_resident(text, name=reporter)


def test_names_in_a_cell_as_clerks_write_them() -> None:
    assert split_names("王秀芳、李国明") == split_names("王秀芳 李国明") == ["王秀芳", "李国明"]
    assert split_names("王　大妈") == ["王大妈"]
    assert split_names("王秀芳（3栋）") == split_names("王秀芳等3人") == ["王秀芳"]


def test_known_residents_are_names_and_resident_addresses_only() -> None:
    known = KnownResidents({"江敏国", "赵秀娟", "龙导小学", "江南市场", "张主任", "物业公司", "周平"},
                           {"龙凤路1号101", "3栋"})
    assert known.names == {"江敏国", "赵秀娟"}
    assert known.found_in("为江敏国家更换水管") and known.found_in("秀娟阿姨家门口路灯已修复")
    assert known.found_in("修复龙凤路1号101漏水")
    assert not known.found_in("龙凤路1号1012房门前积水已清")  # another unit
    assert not known.found_in("已在龙导小学门前增设斑马线") and not known.found_in("经张主任调解")
    assert not known.found_in("已加强每周平均巡查频次")
