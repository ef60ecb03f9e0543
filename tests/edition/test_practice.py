"""实务经验篇's analyses on a store made by hand (every expected value worked out below).

Team T1 holds "长者饭堂" twice a month in January–June 2020 (12 sessions, 6 months; social-work
partner; target elderly; community service); T2 holds "周末探访" four times a month in March–May
(12 sessions, 3 months; no partner; target children; health).
Records: V1 (born 1955: 65 in 2020, 初老) 2 h at T1's first session; V2 (1990: 30) 3 h at T1's
second; V3 (1945: 75) 1.5 h at T2's first, and 10 h pending at T1's third (not valid).
"""

import datetime as dt

import pandas as pd
import pandas.testing as pdt
import polars as pl
import pytest

from voldata.edition import practice

YEAR = 2020


def _activities():
    rows = []
    for month in range(1, 7):
        for day in (5, 20):
            rows.append(("T1", "长者饭堂", dt.datetime(YEAR, month, day, 9), "community_service", "elderly", True))
    for month in range(3, 6):
        for day in (1, 8, 15, 22):
            rows.append(("T2", "周末探访", dt.datetime(YEAR, month, day, 14), "health", "children", False))
    frame = pd.DataFrame(rows, columns=["team_id", "title", "start_at", "category", "target_group", "social_work"])
    return pl.DataFrame(
        {
            "activity_id": [f"A{i:02d}" for i in range(len(frame))],
            "team_id": frame["team_id"],
            "title": frame["title"],
            "category": frame["category"],
            "target_group": frame["target_group"],
            "district_code": ["440106"] * len(frame),
            "start_at": frame["start_at"],
            "social_work_partner": frame["social_work"],
            "charity_partner": [False] * len(frame),
        }
    )


@pytest.fixture
def tables():
    activities = _activities()
    first_t2 = activities.filter(pl.col("team_id") == "T2")["activity_id"][0]
    records = pl.DataFrame(
        {
            "record_id": ["R1", "R2", "R3", "R4"],
            "volunteer_id": ["V1", "V2", "V3", "V3"],
            "activity_id": ["A00", "A01", first_t2, "A02"],
            "service_date": [dt.date(2020, 1, 5), dt.date(2020, 1, 20), dt.date(2020, 3, 1), dt.date(2020, 2, 5)],
            "hours": [2.0, 3.0, 1.5, 10.0],
            "status": ["approved", "approved", "approved", "pending"],
        }
    )
    volunteers = pl.DataFrame(
        {"volunteer_id": ["V1", "V2", "V3"], "person_key": ["P1", "P9", "P8"], "birth_year": [1955, 1990, 1945]}
    )
    party_reports = pl.DataFrame(
        {
            "person_key": ["P1", "P2", "P2", "P3"],
            "district_code": ["440106", "440106", "440106", None],
            "reported_at": [
                dt.datetime(2019, 6, 1),
                dt.datetime(2020, 3, 2),
                dt.datetime(2020, 3, 20),
                dt.datetime(2020, 5, 1),
            ],
        }
    )
    accounts = pl.DataFrame({"account_id": ["B1", "B2", "B3"], "birth_year": [1955, 1940, None]})
    transactions = pl.DataFrame(
        {
            "txn_id": ["X1", "X2", "X3", "X4", "X5"],
            "account_id": ["B1", "B1", "B3", "B2", "B1"],
            "txn_type": ["deposit", "deposit", "deposit", "withdrawal", "deposit"],
            "points": [3, 2, 4, 5, 1600],
            "counterparty_account_id": ["B2", "B2", "B1", "B1", "B2"],
            "service_item": ["陪伴长者", "陪伴长者", " ", None, "代购"],
            "txn_at": [dt.datetime(2020, 2, 1)] * 4 + [dt.datetime(2019, 12, 1)],
        }
    )
    teams = pl.DataFrame({"team_id": ["T1", "T2"], "team_type": ["social_work", "community"]})
    frames = {
        "volunteers": volunteers,
        "party_reports": party_reports,
        "teams": teams,
        "activities": activities,
        "service_records": records,
        "timebank_accounts": accounts,
        "timebank_transactions": transactions,
    }
    return {name: frame.lazy() for name, frame in frames.items()}


def test_regular_projects_follow_the_stated_rule(tables):
    regular = practice.regular_projects(tables, YEAR)  # ≥ 12 sessions in ≥ 6 months: T1 only
    assert regular[["title", "sessions", "months", "volunteers", "service_hours"]].values.tolist() == [
        ["长者饭堂", 12, 6, 2, 5.0]
    ]
    assert regular.at[0, "category_zh"] == "社区服务" and regular.at[0, "district_zh"] == "天河区"
    looser = practice.regular_projects(tables, YEAR, min_sessions=12, min_months=3)
    assert looser["title"].tolist() == ["长者饭堂", "周末探访"]  # by hours: 5 then 1.5
    assert practice.regular_projects(tables, YEAR, min_months=7).empty
    with pytest.raises(ValueError, match="min_months 1–12"):
        practice.regular_projects(tables, YEAR, min_months=13)


def test_records_outside_the_activities_or_volunteers_tables(tables):
    # R5: V2 4 h at A99, an activity the activities table lacks; R6: V9 (not in the volunteers table) 2 h at A00.
    extra = pl.DataFrame(
        {
            "record_id": ["R5", "R6"],
            "volunteer_id": ["V2", "V9"],
            "activity_id": ["A99", "A00"],
            "service_date": [dt.date(2020, 4, 1), dt.date(2020, 1, 5)],
            "hours": [4.0, 2.0],
            "status": ["approved", "approved"],
        }
    )
    tables = tables | {"service_records": pl.concat([tables["service_records"].collect(), extra]).lazy()}
    by_age = practice.volunteers_by_age(tables, YEAR).set_index("band")
    assert by_age.loc["18–34岁", "service_hours"] == 7.0  # R5 counts: age needs no activity
    assert by_age.loc["年龄不详"].tolist() == [1, 2.0]  # V9 has no birth year
    by_target = practice.hours_by_age_and_target(tables, YEAR).set_index("target_group")
    assert by_target.loc["elderly", "年龄不详"] == 2.0
    assert by_target.drop(columns="name_zh").to_numpy().sum() == 8.5  # 2 + 3 + 1.5 + 2: R5 has no target group


def test_hours_by_target_group_and_age(tables):
    frame = practice.hours_by_age_and_target(tables, YEAR)
    expected = pd.DataFrame(
        {
            "target_group": ["elderly", "children"],
            "name_zh": ["老年人", "儿童"],
            "18岁以下": [0.0, 0.0],
            "18–34岁": [3.0, 0.0],
            "35–59岁": [0.0, 0.0],
            "60–69岁（初老）": [2.0, 0.0],
            "70岁及以上（老老）": [0.0, 1.5],
        }
    )
    pdt.assert_frame_equal(frame, expected)
    by_age = practice.volunteers_by_age(tables, YEAR)
    assert by_age[["band", "volunteers", "service_hours"]].values.tolist() == [
        ["18岁以下", 0, 0.0],
        ["18–34岁", 1, 3.0],
        ["35–59岁", 0, 0.0],
        ["60–69岁（初老）", 1, 2.0],
        ["70岁及以上（老老）", 1, 1.5],
    ]


def test_partnership_intensity_per_activity(tables):
    frame = practice.partnership_intensity(tables, YEAR).set_index("partnership")
    assert frame.loc["社工+志愿服务", "activities"] == 12
    assert frame.loc["社工+志愿服务", "hours_per_activity"] == pytest.approx(5 / 12)
    assert frame.loc["社工+志愿服务", "volunteers_per_activity"] == pytest.approx(2 / 12)
    assert frame.loc["仅志愿服务", "service_hours"] == 1.5
    assert frame.loc["仅志愿服务", "volunteers_per_activity"] == pytest.approx(1 / 12)
    assert frame.loc["慈善+志愿服务", "activities"] == 0 and pd.isna(frame.loc["慈善+志愿服务", "hours_per_activity"])


def test_party_reports_by_district_add_up_to_the_city(tables):
    frame = practice.party_reports_by_district(tables, YEAR).set_index("district_code")
    assert len(frame) == 12  # 11 districts and the unknown row
    assert frame.loc["440106", ["party_members", "reports", "peak_month"]].tolist() == [1, 2, 3]
    assert frame.loc["unknown", ["party_members", "reports", "peak_month"]].tolist() == [1, 1, 5]
    assert frame["party_members"].sum() == 2 and frame["reports"].sum() == 3  # P1 reported in 2019


def test_what_reported_party_members_did(tables):
    frame = practice.party_member_services(tables, YEAR)  # P1 reported in 2019 and is V1: 2 h at T1
    assert frame[["category", "name_zh", "activities", "service_hours", "share"]].values.tolist() == [
        ["community_service", "社区服务", 1, 2.0, 1.0]
    ]


def test_timebank_service_items_and_age_flows(tables):
    items = practice.timebank_service_items(tables, YEAR)
    assert items.values.tolist() == [["陪伴长者", 2, 5, 5 / 9], ["（未填写）", 1, 4, 4 / 9]]
    assert practice.timebank_service_items(tables, YEAR, top=1)["service_item"].tolist() == ["陪伴长者", "其他"]
    flows = practice.timebank_age_flows(tables, YEAR)
    assert flows.values.tolist() == [
        ["60–69岁（初老）", "70岁及以上（老老）", 2, 5, 5 / 9],
        ["年龄不详", "60–69岁（初老）", 1, 4, 4 / 9],
    ]


def test_balances_against_the_cap(tables):
    # End of 2020: B1 1600 + 3 + 2 = 1605; B2 −5 (counted in the first band as 0); B3 4.
    frame = practice.timebank_balance_bands(tables, YEAR)
    assert frame.values.tolist() == [
        ["0", 1, 0],
        ["1–99", 1, 4],
        ["100–499", 0, 0],
        ["500–999", 0, 0],
        ["1,000–1,499", 0, 0],
        ["1,500及以上（达到存储上限）", 1, 1605],
    ]
