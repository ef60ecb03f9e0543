"""The whole suite at once: every city scalar as a flat dict, every district column as one table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import narwhals as nw
import pandas as pd
import polars as pl

from voldata import reference
from voldata.indicators._engine import as_context, city_population, collect_pandas, py, ratio
from voldata.indicators.commitment import commitment_city, stars_by_district
from voldata.indicators.integration import integration_city
from voldata.indicators.party import party_city
from voldata.indicators.registry import REGISTRY
from voldata.indicators.scale import scale_by_district, scale_city
from voldata.indicators.timebank import timebank_city
from voldata.indicators.value import full_time_equivalents_of, hourly_wage
from voldata.indicators.young_old import young_old_city

__all__ = [
    "city_indicators",
    "district_indicators",
    "previous_city_indicators",
    "street_table",
    "CITY_IDS",
    "DISTRICT_IDS",
    "UNKNOWN_DISTRICT",
    "UNKNOWN_NAME",
]

#: The scalar ids of ``city_indicators``, in the spec's order.
CITY_IDS = [item.id for item in REGISTRY.values() if item.kind != "table"]
#: The columns of ``district_indicators`` (after ``year`` and ``district_code``).
DISTRICT_IDS = [item.id for item in REGISTRY.values() if item.district]
#: ``district_code`` and name of the row of volunteers, teams and activities with no
#: (or no recognisable) district, so that the districts add up to the city.
UNKNOWN_DISTRICT = "unknown"
UNKNOWN_NAME = "未填/无法识别"


def _families(ctx, year: int, population: Any, *, growth_only: bool = False) -> dict[str, Any]:
    """Every family's figures of Y; ``growth_only`` computes only what growth on Y needs (for Y−1).

    Once per context for the default population or a population file: a build needs Y−1's for last
    year's sentences and for the series, which are the same figures when no population file is given.
    """

    def build() -> dict[str, Any]:
        values: dict[str, Any] = {}
        values.update(party_city(ctx, year))
        values.update(commitment_city(ctx, year, growth_only=growth_only))
        if not growth_only:
            values.update(integration_city(ctx, year))
        values.update(timebank_city(ctx, year))
        values.update(young_old_city(ctx, year))
        values.update(scale_city(ctx, year, population=population, growth_only=growth_only))
        return values

    if population is not None and not isinstance(population, (str, Path)):
        return build()
    population_key = None if population is None else str(population)
    return dict(ctx.value(("families", year, population_key, growth_only), build))  # a copy: callers add to it


def city_indicators(tables, *, year: int, population: Any = None, wages: pd.DataFrame | None = None) -> dict[str, Any]:
    """Every scalar indicator of the city for year Y, as one flat JSON-safe dict.

    Shared aggregates (valid records per volunteer and year, the active
    volunteers of Y, valid records per activity and month) are computed once and
    reused by every indicator, and Y−1 only for growth.

    Parameters
    ----------
    tables : dict
        Table name -> pandas DataFrame or polars LazyFrame (all years of the store).
    year : int
        Reference year Y.
    population : None, str, Path, DataFrame or number, optional
        Resident population for ``volunteers_per_10k`` (see
        :func:`voldata.indicators.scale.volunteers_per_10k`).
    wages : DataFrame, optional
        Wage table for ``contribution_value`` (default ``reference.wages()``).

    Returns
    -------
    dict
        ``year``; every scalar spec id (see :data:`CITY_IDS`) -> int, float or
        None; ``<id>_yoy`` for the indicators with growth (None when Y−1 is
        not in the store); ``wage_year``, ``hourly_wage``, ``wage_source``;
        ``population`` and ``population_source`` used for volunteers_per_10k.
    """
    ctx = as_context(tables)
    current = _families(ctx, year, population)
    has_previous = year - 1 in ctx.store_years()
    previous = _families(ctx, year - 1, population, growth_only=True) if has_previous else None
    wage = hourly_wage(year, wages=wages)
    previous_wage = hourly_wage(year - 1, wages=wages)
    _add_hour_values(current, wage)
    if previous is not None:
        _add_hour_values(previous, previous_wage)

    out: dict[str, Any] = {"year": year}
    for id in CITY_IDS:
        out[id] = current.get(id)
        if REGISTRY[id].growth:
            out[f"{id}_yoy"] = (
                ratio(current[id] - previous[id], previous[id])
                if previous is not None and current.get(id) is not None and previous.get(id) is not None
                else None
            )
    out.update(wage)
    out["population"] = city_population(population)
    out["population_source"] = (
        "7th census city total 2020 (verified)" if population is None else "user population table"
    )
    return out


def previous_city_indicators(tables, *, year: int) -> dict[str, Any]:
    """Every scalar indicator of Y−1 (no growth; default population and wages), for sentences that word a change.

    Empty when Y−1 is not in the store. Computed once per context: the edition's build computes it
    in its shared step and every chapter's context takes it from there.

    Parameters
    ----------
    tables : dict or Context
        Table name -> pandas DataFrame or polars LazyFrame.
    year : int
        Reference year Y.

    Returns
    -------
    dict
        Every id of :data:`CITY_IDS` -> its value in Y−1 (int, float or None).
    """
    ctx = as_context(tables)

    def build() -> dict[str, Any]:
        if year - 1 not in ctx.store_years():
            return {}
        values = _families(ctx, year - 1, None)
        _add_hour_values(values, hourly_wage(year - 1))
        return {id: py(values.get(id)) for id in CITY_IDS}

    return ctx.value(("previous_city_indicators", year), build)


def _add_hour_values(values: dict[str, Any], wage: dict[str, Any]) -> None:
    """The indicators computed from a year's service hours: their value at the wage, and full-time equivalents."""
    values["contribution_value"] = _times(values["service_hours"], wage["hourly_wage"])
    values["full_time_equivalents"] = full_time_equivalents_of(values["service_hours"])


def _times(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a * b


def district_indicators(
    tables, *, year: int, population: Any = None, unknown: bool = False, growth: bool = True
) -> pd.DataFrame:
    """The district-level indicators of Y: one row per district, all 11 even when empty.

    Volunteers, their hours and their activity are grouped by the volunteer's
    district, teams by the team's, activities by the activity's.

    Parameters
    ----------
    tables : dict
        Table name -> pandas DataFrame or polars LazyFrame.
    year : int
        Reference year Y.
    population : None, str, Path or DataFrame, optional
        District populations for ``volunteers_per_10k`` (default: the bundled table).
    unknown : bool, default False
        Add a last row ``district_code`` = :data:`UNKNOWN_DISTRICT` (名称 未填/无法识别)
        for those with no district, so that every count and sum adds up to the
        city's: its counts and hours are the city's minus the 11 districts', its
        median is computed from its own volunteers, its ``volunteers_per_10k`` is
        blank (no population).
    growth : bool, default True
        False leaves out the ``<id>_yoy`` columns (and Y−1's figures are not computed).

    Returns
    -------
    DataFrame
        ``year``, ``district_code``, ``name_zh``, then the columns of
        :data:`DISTRICT_IDS` (counts Int64, the rest float64), then ``<id>_yoy``
        for those with growth (missing when Y−1 is not in the store or was 0).
        Not suppressed: pass it through :func:`voldata.publish.suppress` before publishing.
    """
    ctx = as_context(tables)

    def frame_for(y: int) -> pd.DataFrame:
        scale = scale_by_district(ctx, y, population=population)
        stars = stars_by_district(ctx, y)
        frame = scale.merge(stars.drop(columns="year"), on="district_code", how="left")
        return pd.concat([frame, _unknown_row(ctx, y, frame)], ignore_index=True) if unknown else frame

    frame = frame_for(year)
    has_previous = year - 1 in ctx.store_years()
    previous = frame_for(year - 1) if has_previous and growth else None
    out = frame[["year", "district_code"]].copy()
    names = reference.district_names() | {UNKNOWN_DISTRICT: UNKNOWN_NAME}
    out.insert(2, "name_zh", out["district_code"].map(names).astype("str"))
    for id in DISTRICT_IDS:
        out[id] = frame[id]
    for id in DISTRICT_IDS:
        if REGISTRY[id].growth and growth:
            if previous is None:
                out[f"{id}_yoy"] = pd.Series([float("nan")] * len(out), dtype="float64").to_numpy()
            else:
                before = previous[id].astype("float64")
                out[f"{id}_yoy"] = ((frame[id].astype("float64") - before) / before.where(before > 0)).to_numpy(
                    dtype="float64", na_value=float("nan")
                )
    return out


def street_table(tables, year: int) -> pd.DataFrame:
    """By district and street (the volunteer's): registered by the end of Y, active in Y, hours in Y, derived rates.

    Active volunteers follow the indicator definition at every level: a valid record in Y,
    whatever the registration date (so the streets add up to the district and city counts).
    ``tables``: the store's tables (Polars lazy frames) or an indicator context over them,
    whose volunteers active in Y (``Context.active_people``) are reused when computed already.
    """
    context = as_context(tables)
    unnamed = pl.col("street").fill_null("（未填写）")
    # registrations per street and year, read once for every year's table
    by_year = context.frame(
        "street_registrations",
        lambda: nw.from_native(
            context.natives["volunteers"]
            .group_by("district_code", unnamed, year=pl.col("registered_at").dt.year())
            .agg(registered_volunteers=pl.len())
        ),
    )
    registered = (
        by_year.to_native()
        .filter(pl.col("year") <= year)
        .group_by("district_code", "street")
        .agg(pl.col("registered_volunteers").sum())
    )
    # the active volunteers carry their street: no join with the volunteers again
    active = (
        context.active_people(year)
        .to_native()
        .group_by("district_code", unnamed)
        .agg(active_volunteers=pl.len(), service_hours=pl.col("hours").sum())
    )
    frame = (
        # Volunteers with no district match across the two sides too (one row per street, not two).
        registered.join(active, on=["district_code", "street"], how="full", coalesce=True, nulls_equal=True)
        .with_columns(
            pl.col("registered_volunteers").fill_null(0),
            pl.col("active_volunteers").fill_null(0),
            pl.col("service_hours").fill_null(0.0),
        )
        .with_columns(
            active_rate=pl.when(pl.col("registered_volunteers") > 0).then(
                pl.col("active_volunteers") / pl.col("registered_volunteers")
            ),
            hours_per_active=pl.when(pl.col("active_volunteers") > 0).then(
                pl.col("service_hours") / pl.col("active_volunteers")
            ),
        )
        .sort(["district_code", "registered_volunteers", "street"], descending=[False, True, False])
        .collect()
        .to_pandas()
    )
    frame.insert(1, "district_zh", frame["district_code"].map(reference.district_names()))
    return frame


def _unknown_row(ctx, year: int, districts: pd.DataFrame) -> pd.DataFrame:
    """The row of those with no district: the city's counts and sums minus the districts' (one row)."""
    city = scale_city(ctx, year, growth_only=True) | commitment_city(ctx, year, growth_only=True)
    row: dict[str, Any] = {"year": year, "district_code": UNKNOWN_DISTRICT}
    for column in districts.columns.drop(["year", "district_code"]):
        if column in city and (pd.api.types.is_integer_dtype(districts[column]) or column == "service_hours"):
            row[column] = (city[column] or 0) - districts[column].sum()
    hours = collect_pandas(ctx.active_people(year).filter(nw.col("district_code").is_null()).select("hours"))["hours"]
    row["hours_per_active_mean"] = ratio(row["service_hours"], row["active_volunteers"])
    row["hours_per_active_median"] = float(hours.median()) if len(hours) else None
    row["active_rate"] = ratio(row["active_volunteers"], row["registered_volunteers"])
    row["party_share_of_active"] = ratio(row["party_member_active"], row["active_volunteers"])
    row["volunteers_per_10k"] = None
    frame = pd.DataFrame([row], columns=districts.columns)
    return frame.astype(districts.dtypes.to_dict())
