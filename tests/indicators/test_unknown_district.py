"""The row of volunteers, teams and activities with no district, so that the districts add up to the city."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from conftest import read_fixture_table, write_store

from voldata import store as store_module
from voldata.indicators import UNKNOWN_DISTRICT, city_indicators, district_indicators
from voldata.schema import TABLE_ORDER

# Added to the hand-made store, all without a district:
# V9 party member registered 2019, active 2020 with 5 h + 7 h; V10 registered 2020, 3 h; V11 registered 2020, 1 h;
# team T5 founded 2019 with activity A6 in 2020 (the records' activity).
EXTRA = {
    "volunteers": [
        dict(volunteer_id="V9", political_status="party_member", registered_at="2019-05-01 09:00:00"),
        dict(volunteer_id="V10", political_status="masses", registered_at="2020-02-01 09:00:00"),
        dict(volunteer_id="V11", political_status="masses", registered_at="2020-08-01 09:00:00"),
    ],
    "teams": [dict(team_id="T5", team_type="community", founded_on="2019-01-01")],
    "activities": [
        dict(activity_id="A6", team_id="T5", category="other", target_group="other", start_at="2020-03-01 09:00:00")
    ],
    "service_records": [
        dict(record_id="R90", volunteer_id="V9", activity_id="A6", service_date="2020-03-01", hours=5.0),
        dict(record_id="R91", volunteer_id="V9", activity_id="A6", service_date="2020-03-08", hours=7.0),
        dict(record_id="R92", volunteer_id="V10", activity_id="A6", service_date="2020-03-01", hours=3.0),
        dict(record_id="R93", volunteer_id="V11", activity_id="A6", service_date="2020-09-01", hours=1.0),
    ],
}
DEFAULTS = {"status": "approved", "record_method": "qr", "id_type": "resident_id", "id_valid": True}


def _with_rows(table: pa.Table, rows: list[dict]) -> pa.Table:
    frame = table.to_pandas()
    added = pd.DataFrame([{**{k: v for k, v in DEFAULTS.items() if k in frame.columns}, **row} for row in rows])
    for column in added.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            added[column] = pd.to_datetime(added[column])
        elif column in ("founded_on", "service_date"):
            added[column] = pd.to_datetime(added[column]).dt.date
    return pa.Table.from_pandas(pd.concat([frame, added], ignore_index=True), schema=table.schema, preserve_index=False)


@pytest.fixture(scope="module")
def unknown_tables(tmp_path_factory):
    tables = {name: read_fixture_table(name) for name in TABLE_ORDER}
    for name, rows in EXTRA.items():
        tables[name] = _with_rows(tables[name], rows)
    return store_module.tables(write_store(tmp_path_factory.mktemp("unknown"), tables), engine="polars")


def test_unknown_row_worked_by_hand(unknown_tables):
    frame = district_indicators(unknown_tables, year=2020, unknown=True)
    row = frame.set_index("district_code").loc[UNKNOWN_DISTRICT]
    assert row["name_zh"] == "未填/无法识别"
    expected = {
        "registered_volunteers": 3,
        "new_volunteers": 2,
        "active_volunteers": 3,
        "party_member_volunteers": 1,
        "party_member_active": 1,
        "teams": 1,
        "active_teams": 1,
        "activities": 1,
        "star_1": 0,
    }
    assert {k: int(row[k]) for k in expected} == expected
    assert row["service_hours"] == 16.0
    assert row["hours_per_active_mean"] == pytest.approx(16 / 3)
    assert row["hours_per_active_median"] == 3.0  # 12, 3, 1
    assert row["active_rate"] == 1.0 and row["party_share_of_active"] == pytest.approx(1 / 3)
    assert pd.isna(row["volunteers_per_10k"])
    assert row["registered_volunteers_yoy"] == 2.0  # 2019: V9 alone
    assert row["service_hours_yoy"] != row["service_hours_yoy"]  # no hours in 2019: no growth


def test_districts_add_up_to_the_city(unknown_tables):
    frame = district_indicators(unknown_tables, year=2020, unknown=True)
    city = city_indicators(unknown_tables, year=2020)
    for column in ["registered_volunteers", "active_volunteers", "service_hours", "teams", "activities", "star_1"]:
        assert frame[column].sum() == city[column], column
    without = district_indicators(unknown_tables, year=2020)
    assert UNKNOWN_DISTRICT not in set(without["district_code"]) and len(without) == 11
    counts_only = district_indicators(unknown_tables, year=2020, unknown=True, growth=False)
    assert not [c for c in counts_only.columns if c.endswith("_yoy")]
    pd.testing.assert_frame_equal(counts_only, frame[counts_only.columns])
