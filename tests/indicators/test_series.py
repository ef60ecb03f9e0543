"""Indicators as series (voldata.edition.series) on the hand-made store: 2019 and 2020 worked out by hand
in expected_city_2020.csv (registered 4 → 7, hours 105 → 27)."""

import pandas as pd
import pandas.testing as pdt

from voldata.edition.series import indicator_series, series_long
from voldata.indicators import CITY_IDS, REGISTRY


def test_one_row_per_indicator_one_column_per_year(tables):
    series = indicator_series(tables, [2019, 2020])
    assert list(series.columns) == ["id", "name_zh", "unit", "2019", "2020"]
    assert list(series["id"]) == CITY_IDS
    assert series.set_index("id").at["contribution_value", "name_zh"] == REGISTRY["contribution_value"].name_zh
    rows = series.set_index("id").loc[["registered_volunteers", "service_hours", "full_time_equivalents"]]
    expected = pd.DataFrame(
        {"2019": [4.0, 105.0, 105 / 2000], "2020": [7.0, 27.0, 27 / 2000]},
        index=pd.Index(["registered_volunteers", "service_hours", "full_time_equivalents"], name="id"),
    )
    pdt.assert_frame_equal(rows[["2019", "2020"]], expected, rtol=1e-12)
    assert pd.isna(series.set_index("id").at["retention", "2019"])  # 2018 is not in the store


def test_known_years_are_not_computed_again(tables):
    known = {2020: {"registered_volunteers": 999}}
    series = indicator_series(tables, [2019, 2020], known=known, ids=["registered_volunteers"])
    assert series[["2019", "2020"]].iloc[0].tolist() == [4.0, 999.0]


def test_long_form_of_the_headline_rows(tables):
    long = series_long(indicator_series(tables, [2019, 2020]), ids=["service_hours", "registered_volunteers"])
    assert long[["id", "year", "value"]].values.tolist() == [
        ["service_hours", 2019, 105.0],
        ["service_hours", 2020, 27.0],
        ["registered_volunteers", 2019, 4.0],
        ["registered_volunteers", 2020, 7.0],
    ]
