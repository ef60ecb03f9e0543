"""专业发展篇's analyses on a store made by hand (expected values worked out in the comments)."""

import datetime as dt

import pandas as pd
import polars as pl
import pytest

from voldata.edition import professional

YEAR = 2020


@pytest.fixture
def tables():
    volunteers = pl.DataFrame(
        {
            "volunteer_id": ["V1", "V2", "V3", "V4"],
            "gender": ["M", "F", None, "M"],
            "birth_year": [1955, 1990, 1945, 2010],
            "education": ["bachelor", "college", None, "primary"],
            "political_status": ["party_member", "masses", "league_member", "other"],
            "registered_at": [
                dt.datetime(2019, 5, 1),
                dt.datetime(2020, 2, 1),
                dt.datetime(2020, 3, 1),
                dt.datetime(2021, 1, 5),  # after Y: not counted
            ],
        }
    )
    teams = pl.DataFrame(
        {
            "team_id": ["T1", "T2", "T3", "T4"],
            "team_type": ["community", "youth", "party_service", None],
            "founded_on": [dt.date(2020, 3, 1), dt.date(2019, 1, 1), None, dt.date(2020, 12, 31)],
        }
    )
    activities = pl.DataFrame(
        {
            "activity_id": ["A1", "A2", "A3", "A4", "A5"],
            "team_id": ["T1"] * 5,
            "category": ["health", "health", "community_service", "community_service", "health"],
            "start_at": [dt.datetime(2020, 4, 1)] * 4 + [dt.datetime(2019, 4, 1)],
            "planned_volunteers": [10, 2, 0, 5, 3],
        }
    )
    records = pl.DataFrame(
        {
            "record_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
            "volunteer_id": ["V1", "V2", "V1", "V2", "V3", "V3"],
            "activity_id": ["A1", "A1", "A2", "A2", "A2", "A1"],
            "service_date": [dt.date(2020, 4, 1)] * 6,
            "hours": [2.0, 1.0, 1.0, 1.0, 1.0, 1.0],
            "status": ["approved"] * 5 + ["rejected"],
        }
    )
    empty = {
        "party_reports": pl.DataFrame({"person_key": pl.Series([], dtype=pl.String)}),
        "timebank_accounts": pl.DataFrame({"account_id": pl.Series([], dtype=pl.String)}),
        "timebank_transactions": pl.DataFrame({"txn_id": pl.Series([], dtype=pl.String)}),
    }
    frames = {"volunteers": volunteers, "teams": teams, "activities": activities, "service_records": records} | empty
    return {name: frame.lazy() for name, frame in frames.items()}


def test_volunteer_profile_counts_shares_and_growth(tables):
    profile = professional.volunteer_profile(tables, YEAR).set_index(["dimension", "code"])
    # End of 2020: V1 (M, 65, bachelor, party member), V2 (F, 30, college, masses), V3 (blank, 75, blank, league).
    # End of 2019: V1 only (64).
    gender = profile.loc["gender"]
    assert gender["label"].tolist() == ["男", "女", "未填"]
    assert gender["volunteers"].tolist() == [1, 1, 1] and gender["volunteers_previous"].tolist() == [1, 0, 0]
    assert gender["share"].tolist() == pytest.approx([1 / 3] * 3)
    assert gender.at["M", "yoy"] == 0.0 and pd.isna(gender.at["F", "yoy"])
    ages = profile.loc["age_band", "volunteers"]
    assert ages.to_dict() == {
        "18岁以下": 0,
        "18–34岁": 1,
        "35–59岁": 0,
        "60–69岁（初老）": 1,
        "70岁及以上（老老）": 1,
        "年龄不详": 0,
    }
    assert profile.at[("age_band", "60–69岁（初老）"), "volunteers_previous"] == 1
    education = profile.loc["education", "volunteers"]
    assert education[["bachelor", "college", "unknown", "primary"]].tolist() == [1, 1, 1, 0]
    status = profile.loc["political_status", "volunteers"]
    assert status[["party_member", "masses", "league_member", "other"]].tolist() == [1, 1, 1, 0]
    assert profile.groupby(level="dimension")["volunteers"].sum().eq(3).all()


def test_new_teams_by_type(tables):
    frame = professional.new_teams(tables, YEAR).set_index("team_type")["new_teams"]
    assert frame.sum() == 2 and frame["community"] == 1 and frame["other"] == 1  # T1 and T4 (no type)


def test_recruitment_targets_against_volunteers_who_took_part(tables):
    # health: A1 (plan 10, V1 and V2; V3's record rejected) and A2 (plan 2, V1, V2, V3: met);
    # community service: A4 (plan 5, nobody); A3 has no target, A5 is of 2019.
    frame = professional.recruitment_by_category(tables, YEAR)
    assert frame.drop(columns="fill_rate").values.tolist() == [
        ["health", "卫生健康", 2, 12, 5, 0.5],
        ["community_service", "社区服务", 1, 5, 0, 0.0],
    ]
    assert frame["fill_rate"].tolist() == pytest.approx([5 / 12, 0.0])
