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


def test_narrative_is_written_from_the_numbers():
    from voldata.edition import narrative

    indicators = {
        "registered_volunteers": 261_234,
        "registered_volunteers_yoy": 0.1,
        "new_volunteers": 1925,
        "active_volunteers": 6800,
        "active_rate": 0.026,
        "service_hours": 12_345.5,
        "service_hours_yoy": -0.05,
        "hours_per_active_mean": 1.82,
        "hours_per_active_median": 1.5,
        "volunteers_per_10k": 139.87,
        "teams": 40,
        "active_teams": 39,
        "activities": 152,
        "activities_yoy": None,
    }
    text_2020 = narrative.scale(indicators, 2020)
    assert "截至2020年底，全市注册志愿者26.1万人，比上年增长10.0%" in text_2020
    assert "新增注册1,925人" in text_2020
    assert "活跃率为2.6%" in text_2020
    assert "服务时长1.23万小时，比上年下降5.0%" in text_2020
    assert "全年开展志愿活动152项，无上年数据可比。" in text_2020


def test_party_role_is_only_praised_when_members_give_more():
    from voldata.edition import narrative

    more = narrative.party({"party_hours_ratio": 1.35}, 2020)
    less = narrative.party({"party_hours_ratio": 0.8}, 2020)
    assert "1.35倍" in more and "模范作用" in more
    assert "0.80倍" in less and "模范作用" not in less
