"""The data window on the hand-made store: activation follow-up, star basis, value change, limitations,
and one active-volunteer rule at street, district and city level. Expected values worked out by hand
from tests/fixtures/indicators (data window 2019-04-01, R01, to 2020-12-31, R15)."""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pytest
from conftest import read_fixture_table, write_store

from voldata import store
from voldata.indicators import (
    DATA_LIMITATIONS,
    activation_cohort,
    city_indicators,
    data_limitations,
    data_window,
    district_indicators,
    star_1,
    star_basis,
    street_table,
    value_change,
)
from voldata.schema import TABLE_ORDER


def test_data_window(tables):
    assert data_window(tables) == {"start": dt.datetime(2019, 4, 1), "end": dt.datetime(2020, 12, 31)}


def test_activation_cohort_2019(tables):
    # Registered in 2019: V1 01-10, V2 03-01, V8 02-01, V3 06-15; all + 90 d before the data end.
    # V3's first record (2019-05-02) is before its registration: already serving, left out.
    # V1 first record 2019-04-01 = 81 days, V2 31 days, V8 59 days: all activated.
    counts = activation_cohort(tables, year=2019)
    assert counts == {"new": 4, "short_follow_up": 0, "served_before": 1, "cohort": 3, "activated": 3}


def test_activation_cohort_2020(tables):
    # V7 (2020-11-20) + 90 d = 2021-02-18, after the data end: no full follow-up.
    counts = activation_cohort(tables, year=2020)
    assert counts == {"new": 3, "short_follow_up": 1, "served_before": 0, "cohort": 2, "activated": 2}
    assert city_indicators(tables, year=2020)["activation_90d"] == 1.0


def test_stars_have_no_growth_and_name_the_window(tables):
    basis = star_basis(tables)
    assert basis["opening_balance"] is False and basis["growth"] is False
    assert basis["window_start"] == dt.date(2019, 4, 1)
    assert "2019年4月1日以来" in basis["note_zh"] and "不计算增长率" in basis["note_zh"]
    assert "yoy" not in star_1(tables, year=2020).columns
    assert "star_1_yoy" not in city_indicators(tables, year=2020)
    assert "star_1_yoy" not in district_indicators(tables, year=2020).columns


def test_value_change_splits_hours_and_wages(tables):
    # 2020: 27 h at 11262/21.75/8 yuan; 2019: 105 h at 10292/21.75/8 yuan.
    w20, w19 = 11262 / 21.75 / 8, 10292 / 21.75 / 8
    change = value_change(tables, year=2020)
    assert change["nominal"] is True
    assert change["contribution_value"] == pytest.approx(27 * w20)
    assert change["previous_value"] == pytest.approx(105 * w19)
    assert change["hours_effect"] == pytest.approx((27 - 105) * w19)
    assert change["wage_effect"] == pytest.approx(27 * (w20 - w19))
    assert change["hours_effect"] + change["wage_effect"] == pytest.approx(change["change"])
    assert change["hours_yoy"] == pytest.approx((27 - 105) / 105)
    assert change["hourly_wage_yoy"] == pytest.approx((11262 - 10292) / 10292)
    assert change["value_yoy"] == pytest.approx(city_indicators(tables, year=2020)["contribution_value_yoy"])


def test_value_change_without_previous_year(only_2020_store):
    change = value_change(store.tables(only_2020_store, engine="polars"), year=2020)
    assert change["contribution_value"] is not None
    assert change["hours_effect"] is None and change["value_yoy"] is None


def test_data_limitations_fill_in_the_window(tables):
    window = data_window(tables)
    texts = data_limitations(window["start"].date(), window["end"].date())
    assert len(texts) == len(DATA_LIMITATIONS) >= 4
    keys = [key for key, _ in DATA_LIMITATIONS]
    assert {
        "latest_attributes",
        "several_ids",
        "registration_data",
        "window",
        "participation_model",
        "partial_first_year",
        "nominal_value",
        "associations",
    } <= set(keys)
    assert "2019年4月1日至2020年12月31日" in texts[keys.index("window")]
    assert "不是人口抽样调查" in texts[keys.index("registration_data")]
    assert all("{" not in text for text in texts)


@pytest.fixture(scope="module")
def unregistered_active_store(tmp_path_factory):
    """The hand-made store plus V9 (荔湾 沙面街道), registered 2021-03-01 but with a valid record on 2020-05-05."""
    tables = {name: read_fixture_table(name) for name in TABLE_ORDER}
    volunteers = tables["volunteers"].to_pylist()
    volunteers.append(
        {
            **volunteers[0],
            "volunteer_id": "V9",
            "person_key": "P9x",
            "street": "沙面街道",
            "registered_at": dt.datetime(2021, 3, 1),
        }
    )
    tables["volunteers"] = pa.Table.from_pylist(volunteers, schema=tables["volunteers"].schema)
    records = tables["service_records"].to_pylist()
    records.append(
        {
            **records[-1],
            "record_id": "R99",
            "volunteer_id": "V9",
            "service_date": dt.date(2020, 5, 5),
            "hours": 2.0,
            "status": "approved",
        }
    )
    tables["service_records"] = pa.Table.from_pylist(records, schema=tables["service_records"].schema)
    return write_store(tmp_path_factory.mktemp("unregistered_active"), tables)


def test_one_active_rule_at_street_district_and_city(unregistered_active_store):
    polars_tables = store.tables(unregistered_active_store, engine="polars")
    city = city_indicators(polars_tables, year=2020)
    districts = district_indicators(polars_tables, year=2020).set_index("district_code")
    streets = street_table(polars_tables, 2020)
    # V1..V5 as before, plus V9: active without being registered by the end of 2020, at every level
    assert city["active_volunteers"] == 6
    assert districts.loc["440103", "active_volunteers"] == 3  # V1, V2, V9
    by_district = streets.groupby("district_code")["active_volunteers"].sum()
    assert by_district["440103"] == 3
    assert (by_district == districts.loc[by_district.index, "active_volunteers"]).all()
    sha_mian = streets.set_index("street").loc["沙面街道"]
    assert sha_mian["registered_volunteers"] == 0 and sha_mian["active_volunteers"] == 1
    assert sha_mian["active_rate"] != sha_mian["active_rate"]  # no rate over 0 registered (NaN)


def test_data_limitations_in_english_say_the_same_window(tables):
    window = data_window(tables)
    texts = data_limitations(window["start"].date(), window["end"].date(), language="en")
    keys = [key for key, _ in DATA_LIMITATIONS]
    assert len(texts) == len(keys)
    assert "from 2019-04-01 to 2020-12-31" in texts[keys.index("window")]
    assert not [text for text in texts if re.search(r"[\u4e00-\u9fff]", text)]
