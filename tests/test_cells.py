"""Value conversion: what clerks type, and what it becomes (pipeline.cells)."""

from __future__ import annotations

import datetime as dt

import pytest

import schemas
from pipeline.cells import (
    CellError,
    CellProblem,
    display,
    to_date,
    to_int,
    to_percent,
    to_phone,
    to_prose,
    to_text,
    to_time,
)

D = dt.date(2026, 11, 3)


@pytest.mark.parametrize("value", [
    D, dt.datetime(2026, 11, 3), dt.datetime(2026, 11, 3, 9, 30), "2026-11-03", "2026/11/3",
    "2026.11.3", "2026年11月3日", "2026 年 11 月 3 日", "２０２６年１１月３日", "20261103",
    20261103, 46329, 46329.0, " 2026-11-03 ", "2026-11-03 00:00:00", "46329",
    # with the weekday, as clerks add it (3 November 2026 is a Tuesday)
    "2026年11月3日（星期二）", "2026年11月3日(周二)", "2026年11月3日周二", "2026-11-03 周二",
    "2026/11/3（二）", "2026年11月3日 礼拜二",
])
def test_dates(value: object) -> None:
    assert to_date(value) == D


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "下周二", "11月3日", -5, True])
def test_bad_dates(value: object) -> None:
    with pytest.raises(CellError) as err:
        to_date(value)
    assert err.value.key == "TYPE.date"


@pytest.mark.parametrize("value", ["2026年11月3日（星期三）", "2026-11-03 周日", "2026/11/3(一)"])
def test_a_date_and_its_weekday_that_disagree(value: str) -> None:
    with pytest.raises(CellError) as err:
        to_date(value)
    assert err.value.key == "TYPE.date_weekday"


@pytest.mark.parametrize("value", [
    "3026-11-03", "2206年11月3日", "1026/11/3", dt.date(2300, 1, 1), dt.datetime(9999, 12, 31),
    "2100-01-01", 2958465, 30261103,
])
def test_dates_out_of_range_are_typos(value: object) -> None:
    """A year a ledger cannot mean (and pandas could not hold) is an error in its cell."""
    with pytest.raises(CellError) as err:
        to_date(value)
    assert err.value.key == "TYPE.date_range"


@pytest.mark.parametrize("value", ["99999999999999999999", 1e30, "１２３４５６７８９０１２", -10**12])
def test_counts_beyond_any_ledger_are_typos(value: object) -> None:
    with pytest.raises(CellError) as err:
        to_int(value)
    assert err.value.key == "TYPE.int_range"
    assert to_int(10**9) == 10**9


def test_the_range_ends_are_dates() -> None:
    assert (to_date("1900-01-01"), to_date("2099-12-31")) == (dt.date(1900, 1, 1),
                                                              dt.date(2099, 12, 31))


@pytest.mark.parametrize(("value", "expected"), [
    (12, 12), (12.0, 12), ("12", 12), ("１２", 12), ("1,050", 1050), ("1，050", 1050),
    (" 7 ", 7), ("12户", 12), ("5人次", 5), (None, None), ("", None), ("\u200b", None),
])
def test_ints(value: object, expected: int | None) -> None:
    assert to_int(value) == expected


@pytest.mark.parametrize("value", ["一百", "12.5", 12.5, "12a", True])
def test_bad_ints(value: object) -> None:
    with pytest.raises(CellError):
        to_int(value)


@pytest.mark.parametrize(("value", "expected"), [
    (dt.time(8, 30), "08:30"), ("8:30", "08:30"), ("08:30:00", "08:30"), ("8：30", "08:30"),
    ("14点", "14:00"), ("8点30分", "08:30"), (0.5, "12:00"), (dt.datetime(2026, 1, 1, 14, 5),
                                                            "14:05"),
    (dt.timedelta(hours=8, minutes=30), "08:30"),
    # a twelve-hour clock, as clerks write it
    ("上午9:00", "09:00"), ("下午3:00", "15:00"), ("下午3点半", "15:30"), ("晚上7点", "19:00"),
    ("中午12点", "12:00"), ("中午1点", "13:00"), ("下午14:30", "14:30"), ("2:00 PM", "14:00"),
    ("9:30am", "09:30"), ("12:00 AM", "00:00"), ("12:00PM", "12:00"), ("09.00", "09:00"),
    ("8点半", "08:30"),
])
def test_times(value: object, expected: str) -> None:
    assert to_time(value) == expected


@pytest.mark.parametrize("value", ["25:00", "8:75", "上午", 1.5, "上午14点", "13:00 AM", "9.5"])
def test_bad_times(value: object) -> None:
    with pytest.raises(CellError):
        to_time(value)


@pytest.mark.parametrize(("value", "expected"), [
    ("58.28%", 0.5828), (0.5828, 0.5828), (58.28, 0.5828), ("58.28", 0.5828), ("７８％", 0.78),
    ("100%", 1.0), (1, 1.0),
])
def test_percent(value: object, expected: float) -> None:
    assert to_percent(value) == pytest.approx(expected)


def test_text_and_phone_normalisation() -> None:
    assert to_text(" 龙导\u3000") == "龙导"
    assert to_text("LD\u200b-0001") == "LD-0001"
    assert to_text(1001.0) == "1001"
    assert to_phone("（020）8420 1234") == "020-84201234"
    assert to_phone(13800138000.0) == "13800138000"
    assert to_phone("020-84000001转801") == "020-84000001-801"  # the extension after a dash
    assert to_phone("020-84000001 分机 12") == "020-84000001-12"
    assert to_phone("020-8420-1234") == "020-84201234"  # the local number grouped
    assert to_phone("+86 138 0013 8000") == to_phone("0086-13800138000") == "13800138000"
    assert to_phone("86-138-0013-8000") == "13800138000"
    assert to_phone("+86-20-84201234") == "020-84201234"  # the area code's trunk 0 put back
    assert to_phone("+86 20 8420 1234") == to_phone("+862084201234") == "020-84201234"  # spaced
    assert to_phone("+86 10 6512 3456") == "010-65123456" and to_phone("+86 755 8888 1234") == "0755-88881234"
    assert to_phone("86201234") == "86201234"  # a local number that begins with 86


@pytest.mark.parametrize(("typed", "prose", "text"), [
    # prose keeps its Chinese punctuation: the notice shows what the clerk wrote
    ("场地维修，驻点地点改到党群服务中心（二楼）！", "场地维修，驻点地点改到党群服务中心（二楼）！",
     "场地维修,驻点地点改到党群服务中心(二楼)!"),
    ("首次办理：协调；待复核？……", "首次办理：协调；待复核？……", "首次办理:协调;待复核?......"),
    # names, codes and choices fold whole, so that they match across sheets and the master
    ("李福坚（书记）", "李福坚（书记）", "李福坚(书记)"),
    ("ＬＤ－２０２６－００１", "LD-2026-001", "LD-2026-001"), ("企业／工商户", "企业/工商户", "企业/工商户"),
    ("\u3000龙导\u200b ", "龙导", "龙导"),
])
def test_prose_keeps_chinese_punctuation_and_text_folds_it(typed: str, prose: str,
                                                           text: str) -> None:
    assert (to_prose(typed), to_text(typed)) == (prose, text)


def test_which_columns_are_prose() -> None:
    prose = {spec.header for model in schemas.LEDGERS.values()
             for spec in schemas.field_specs(model) if spec.prose}
    assert {"情况记录", "问题描述", "公开摘要", "变更说明", "驻点地点", "单位及职务"} <= prose
    assert not prose & {"户编号", "问题编号", "姓名", "走访人", "带队领导", "社区", "承办单位"}


def test_display_shows_values_as_excel_does() -> None:
    assert display(12.0) == "12"
    assert display(dt.datetime(2026, 11, 3)) == "2026-11-03"
    assert display(dt.time(8, 5)) == "08:05"
    assert display(CellProblem("TYPE.error_value", "#REF!")) == "#REF!"
