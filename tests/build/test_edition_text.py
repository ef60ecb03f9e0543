"""Chinese number formatting: the prose every chapter writes from numbers."""
import math

import pytest

from voldata.edition import text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1925, "1,925"),
        (6800, "6,800"),
        (12_345, "1.23万"),
        (261_234, "26.1万"),
        (165_000_000, "1.65亿"),
        (7.5, "7.5"),
        (None, "—"),
        (math.nan, "—"),
    ],
)
def test_count(value, expected):
    assert text.count(value) == expected


def test_count_with_unit():
    assert text.count(1925, unit="支") == "1,925支"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.1234, "增长12.3%"), (-0.04, "下降4.0%"), (0.0, "与上年持平"), (0.00001, "与上年持平")],
)
def test_change(value, expected):
    assert text.change(value) == expected


def test_change_without_previous_year_says_so():
    assert "上年数据不在库中" in text.change(None)


def test_share_money_hours():
    assert text.share(0.5) == "50.0%"
    assert text.money(352_000_000) == "3.52亿元"
    assert text.money(876_000) == "87.6万元"
    assert text.money(9_800) == "9,800元"
    assert text.hours(654_321) == "65.4万小时"
    assert text.share(None) == "—"
