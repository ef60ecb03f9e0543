"""Indicators against values worked out by hand (tests/fixtures/indicators/expected_*.csv).

Every indicator runs on pandas DataFrames and on polars LazyFrames (the ``engine``
fixture); the expected files say how each number was worked out.
"""

from __future__ import annotations

import ast
import operator
import re

import narwhals as nw
import numpy as np
import pandas as pd
import pandas.testing as pdt
import polars as pl
import pytest
from conftest import FIXTURES

from voldata import store
from voldata.indicators import (
    CITY_IDS,
    DISTRICT_IDS,
    REGISTRY,
    account_balances,
    activities_by_category,
    city_indicators,
    district_indicators,
    engagement_survival,
    hours_by_category,
    hours_by_target_group,
    indicator_function,
    monthly_active,
    monthly_hours,
    monthly_hours_series,
    registry_table,
)
from voldata.indicators._engine import age_band, as_context

# The ids of spec/indicators.md (the first column of its tables, sections 1–8;
# the spec lives in the project's shared spec folder). timebank_young_old_to_old_old
# is reported as a count and as points. Keep in step with the spec.
SPEC_IDS = [
    # 1 Scale
    "registered_volunteers",
    "new_volunteers",
    "active_volunteers",
    "active_rate",
    "service_hours",
    "hours_per_active_mean",
    "hours_per_active_median",
    "volunteers_per_10k",
    "teams",
    "active_teams",
    "activities",
    # 2 Party leadership
    "party_member_volunteers",
    "party_member_active",
    "party_share_of_active",
    "party_share_of_hours",
    "party_hours_ratio",
    "reported_party_members",
    "reported_party_members_active",
    "party_service_teams",
    "party_team_activities",
    # 3 Commitment and concentration
    "star_1",
    "star_2",
    "star_3",
    "star_4",
    "star_5",
    "hours_gini",
    "top10_hours_share",
    "retention",
    "activation_90d",
    "engagement_survival",
    # 4 Services
    "hours_by_category",
    "activities_by_category",
    "hours_by_target_group",
    "monthly_hours",
    "monthly_active",
    # 5 Integration and informatization
    "social_work_activity_share",
    "charity_activity_share",
    "both_activity_share",
    "social_work_hours_share",
    "digital_record_share",
    # 6 Time bank
    "timebank_accounts",
    "timebank_new_accounts",
    "timebank_active_accounts",
    "points_deposited",
    "points_withdrawn",
    "points_transferred",
    "points_donated",
    "withdrawal_ratio",
    "points_outstanding",
    "accounts_over_cap",
    # 7 Young-old serve old-old
    "young_old_active",
    "young_old_elderly_hours",
    "timebank_young_old_to_old_old_count",
    "timebank_young_old_to_old_old_points",
    "timebank_young_old_share",
    # 8 Value
    "contribution_value",
    "full_time_equivalents",
    "wage_sensitivity",
]
SCALAR_IDS = [i for i in SPEC_IDS if REGISTRY[i].kind != "table"]

_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _arithmetic(text: str) -> float | None:
    """Evaluate a hand-written arithmetic expression of an expected file (numbers, + − × ÷, brackets)."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or str(text).strip() == "":
        return None

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        raise ValueError(f"not an arithmetic expression: {text!r}")

    return float(walk(ast.parse(str(text), mode="eval")))


def _expected_city(name: str) -> pd.DataFrame:
    raw = pd.read_csv(FIXTURES / name, comment="#", dtype=str, keep_default_na=False)
    return pd.DataFrame({"id": list(raw["id"]), "value": [_arithmetic(v) for v in raw["value"]]}).astype(
        {"value": "float64"}
    )


def _actual_city(values: dict, ids) -> pd.DataFrame:
    return pd.DataFrame(
        {"id": list(ids), "value": [np.nan if values[i] is None else float(values[i]) for i in ids]}
    ).astype({"value": "float64"})


def _read_expected(name: str) -> pd.DataFrame:
    return pd.read_csv(
        FIXTURES / name,
        comment="#",
        dtype={"district_code": str, "category": str, "target_group": str, "account_id": str},
    )


# -- the spec and the registry ---------------------------------------------------
def test_every_spec_id_has_a_registry_entry_and_a_function():
    assert sorted(REGISTRY) == sorted(SPEC_IDS)
    for id in SPEC_IDS:
        item = REGISTRY[id]
        assert item.name_zh and item.name_en and item.unit and item.definition
        function = indicator_function(id)
        assert callable(function)
        assert item.definition in function.__doc__


def test_registry_table_lists_every_indicator_once():
    table = registry_table()
    assert list(table["id"]) == SPEC_IDS
    assert table["section"].notna().all()
    assert table["definition_zh"].tolist() == [REGISTRY[id].definition_zh for id in SPEC_IDS]


_CJK = re.compile(r"[\u4e00-\u9fff]")
# Numbers of a definition (thresholds, constants); "Y−1" and ordinals ("7th-census") are words in Chinese.
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_NOT_A_NUMBER = re.compile(r"Y\s*[−-]\s*1|\d+(?:st|nd|rd|th)\b")


@pytest.mark.parametrize("id", SPEC_IDS)
def test_every_entry_has_a_chinese_definition_with_the_same_numbers(id):
    item = REGISTRY[id]
    assert isinstance(item.definition_zh, str) and item.definition_zh.strip()
    assert _CJK.search(item.definition_zh), item.definition_zh
    assert item.definition_zh != item.definition
    english = set(_NUMBER.findall(_NOT_A_NUMBER.sub(" ", item.definition)))
    chinese = set(_NUMBER.findall(item.definition_zh))
    assert english <= chinese, f"{id}: {sorted(english - chinese)} missing from the Chinese definition"


def test_city_indicators_has_every_scalar_id_and_is_json_safe(tables):
    import json

    values = city_indicators(tables, year=2020)
    assert set(SCALAR_IDS) <= set(values)
    assert CITY_IDS == SCALAR_IDS
    json.dumps(values, allow_nan=False)
    for id in SCALAR_IDS:
        assert (f"{id}_yoy" in values) == REGISTRY[id].growth


# -- city values worked out by hand ----------------------------------------------
def test_city_indicators_2020(tables):
    expected = _expected_city("expected_city_2020.csv")
    actual = _actual_city(city_indicators(tables, year=2020), expected["id"])
    pdt.assert_frame_equal(actual, expected, rtol=1e-12)


def test_city_indicators_year_without_activity(tables):
    expected = _expected_city("expected_city_2021.csv")
    actual = _actual_city(city_indicators(tables, year=2021), expected["id"])
    pdt.assert_frame_equal(actual, expected, rtol=1e-12)


def test_first_year_has_no_growth(tables):
    values = city_indicators(tables, year=2019)
    assert values["registered_volunteers"] == 4
    assert values["service_hours"] == 105.0
    assert values["retention"] is None  # 2018 is not in the store
    growth = {k: v for k, v in values.items() if k.endswith("_yoy")}
    assert growth and all(v is None for v in growth.values())


def test_growth_is_null_when_previous_year_missing_from_store(only_2020_store, engine):
    values = city_indicators(store.tables(only_2020_store, engine=engine), year=2020)
    assert values["registered_volunteers"] == 7
    assert values["registered_volunteers_yoy"] is None
    assert values["retention"] is None
    # cumulative stars only see the years in the store: V2 has 10 h without 2019
    assert values["star_1"] == 0


def test_population_table_sets_volunteers_per_10k(tables):
    population = pd.DataFrame({"district_code": ["440103", "440104"], "population": [30_000, 40_000]})
    assert city_indicators(tables, year=2020, population=population)["volunteers_per_10k"] == pytest.approx(
        7 / 70_000 * 10_000
    )
    district = district_indicators(tables, year=2020, population=population).set_index("district_code")
    assert district.loc["440103", "volunteers_per_10k"] == pytest.approx(2 / 30_000 * 10_000)
    assert np.isnan(district.loc["440105", "volunteers_per_10k"])  # no population given


def test_wage_falls_back_to_latest_earlier_year(tables):
    values = city_indicators(tables, year=2021)
    assert values["wage_year"] == 2020
    assert "2020 wage is used" in values["wage_source"]


# -- districts ------------------------------------------------------------------
def test_district_indicators_2020(tables):
    expected = _read_expected("expected_district_2020.csv")
    actual = district_indicators(tables, year=2020)
    assert len(actual) == 11
    assert list(actual.columns[:3]) == ["year", "district_code", "name_zh"]
    assert set(DISTRICT_IDS) <= set(actual.columns)
    actual = actual[expected.columns]
    expected = expected.astype({c: actual[c].dtype for c in expected.columns})
    pdt.assert_frame_equal(actual.reset_index(drop=True), expected, rtol=1e-12)


# -- non-scalar indicators -----------------------------------------------------------
def test_hours_by_category_and_target_group(tables):
    for function, key, name in [
        (hours_by_category, "category", "expected_hours_by_category_2020.csv"),
        (hours_by_target_group, "target_group", "expected_hours_by_target_group_2020.csv"),
    ]:
        frame = function(tables, year=2020)
        expected = _read_expected(name)
        nonzero = frame[frame["hours"] > 0][[key, "hours"]]
        pdt.assert_frame_equal(
            nonzero.sort_values(key).reset_index(drop=True), expected.sort_values(key).reset_index(drop=True)
        )
        assert frame["share"].sum() == pytest.approx(1.0)
    assert len(hours_by_category(tables, year=2020)) == 22  # every category, even empty


def test_activities_by_category(tables):
    frame = activities_by_category(tables, year=2020).set_index("category")
    assert frame["activities"].sum() == 3
    assert frame.loc[["health", "education_support", "environment"], "activities"].tolist() == [1, 1, 1]


def test_monthly_hours_and_active(tables):
    expected = _read_expected("expected_monthly_2020.csv").astype(
        {"year": "Int64", "month": "Int64", "active_volunteers": "Int64"}
    )
    actual = monthly_hours(tables, year=2020).merge(monthly_active(tables, year=2020), on=["year", "month"])
    pdt.assert_frame_equal(actual, expected)


def test_monthly_hours_series_covers_every_month(tables):
    series = monthly_hours_series(tables)
    assert len(series) == 21  # 2019-04 .. 2020-12
    assert series["hours"].sum() == pytest.approx(105 + 27)


def test_engagement_survival(tables):
    expected = _read_expected("expected_engagement_survival_2020.csv").astype(
        {c: "Int64" for c in ["year", "days", "at_risk", "lapsed", "censored"]}
    )
    pdt.assert_frame_equal(engagement_survival(tables, year=2020), expected, rtol=1e-12)


def test_balances_include_transfers_and_donations(tables):
    expected = _read_expected("expected_balances_2020.csv").astype({"account_id": "str", "balance": "int64"})
    actual = account_balances(tables, year=2020).sort("account_id").collect().to_pandas()
    actual = actual.astype({"account_id": "str", "balance": "int64"}).reset_index(drop=True)
    pdt.assert_frame_equal(actual, expected)


def test_age_band_with_missing_birth_year(engine):
    native = pd.DataFrame({"birth_year": pd.array([2010, 1990, 1960, 1955, 1940, None], dtype="Int64")})
    if engine == "polars":
        native = pl.from_pandas(native).lazy()
    frame = nw.from_native(native)
    frame = frame.lazy() if isinstance(frame, nw.DataFrame) else frame
    bands = frame.select(band=age_band(2020, nw.col("birth_year"))).collect()["band"].to_list()
    assert bands == ["under_18", "18_34", "60_69", "60_69", "70_plus", "unknown"]


# -- each function on its own, both engines ----------------------------------------
@pytest.fixture(scope="module")
def suites(fixture_store):
    """city_indicators of 2020 on each engine, computed once for the per-function tests."""
    return {
        engine: city_indicators(store.tables(fixture_store, engine=engine), year=2020)
        for engine in ("pandas", "polars")
    }


@pytest.fixture(scope="module")
def district_tables(fixture_store):
    return {
        engine: district_indicators(store.tables(fixture_store, engine=engine), year=2020)
        for engine in ("pandas", "polars")
    }


@pytest.mark.parametrize("id", SCALAR_IDS)
def test_indicator_function_matches_suite_and_engines_agree(fixture_store, suites, id):
    frames = {}
    for engine in ("pandas", "polars"):
        tables = store.tables(fixture_store, engine=engine)
        frames[engine] = indicator_function(id)(tables, year=2020)
        suite = suites[engine]
        frame = frames[engine]
        assert list(frame.columns[:2]) == ["year", id]
        value = frame[id].iloc[0]
        assert (pd.isna(value) and suite[id] is None) or value == pytest.approx(suite[id])
        if REGISTRY[id].growth:
            yoy = frame["yoy"].iloc[0]
            assert (pd.isna(yoy) and suite[f"{id}_yoy"] is None) or yoy == pytest.approx(suite[f"{id}_yoy"])
    pdt.assert_frame_equal(frames["pandas"], frames["polars"])


@pytest.mark.parametrize("id", [i for i in SCALAR_IDS if REGISTRY[i].district])
def test_district_version_matches_district_table(fixture_store, district_tables, id):
    frames = {}
    for engine in ("pandas", "polars"):
        tables = store.tables(fixture_store, engine=engine)
        frames[engine] = indicator_function(id)(tables, year=2020, by="district")
        table = district_tables[engine]
        pdt.assert_series_equal(frames[engine][id], table[id], check_names=False)
    assert len(frames["pandas"]) == 11
    pdt.assert_frame_equal(frames["pandas"], frames["polars"])


@pytest.mark.parametrize(
    "function",
    [
        hours_by_category,
        activities_by_category,
        hours_by_target_group,
        monthly_hours,
        monthly_active,
        engagement_survival,
    ],
)
def test_table_indicators_agree_across_engines(fixture_store, function):
    pandas_frame = function(store.tables(fixture_store, engine="pandas"), year=2020)
    polars_frame = function(store.tables(fixture_store, engine="polars"), year=2020)
    pdt.assert_frame_equal(pandas_frame, polars_frame)


def test_suite_agrees_across_engines(fixture_store):
    for year in (2019, 2020, 2021):
        pandas_tables = store.tables(fixture_store, engine="pandas")
        polars_tables = store.tables(fixture_store, engine="polars")
        assert city_indicators(pandas_tables, year=year) == city_indicators(polars_tables, year=year)
        pdt.assert_frame_equal(
            district_indicators(pandas_tables, year=year), district_indicators(polars_tables, year=year)
        )


def test_context_collects_shared_aggregate_once(fixture_store):
    ctx = as_context(store.tables(fixture_store, engine="polars"))
    city_indicators(ctx, year=2020)
    # the per-volunteer-year aggregate is kept collected and reused for both years
    assert "volunteer_years" in ctx._frames
    assert ("active_people", 2020) in ctx._frames and ("active_people", 2019) in ctx._frames


def test_same_tables_reuse_one_context(fixture_store):
    tables = store.tables(fixture_store, engine="polars")
    assert as_context(tables) is as_context(tables)
    assert as_context(dict(tables)) is as_context(tables)  # same frames, another dict
    assert as_context(store.tables(fixture_store, engine="polars")) is not as_context(tables)
