"""1 Scale (总报告): volunteers, activity, hours, teams and activities, city and district."""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from voldata.indicators._docs import document
from voldata.indicators._engine import (
    Context,
    as_context,
    city_population,
    collect_pandas,
    count_true,
    district_frame,
    population_table,
    py,
    ratio,
    result,
)

__all__ = [
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
    "scale_city",
    "scale_by_district",
    "people_summary",
    "people_concentration",
]

_DISTRICT_COUNTS = [
    "registered_volunteers",
    "new_volunteers",
    "party_member_volunteers",
    "active_volunteers",
    "party_member_active",
    "teams",
    "active_teams",
    "activities",
]
_DISTRICT_SUMS = ["service_hours"]
_DISTRICT_RATES = ["active_rate", "hours_per_active_mean", "hours_per_active_median", "party_share_of_active"]


def _party_active() -> nw.Expr:
    # A party member counts when registered by the end of Y (the party_member_volunteers definition).
    return nw.col("party") & nw.col("registered")


def people_summary(ctx: Context, year: int) -> dict[str, Any]:
    """Counts and sums over the volunteers active in Y, from one collect of the shared aggregate.

    Keys: active_volunteers, service_hours, party_active, party_hours,
    nonparty_active, nonparty_hours, young_old_active.
    """

    def build() -> dict[str, Any]:
        hours = nw.col("hours")
        people = ctx.active_people(year).with_columns(
            party_hours=nw.when(_party_active()).then(hours).otherwise(0.0),
            nonparty_hours=nw.when(_party_active()).then(0.0).otherwise(hours),
        )
        row = (
            people.select(
                active_volunteers=nw.len(),
                service_hours=hours.sum(),
                party_active=count_true(_party_active()),
                party_hours=nw.col("party_hours").sum(),
                nonparty_active=count_true(~_party_active()),
                nonparty_hours=nw.col("nonparty_hours").sum(),
                young_old_active=count_true(nw.col("age_band") == "60_69"),
            )
            .collect()
            .rows(named=True)[0]
        )
        return {key: py(value) for key, value in row.items()}

    return ctx.value(("people_summary", year), build)


def people_concentration(ctx: Context, year: int) -> dict[str, Any]:
    """Order statistics of the hours of the volunteers active in Y.

    Keys: hours_mean, hours_median, gini_weighted_sum (Σ i·x_(i), i the
    ascending ordinal rank), top10_hours (hours of the top ⌈n/10⌉).

    The rank sums are taken over the distinct hour totals rather than over
    people: a value v held by c people, with b people below it, takes the ranks
    b+1 … b+c (Σ = c·b + c(c+1)/2), so ties need no order and only the small
    table of distinct values is ever sorted (a cluster never has to put every
    volunteer in one partition to rank them).
    """

    def build() -> dict[str, Any]:
        hours, count = nw.col("hours"), nw.col("count")
        row = ctx.active_people(year).select(hours_mean=hours.mean(), hours_median=hours.median()).collect()
        values = (
            ctx.active_people(year)
            .group_by("hours")
            .agg(nw.len().alias("count"))
            .with_columns(count.cast(nw.Int64()))  # signed: the differences below may be negative
            .with_columns(n=count.sum(), below=count.cum_sum().over(order_by="hours") - count)
        )
        # people of this value inside the top ⌈n/10⌉: ⌈n/10⌉ minus the people above it, clipped to 0 … count
        room = (nw.col("n") + 9) // 10 - (nw.col("n") - nw.col("below") - count)
        in_top = nw.when(room <= 0).then(0).when(room >= count).then(count).otherwise(room)
        sums = values.select(
            gini_weighted_sum=(hours * (count * nw.col("below") + count * (count + 1) // 2)).sum(),
            top10_hours=(hours * in_top).sum(),
        ).collect()
        return {key: py(value) for key, value in {**row.rows(named=True)[0], **sums.rows(named=True)[0]}.items()}

    return ctx.value(("people_concentration", year), build)


def scale_city(ctx: Context, year: int, *, population: Any = None, growth_only: bool = False) -> dict[str, Any]:
    """All city scale figures of Y (and the party counts that share their queries), as a dict.

    ``growth_only=True`` leaves out the mean and median (not needed for Y−1).
    """

    def build() -> dict[str, Any]:
        people = people_summary(ctx, year)
        volunteers = (
            ctx.volunteers(year)
            .select(
                registered_volunteers=count_true(nw.col("registered")),
                new_volunteers=count_true(nw.col("new")),
                party_member_volunteers=count_true(nw.col("registered") & nw.col("party")),
            )
            .collect()
            .rows(named=True)[0]
        )
        teams_row = (
            _teams_by_end(ctx, year)
            .select(
                teams=nw.len(),
                party_service_teams=count_true((nw.col("team_type") == "party_service").fill_null(False)),
            )
            .collect()
            .rows(named=True)[0]
        )
        activities_of_year = ctx.activities().filter(nw.col("year") == year)
        activity_row = (
            activities_of_year.select(activities=nw.len(), active_teams=nw.col("team_id").n_unique())
            .collect()
            .rows(named=True)[0]
        )
        values = {key: py(value) for key, value in {**volunteers, **teams_row, **activity_row}.items()}
        values.update(
            active_volunteers=people["active_volunteers"],
            service_hours=people["service_hours"] or 0.0,
            party_member_active=people["party_active"],
        )
        values["active_rate"] = ratio(values["active_volunteers"], values["registered_volunteers"])
        return values

    values = dict(ctx.value(("scale_city", year), build))
    if not growth_only:
        concentration = people_concentration(ctx, year)
        values["hours_per_active_mean"] = concentration["hours_mean"]
        values["hours_per_active_median"] = concentration["hours_median"]
    values["volunteers_per_10k"] = _per_10k(values["registered_volunteers"], city_population(population))
    return values


def _per_10k(count: float | None, population: float | None) -> float | None:
    share = ratio(count, population)
    return None if share is None else share * 10_000


def _teams_by_end(ctx: Context, year: int) -> nw.LazyFrame:
    founded = nw.col("founded_on")
    return ctx.table("teams").filter(founded.is_null() | (founded.dt.year() <= year))


def scale_by_district(ctx: Context, year: int, *, population: Any = None) -> pd.DataFrame:
    """All district scale figures of Y (plus party counts), one row per district (all 11)."""

    def build() -> pd.DataFrame:
        volunteers = collect_pandas(
            ctx.volunteers(year)
            # flags as 0/1 before grouping: Spark sums numbers only, and pandas sums columns fastest
            .with_columns(
                registered_volunteers=nw.col("registered").cast(nw.Int64()),
                new_volunteers=nw.col("new").cast(nw.Int64()),
                party_member_volunteers=(nw.col("registered") & nw.col("party")).cast(nw.Int64()),
            )
            .group_by("district_code")
            .agg(nw.col("registered_volunteers", "new_volunteers", "party_member_volunteers").sum())
        )
        people = collect_pandas(
            ctx.active_people(year)
            .with_columns(party_member_active=_party_active().cast(nw.Int64()))
            .group_by("district_code")
            .agg(
                nw.len().alias("active_volunteers"),
                nw.col("hours").sum().alias("service_hours"),
                nw.col("hours").mean().alias("hours_per_active_mean"),
                nw.col("hours").median().alias("hours_per_active_median"),
                nw.col("party_member_active").sum(),
            )
        )
        teams_frame = collect_pandas(_teams_by_end(ctx, year).group_by("district_code").agg(nw.len().alias("teams")))
        activities_of_year = ctx.activities().filter(nw.col("year") == year)
        activities_frame = collect_pandas(
            activities_of_year.group_by("district_code").agg(nw.len().alias("activities"))
        )
        active_teams_frame = collect_pandas(
            activities_of_year.select("team_id")
            .unique()
            .join(ctx.table("teams").select("team_id", "district_code"), on="team_id", how="inner")
            .group_by("district_code")
            .agg(nw.len().alias("active_teams"))
        )
        merged = None
        for part in (volunteers, people, teams_frame, activities_frame, active_teams_frame):
            part = part.assign(district_code=part["district_code"].astype("str"))
            merged = part if merged is None else merged.merge(part, on="district_code", how="outer")
        frame = district_frame(
            year,
            merged,
            _DISTRICT_COUNTS + _DISTRICT_SUMS + ["hours_per_active_mean", "hours_per_active_median"],
            integers=_DISTRICT_COUNTS,
            fill_zero=_DISTRICT_COUNTS + _DISTRICT_SUMS,
        )
        frame["active_rate"] = _divide(frame["active_volunteers"], frame["registered_volunteers"])
        frame["party_share_of_active"] = _divide(frame["party_member_active"], frame["active_volunteers"])
        return frame

    frame = ctx.value(("scale_by_district", year), build).copy()
    populations = population_table(population).set_index("district_code")["population"]
    frame["volunteers_per_10k"] = (
        _divide(frame["registered_volunteers"], frame["district_code"].map(populations).astype("float64")) * 10_000
    )
    return frame


def _divide(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Elementwise ratio as float64, missing where the denominator is 0 or missing."""
    numerator = numerator.astype("float64")
    denominator = denominator.astype("float64")
    return (numerator / denominator.where(denominator > 0)).astype("float64")


# -- the indicator functions -------------------------------------------------
def _run(tables, id: str, year: int, by: str | None, population: Any = None) -> pd.DataFrame:
    ctx = as_context(tables)
    return result(
        ctx,
        id,
        year,
        city=lambda y: scale_city(ctx, y, population=population),
        district=lambda y: scale_by_district(ctx, y, population=population),
        by=by,
    )


@document("registered_volunteers", by=True)
def registered_volunteers(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "registered_volunteers", year, by)


@document("new_volunteers", by=True)
def new_volunteers(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "new_volunteers", year, by)


@document("active_volunteers", by=True)
def active_volunteers(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "active_volunteers", year, by)


@document("active_rate", by=True)
def active_rate(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "active_rate", year, by)


@document("service_hours", by=True)
def service_hours(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "service_hours", year, by)


@document("hours_per_active_mean", by=True)
def hours_per_active_mean(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "hours_per_active_mean", year, by)


@document("hours_per_active_median", by=True)
def hours_per_active_median(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "hours_per_active_median", year, by)


@document(
    "volunteers_per_10k",
    by=True,
    extra="""population : None, str, Path, DataFrame or number, optional
    Resident population: a CSV path or DataFrame with ``district_code``,
    ``population`` (city = its sum), or for the city a number. Default: the
    bundled census table for districts, the verified census total for the city.""",
)
def volunteers_per_10k(tables, *, year: int, by: str | None = None, population: Any = None) -> pd.DataFrame:
    return _run(tables, "volunteers_per_10k", year, by, population)


@document("teams", by=True)
def teams(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "teams", year, by)


@document("active_teams", by=True)
def active_teams(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "active_teams", year, by)


@document("activities", by=True)
def activities(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "activities", year, by)
