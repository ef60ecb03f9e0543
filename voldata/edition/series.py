"""Indicators as series: every city indicator for each year of the store up to the reference year."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from voldata import indicators
from voldata.indicators import CITY_IDS, REGISTRY

__all__ = ["HEADLINE_IDS", "city_indicators_key", "city_indicators_of", "indicator_series", "series_long"]

# The series 总报告 draws as small multiples.
HEADLINE_IDS = (
    "registered_volunteers",
    "active_volunteers",
    "active_rate",
    "service_hours",
    "hours_per_active_mean",
    "activities",
)


def indicator_series(
    tables,
    years: Sequence[int],
    *,
    known: Mapping[int, Mapping[str, Any]] | None = None,
    population: Any = None,
    ids: Sequence[str] = tuple(CITY_IDS),
) -> pd.DataFrame:
    """One row per indicator, one column per year: the city indicators of each of ``years``.

    Parameters
    ----------
    tables : dict or Context
        The store's tables (a :class:`voldata.indicators.Context` shares aggregates across years).
    years : sequence of int
        The years, in order (the store's first year to the reference year).
    known : mapping, optional
        Year -> its ``city_indicators`` already computed (the reference year's, say), not computed again.
    population : optional
        As :func:`voldata.indicators.city_indicators` takes it.
    ids : sequence of str
        The indicators, in order (default every scalar city indicator).

    Returns
    -------
    DataFrame
        ``id``, ``name_zh``, ``unit``, then one float64 column per year named by the year
        (a string); missing where an indicator has no value that year.
    """
    known = dict(known or {})
    by_year = {
        year: known[year] if year in known else city_indicators_of(tables, year=year, population=population)
        for year in years
    }
    frame = pd.DataFrame(
        {"id": list(ids), "name_zh": [REGISTRY[i].name_zh for i in ids], "unit": [REGISTRY[i].unit for i in ids]}
    )
    for year, values in by_year.items():
        frame[str(year)] = pd.array([values.get(i) for i in ids], dtype="Float64").astype("float64")
    return frame


def city_indicators_of(tables, *, year: int, population: Any = None) -> dict[str, Any]:
    """:func:`voldata.indicators.city_indicators` of ``year``, once per indicator context and population file
    (the build's shared step computes the earlier years' and every chapter's context holds them)."""
    if isinstance(tables, indicators.Context) and (population is None or isinstance(population, (str, Path))):
        return tables.value(
            city_indicators_key(year, population),
            lambda: indicators.city_indicators(tables, year=year, population=population),
        )
    return indicators.city_indicators(tables, year=year, population=population)


def city_indicators_key(year: int, population: str | Path | None) -> tuple:
    """The key :func:`city_indicators_of` keeps a year's city indicators under in a context."""
    return ("city_indicators", year, None if population is None else str(population))


def series_long(series: pd.DataFrame, ids: Sequence[str] = HEADLINE_IDS) -> pd.DataFrame:
    """The rows ``ids`` of :func:`indicator_series`, long: ``id``, ``name_zh``, ``unit``, ``year``, ``value``."""
    rows = series.set_index("id").loc[list(ids)].reset_index()
    long = rows.melt(id_vars=["id", "name_zh", "unit"], var_name="year", value_name="value")
    long["year"] = long["year"].astype(int)
    return long.sort_values(["id", "year"], key=lambda c: c.map(list(ids).index) if c.name == "id" else c).reset_index(
        drop=True
    )
