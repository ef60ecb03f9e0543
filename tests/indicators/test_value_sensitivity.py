"""Full-time equivalents and the wage sensitivity of the contribution value, worked out by hand.

The fixture store's valid 2020 hours are 27 (expected_city_2020.csv: 9 + 10 + 1.5 + 3 + 3.5).
"""

import numpy as np
import pandas as pd
import pandas.testing as pdt

from voldata.indicators import full_time_equivalents, wage_sensitivity

WAGES = pd.DataFrame({"year": [2019, 2020], "avg_monthly_wage_yuan": [10292, 11262], "source": ["s", "s"]})
BASES = pd.DataFrame(
    {
        "basis": ["minimum_wage", "community_services"],
        "year": [2018, 2020],
        "monthly_wage_yuan": [2100, 8700],
        "source": ["m", "c"],
        "verified": [False, True],
    }
)


def test_full_time_equivalents(tables):
    frame = full_time_equivalents(tables, year=2020)
    assert frame["full_time_equivalents"].iloc[0] == 27 / 2000


def test_wage_sensitivity_values_hours_at_each_wage(tables):
    frame = wage_sensitivity(tables, year=2020, wages=WAGES, bases=BASES)
    hourly = [11262 / 21.75 / 8, 8700 / 21.75 / 8, 2100 / 21.75 / 8]
    expected = pd.DataFrame(
        {
            "basis": ["all_sector", "community_services", "minimum_wage"],
            "wage_year": pd.array([2020, 2020, 2018], dtype="Int64"),
            "monthly_wage": [11262.0, 8700.0, 2100.0],
            "hourly_wage": hourly,
            "contribution_value": [27 * h for h in hourly],
            "relative_to_all_sector": [1.0, 8700 / 11262, 2100 / 11262],
        }
    )
    pdt.assert_frame_equal(frame[list(expected.columns)], expected, rtol=1e-12)
    assert frame["wage_source"].iloc[2] == "m; not verified; no wage for 2020: the 2018 wage is used"


def test_a_wage_not_found_leaves_its_row_blank(tables):
    frame = wage_sensitivity(tables, year=2020, wages=WAGES, bases=BASES[BASES["basis"] == "minimum_wage"])
    row = frame.set_index("basis").loc["community_services"]
    assert np.isnan(row["contribution_value"]) and np.isnan(row["relative_to_all_sector"])
    assert pd.isna(row["wage_year"]) and row["wage_source"].startswith("not found")
