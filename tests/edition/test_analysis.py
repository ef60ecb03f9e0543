"""The chapters' own aggregates, on a hand-made store whose answers are worked out by hand below."""

import datetime as dt

import pandas as pd
import polars as pl
import pytest
from pandas.testing import assert_frame_equal

from voldata import indicators, store
from voldata.edition import analysis
from voldata.indicators import REGISTRY, registry_table
from voldata.schema import TABLE_ORDER, TABLES

D = dt.date
T = dt.datetime


@pytest.fixture
def tables():
    teams = pl.DataFrame(
        {
            "team_id": ["T1", "T2", "T3"],
            "team_type": ["party_service", "community", None],  # T3: no type -> other
            "founded_on": [D(2019, 1, 1), D(2021, 5, 1), None],  # T2 founded after 2020; T3 undated -> counted
        }
    )
    activities = pl.DataFrame(
        {
            "activity_id": ["A1", "A2", "A3", "A4"],
            "title": ["清洁家园", "清洁家园", "敬老探访", "清洁家园"],
            "team_id": ["T1", "T1", "T3", "T1"],
            "category": ["community_service", "community_service", "elderly_care", "community_service"],
            "district_code": ["440103", "440103", "440104", "440103"],
            "start_at": [T(2020, 3, 1, 9), T(2020, 4, 1, 9), T(2020, 5, 1, 9), T(2019, 12, 1, 9)],
            "social_work_partner": [True, True, False, True],
            "charity_partner": [False, True, None, False],
        }
    )
    records = pl.DataFrame(
        {
            "record_id": ["R1", "R2", "R3", "R4", "R5", "R6", "R7"],
            "volunteer_id": ["V1", "V2", "V1", "V3", "V3", "V2", "V1"],
            "activity_id": ["A1", "A1", "A2", "A3", "A3", "A2", "A4"],
            "service_date": [
                D(2020, 3, 1),
                D(2020, 3, 1),
                D(2020, 4, 1),
                D(2020, 5, 1),
                D(2020, 5, 1),
                D(2020, 4, 1),
                D(2019, 12, 1),
            ],
            "hours": [2.0, 3.0, 4.0, 5.0, 30.0, 1.0, 6.0],  # R5 over 24 h, R6 pending: not valid
            "status": ["approved", "approved", "approved", "approved", "approved", "pending", "approved"],
        }
    )
    volunteers = pl.DataFrame(
        {
            "volunteer_id": ["V1", "V2", "V3", "V4"],
            "district_code": ["440103", "440103", "440104", "440104"],
            "street": ["沙面街道", "沙面街道", None, "北京街道"],
            "registered_at": [T(2019, 6, 1), T(2020, 2, 1), T(2020, 1, 1), T(2021, 1, 1)],  # V4 after 2020
        }
    )
    reports = pl.DataFrame(
        {
            "person_key": ["P1", "P1", "P2", "P3"],
            "reported_at": [T(2020, 3, 5), T(2020, 3, 20), T(2020, 3, 21), T(2019, 11, 1)],
        }
    )
    given = {
        "teams": teams.lazy(),
        "activities": activities.lazy(),
        "service_records": records.lazy(),
        "volunteers": volunteers.lazy(),
        "party_reports": reports.lazy(),
    }
    # The store's other tables, empty: valid records are chosen by the indicator suite, which takes them all.
    empty = {name: pl.from_arrow(store.arrow_schema(TABLES[name]).empty_table()).lazy() for name in TABLE_ORDER}
    # Volunteers with every column of the store's (those not given blank), as the indicator context reads them.
    given["volunteers"] = pl.concat([empty["volunteers"], given["volunteers"]], how="diagonal_relaxed")
    return empty | given


def test_team_types(tables):
    frame = analysis.team_types(tables, 2020).set_index("team_type")
    # party_service: T1 with A1, A2 (A4 is 2019); hours 2 + 3 + 4 (R6 pending) = 9
    assert frame.loc["party_service", ["teams", "active_teams", "activities", "service_hours"]].tolist() == [
        1,
        1,
        2,
        9.0,
    ]
    # community: T2 founded in 2021 does not exist yet
    assert frame.loc["community", ["teams", "active_teams", "activities", "service_hours"]].tolist() == [0, 0, 0, 0.0]
    # other: T3 (no type, no date) with A3; R5's 30 h is not valid -> 5
    assert frame.loc["other", ["teams", "active_teams", "activities", "service_hours"]].tolist() == [1, 1, 1, 5.0]
    assert frame.loc["other", "team_type_zh"] == "其他"
    assert frame.index[0] == "party_service" and frame.index[-1] == "other"


def test_featured_projects_are_recurring_activities_by_hours(tables):
    frame = analysis.featured_projects(tables, 2020, n=5)
    expected = pd.DataFrame(
        {
            "rank": [1],
            "title": ["清洁家园"],  # 敬老探访 was held once: not a recurring project
            "team_type_zh": ["党员志愿服务队"],
            "category_zh": ["社区服务"],
            "district_zh": ["荔湾区"],
            "sessions": [2],
            "volunteers": [2],
            "service_hours": [9.0],
        }
    )
    assert_frame_equal(frame.reset_index(drop=True), expected, check_dtype=False)


def test_street_table(tables):
    frame = indicators.street_table(tables, 2020)
    expected = pd.DataFrame(
        {
            "district_code": ["440103", "440104"],
            "district_zh": ["荔湾区", "越秀区"],
            "street": ["沙面街道", "（未填写）"],  # V4 (北京街道) registered in 2021
            "registered_volunteers": [2, 1],
            "active_volunteers": [2, 1],
            "service_hours": [9.0, 5.0],  # V1 2 + 4, V2 3; V3 5
            "active_rate": [1.0, 1.0],
            "hours_per_active": [4.5, 5.0],
        }
    )
    assert_frame_equal(frame, expected, check_dtype=False)


def test_partner_hours(tables):
    frame = analysis.partner_hours(tables, 2020)
    expected = pd.DataFrame(
        {
            "partnership": ["仅志愿服务", "社工+志愿服务", "慈善+志愿服务", "社工+慈善+志愿服务"],
            "activities": [1, 1, 0, 1],
            "service_hours": [5.0, 5.0, 0.0, 4.0],
        }
    )
    assert_frame_equal(frame, expected, check_dtype=False)


def test_monthly_party_reports(tables):
    frame = analysis.monthly_party_reports(tables, 2020)
    assert frame["month"].tolist() == list(range(1, 13))
    assert frame.loc[frame["month"] == 3, ["reports", "party_members"]].values.tolist() == [[3, 2]]
    assert frame.drop(index=2)[["reports", "party_members"]].sum().tolist() == [0, 0]


def test_indicator_table_and_quality_counts():
    table = analysis.indicator_table(
        {"active_rate": 0.25, "service_hours": 10.0, "service_hours_yoy": -0.5},
        ["active_rate", "service_hours"],
        with_id=True,
    )
    assert table["id"].tolist() == ["active_rate", "service_hours"]
    assert table["unit"].tolist() == ["%", "小时"]
    assert table["yoy"].isna().tolist() == [True, False]
    report = {
        "files": [
            {
                "file": "a.csv",
                "table": "volunteers",
                "rows_read": 5,
                "rows_stored": 3,
                "rows_quarantined": 2,
                "reasons": {"duplicate": 1, "bad_date": 1},
            },
            {
                "file": "b.csv",
                "table": "volunteers",
                "rows_read": 2,
                "rows_stored": 1,
                "rows_quarantined": 1,
                "reasons": {"duplicate": 1},
            },
        ]
    }
    reasons = analysis.quarantine_reasons(report)
    assert reasons.values.tolist() == [["volunteers", "bad_date", 1], ["volunteers", "duplicate", 2]]


def test_methodology_shows_the_chinese_definitions():
    text = analysis.methodology_markdown(registry_table())
    for item in REGISTRY.values():
        assert f"{item.name_zh}（" in text and item.definition_zh in text
        assert item.definition not in text and f"`{item.id}`" not in text
    assert "**1 规模**" in text and "Scale" not in text


def _ratio_result():
    from voldata.models import ModelResult

    table = pd.DataFrame(
        {
            "term": ["party", "gender[F]", "district_code[440103]"],
            "label_zh": ["党员（对比非党员）", "女性（对比男性）", "荔湾区（对比白云区）"],
            "label_en": ["party members (vs non-members)", "women (vs men)", "Liwan District (vs Baiyun District)"],
            "estimate": [1.8, 1.02, 2.5],
            "ci_low": [1.6, 0.9, float("nan")],
            "ci_high": [2.0, 1.15, float("nan")],
            "p_value": [0.0001, 0.75, 0.2],
            "reading": ["党员……这是统计关联，不表示因果关系", "女性……", "荔湾区……"],
            "reading_en": ["Party members … not evidence of a cause", "Women …", "Liwan …"],
        }
    )
    return ModelResult("logit", "OR", True, 500, table, "性别参照组：男性", message_en="gender: reference group men")


def test_a_model_section_reads_in_both_languages():
    section = analysis._model_section(("留存", "Retention"), _ratio_result(), ("比值比", "Odds ratios"))
    assert section.title == "留存（n=500）" and section.title_en == "Retention (n=500)"
    assert section.caption_en == "Odds ratios"
    # Only the estimate whose interval excludes 1 is read out; the others are counted, in each language.
    assert section.reading.splitlines() == [
        "性别参照组：男性",
        "- 党员……这是统计关联，不表示因果关系",
        "- 其余1项估计的95%置信区间包含1，与参照组的差异在统计上不明显。",
        "- 1项估计的95%置信区间无法计算（记为“—”）。",
    ]
    assert section.reading_en.splitlines() == [
        "Gender: reference group men",
        "- Party members … not evidence of a cause",
        "- The 95% confidence intervals of the other 1 estimates include 1: their difference from the reference "
        "group is not statistically clear.",
        "- The 95% confidence interval of 1 estimates cannot be computed (shown as “—”).",
    ]


def test_model_table_in_each_language():
    table = _ratio_result().table
    zh = analysis.model_table(table, language="zh")
    assert list(zh.columns) == ["变量", "估计值", "95%置信区间下限", "95%置信区间上限", "p值"]
    assert zh.iloc[0].tolist() == ["党员（对比非党员）", "1.80", "1.60", "2.00", "<0.001"]
    en = analysis.model_table(table, language="en")
    assert list(en.columns) == list(analysis.MODEL_LABELS_EN.values())
    assert en.iloc[2].tolist() == ["Liwan District (vs Baiyun District)", "2.50", "", "", "0.200"]
    assert en.iloc[0, 0] == "Party members (vs non-members)"  # a label starts the row with a capital


def test_model_reading_in_each_language():
    result = _ratio_result()
    assert (
        analysis.model_reading(result) == "党员……这是统计关联，不表示因果关系；女性……；荔湾区……。（性别参照组：男性）"
    )
    assert analysis.model_reading(result, language="en") == (
        "Party members … not evidence of a cause. Women …. Liwan …. Method: gender: reference group men."
    )
