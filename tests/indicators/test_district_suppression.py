"""Primary suppression of the hand-made store's district table (every district below the threshold)."""

from __future__ import annotations

from voldata.indicators import district_indicators
from voldata.publish import DISTRICT_COUNTS, suppress_district_indicators


def test_district_table_suppression(tables):
    published = suppress_district_indicators(district_indicators(tables, year=2020))
    # every district of the fixture has fewer than 10 people: nothing identifying is left
    for column in DISTRICT_COUNTS:
        assert set(published[column]) == {"<10"}
    assert published["active_rate"].isna().all()
    assert published["hours_per_active_mean"].isna().all()
    assert published["teams"].tolist()[:3] == [1, 1, 1]  # teams are not people
