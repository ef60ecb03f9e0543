"""The shared indicators file: what the build computes once and each chapter's context takes from it."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

from voldata import indicators, store
from voldata.edition import analysis, series, shared
from voldata.edition import districts as d

YEAR = 2020


@pytest.fixture(scope="module")
def indicators_file(fixture_store, tmp_path_factory):
    context = indicators.Context(store.tables(fixture_store, engine="polars"))
    city, district = shared.compute_indicators(context, year=YEAR, population=None)
    values = shared.chapter_values(context, year=YEAR)
    return shared.write_indicators(tmp_path_factory.mktemp("shared"), city, district, values)


def test_a_chapter_context_gives_what_its_own_computation_gives(fixture_store, indicators_file):
    kept = shared.chapter_context(store.tables(fixture_store, engine="polars"), indicators_file)
    fresh = indicators.Context(store.tables(fixture_store, engine="polars"))
    for id in indicators.CITY_IDS:
        expected = indicators.indicator_function(id)(fresh, year=YEAR - 1)[id].iloc[0]
        assert analysis.previous_year_value(kept, id, year=YEAR) == (None if pd.isna(expected) else float(expected))
    assert indicators.value_change(kept, year=YEAR) == indicators.value_change(fresh, year=YEAR)
    years = [2019, 2020]
    pdt.assert_frame_equal(analysis.yearly_scale(kept, years), analysis.yearly_scale(fresh, years))
    assert indicators.data_window(kept) == indicators.data_window(fresh)
    pdt.assert_frame_equal(d.monthly_hours(kept, year=YEAR), d.monthly_hours(fresh, year=YEAR), check_exact=True)
    known = {YEAR: indicators.city_indicators(fresh, year=YEAR)}
    pdt.assert_frame_equal(
        series.indicator_series(kept, years, known=known), series.indicator_series(fresh, years, known=known)
    )
    # None of it was computed again: the records were never scanned by the chapter's context.
    assert not kept._frames


def test_a_chapter_context_without_the_file_computes(fixture_store):
    context = shared.chapter_context(store.tables(fixture_store, engine="polars"), None)
    assert analysis.previous_year_value(context, "active_volunteers", year=YEAR) is not None
    assert "volunteer_years" in context._frames


def test_previous_year_value_names_only_city_scalars(fixture_store):
    with pytest.raises(ValueError, match="not a city-level scalar"):
        analysis.previous_year_value(store.tables(fixture_store), "hours_by_category", year=YEAR)
