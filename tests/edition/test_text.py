"""Chinese number formatting and the phrases the chapters' sentences are built from."""

import math

import pandas as pd
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


def test_growth_phrase():
    assert text.growth({"service_hours_yoy": 0.1234}, "service_hours") == "比上年增长12.3%"
    assert text.growth({"service_hours_yoy": -0.08}, "service_hours") == "比上年下降8.0%"
    assert text.growth({"service_hours_yoy": -0.04}, "service_hours") == "与上年基本持平（下降4.0%）"
    assert text.growth({"service_hours_yoy": None}, "service_hours") == "无上年数据可比"
    assert text.growth({}, "service_hours") == "无上年数据可比"
    # Within the trend band the words say "about the same"; a change that rounds to zero is 持平.
    assert text.growth({"service_hours_yoy": 0.02}, "service_hours") == "与上年基本持平（增长2.0%）"
    assert text.growth({"service_hours_yoy": 0.0004}, "service_hours") == "与上年持平"


def test_ranked_phrase_names_the_largest_with_their_shares():
    frame = pd.DataFrame({"name": ["甲", "乙", "丙", "丁"], "hours": [10.0, 60.0, 20.0, 10.0]})
    assert text.ranked(frame, label="name", value="hours") == "乙（60.0%）、丙（20.0%）、甲（10.0%）"
    assert text.ranked(frame, label="name", value="hours", n=1) == "乙（60.0%）"
    assert text.ranked(frame.assign(hours=0.0), label="name", value="hours") == ""


def test_extremes_phrase_skips_missing_values():
    frame = pd.DataFrame({"name": ["甲", "乙", "丙"], "rate": [0.2, None, 0.5]})
    assert text.extremes(frame, label="name", value="rate", fmt=text.share) == "最高为丙（50.0%），最低为甲（20.0%）"
    assert text.extremes(frame.assign(rate=None), label="name", value="rate", fmt=text.share) == "无数据"
