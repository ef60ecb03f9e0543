"""Small-cell suppression against a hand-made input/expected pair."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from conftest import FIXTURES

from voldata.indicators import district_indicators
from voldata.publish import DISTRICT_COUNTS, suppress, suppress_district_indicators

RATES = {"active_rate": ["active_volunteers", "registered_volunteers"], "hours_per_active_mean": "active_volunteers"}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(
        FIXTURES / name,
        comment="#",
        dtype={"district_code": "str", "registered_volunteers": "str", "active_volunteers": "str", "teams": "Int64"},
    )


def test_suppress_counts_and_the_rates_that_follow_them():
    source = _read("publish_input.csv")
    source = source.astype({"registered_volunteers": "Float64", "active_volunteers": "Float64"}).astype(
        {"registered_volunteers": "Int64", "active_volunteers": "Int64"}
    )
    actual = suppress(source, counts=["registered_volunteers", "active_volunteers"], rates=RATES)
    pdt.assert_frame_equal(actual, _read("publish_expected.csv"))


def test_keep_rows_leaves_city_totals_alone():
    frame = pd.DataFrame({"area": ["city", "d1"], "n": [5, 5], "rate": [0.5, 0.5]})
    out = suppress(frame, counts=["n"], rates={"rate": "n"}, keep_rows=[True, False])
    assert out["n"].tolist() == ["5", "<10"]
    assert out["rate"].iloc[0] == 0.5 and np.isnan(out["rate"].iloc[1])


def test_rates_must_follow_listed_counts():
    frame = pd.DataFrame({"n": [5], "m": [20], "rate": [0.5]})
    with pytest.raises(ValueError, match="not listed in counts"):
        suppress(frame, counts=["n"], rates={"rate": "m"})


def test_district_table_suppression(tables):
    published = suppress_district_indicators(district_indicators(tables, year=2020))
    # every district of the fixture has fewer than 10 people: nothing identifying is left
    for column in DISTRICT_COUNTS:
        assert set(published[column]) == {"<10"}
    assert published["active_rate"].isna().all()
    assert published["hours_per_active_mean"].isna().all()
    assert published["teams"].tolist()[:3] == [1, 1, 1]  # teams are not people
