"""3 Commitment and concentration: star volunteers, Gini, civic core, retention, activation, survival."""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from voldata.indicators._docs import document
from voldata.indicators._engine import (
    Context,
    as_context,
    collect_pandas,
    count_true,
    district_frame,
    epoch_day,
    py,
    ratio,
    result,
)
from voldata.indicators.scale import people_concentration, people_summary

__all__ = [
    "star_1",
    "star_2",
    "star_3",
    "star_4",
    "star_5",
    "hours_gini",
    "top10_hours_share",
    "retention",
    "activation_90d",
    "engagement_survival",
    "commitment_city",
    "stars_by_district",
    "STAR_THRESHOLDS",
    "LAPSE_DAYS",
]

#: Lower bounds of cumulative hours for 1 to 5 stars (民政部 star volunteer scheme).
STAR_THRESHOLDS = (100.0, 300.0, 600.0, 1000.0, 1500.0)
#: A spell whose last record is more than this many days before the data's end has lapsed.
LAPSE_DAYS = 180
_STARS = [f"star_{n}" for n in range(1, 6)]


def _cumulative_stars(ctx: Context, year: int) -> nw.LazyFrame:
    """Per volunteer: cumulative valid hours through the end of Y and the star level 0..5."""
    cumulative = nw.col("cumulative_hours")
    level = nw.lit(0)
    for n, threshold in enumerate(STAR_THRESHOLDS, start=1):
        level = nw.when(cumulative >= threshold).then(nw.lit(n)).otherwise(level)
    return (
        ctx.volunteer_years()
        .filter(nw.col("year") <= year)
        .group_by("volunteer_id")
        .agg(nw.col("hours").sum().alias("cumulative_hours"))
        .with_columns(*[(level == n).cast(nw.Int64()).alias(f"star_{n}") for n in range(1, 6)])
    )


def volunteer_spans(ctx: Context) -> nw.LazyFrame:
    """Per volunteer: first and last valid service date over all years (collected once)."""
    return ctx.frame(
        "volunteer_spans",
        lambda: ctx.volunteer_years().group_by("volunteer_id").agg(nw.col("first").min(), nw.col("last").max()),
    )


def commitment_city(ctx: Context, year: int, *, growth_only: bool = False) -> dict[str, Any]:
    """All city commitment figures of Y as a dict (``growth_only``: the star counts only)."""

    def stars() -> dict[str, Any]:
        row = _cumulative_stars(ctx, year).select(*[nw.col(s).sum() for s in _STARS]).collect().rows(named=True)[0]
        return {key: py(value) for key, value in row.items()}

    def build() -> dict[str, Any]:
        values = dict(ctx.value(("stars", year), stars))
        n, total = people_summary(ctx, year)["active_volunteers"], people_summary(ctx, year)["service_hours"]
        concentration = people_concentration(ctx, year)
        values["hours_gini"] = (
            2 * concentration["gini_weighted_sum"] / (n * total) - (n + 1) / n if n and total else None
        )
        values["top10_hours_share"] = ratio(concentration["top10_hours"], total)
        values["retention"] = _retention(ctx, year)
        values["activation_90d"] = _activation(ctx, year)
        return values

    if growth_only:
        return ctx.value(("stars", year), stars)
    return ctx.value(("commitment_city", year), build)


def _retention(ctx: Context, year: int) -> float | None:
    if year - 1 not in ctx.store_years():
        return None
    years = ctx.volunteer_years()
    previous = years.filter(nw.col("year") == year - 1).select("volunteer_id")
    current = years.filter(nw.col("year") == year).select("volunteer_id")
    previous_active = previous.select(nw.len()).collect().item()
    retained = previous.join(current, on="volunteer_id", how="inner").select(nw.len()).collect().item()
    return ratio(py(retained), py(previous_active))


def _activation(ctx: Context, year: int) -> float | None:
    new = ctx.volunteers(year).filter(nw.col("new")).select("volunteer_id", "registered_at")
    # first valid record (any year) of the new volunteers only: a semi join keeps the group-by small
    first = (
        ctx.volunteer_years()
        .join(new.select("volunteer_id"), on="volunteer_id", how="semi")
        .group_by("volunteer_id")
        .agg(nw.col("first").min())
    )
    row = (
        new.join(first, on="volunteer_id", how="left")
        .with_columns(
            activated=(epoch_day(nw.col("first")) - epoch_day(nw.col("registered_at")) <= 90).fill_null(False)
        )
        .select(new=nw.len(), activated=count_true(nw.col("activated")))
        .collect()
        .rows(named=True)[0]
    )
    return ratio(py(row["activated"]), py(row["new"]))


def stars_by_district(ctx: Context, year: int) -> pd.DataFrame:
    """Star volunteer counts by the volunteer's district, all 11 districts."""

    def build() -> pd.DataFrame:
        collected = collect_pandas(
            _cumulative_stars(ctx, year)
            .join(ctx.table("volunteers").select("volunteer_id", "district_code"), on="volunteer_id", how="left")
            .group_by("district_code")
            .agg(*[nw.col(s).sum() for s in _STARS])
        )
        return district_frame(year, collected, _STARS, integers=_STARS, fill_zero=_STARS)

    return ctx.value(("stars_by_district", year), build)


def _run(tables, id: str, year: int, by: str | None = None) -> pd.DataFrame:
    ctx = as_context(tables)
    return result(
        ctx, id, year, city=lambda y: commitment_city(ctx, y), district=lambda y: stars_by_district(ctx, y), by=by
    )


@document("star_1", by=True)
def star_1(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "star_1", year, by)


@document("star_2", by=True)
def star_2(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "star_2", year, by)


@document("star_3", by=True)
def star_3(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "star_3", year, by)


@document("star_4", by=True)
def star_4(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "star_4", year, by)


@document("star_5", by=True)
def star_5(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "star_5", year, by)


@document("hours_gini")
def hours_gini(tables, *, year: int) -> pd.DataFrame:
    """Computed lazily from ranks: Σ i·x_(i) with i the ascending ordinal rank (ties do not change the sum)."""
    return _run(tables, "hours_gini", year)


@document("top10_hours_share")
def top10_hours_share(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "top10_hours_share", year)


@document("retention")
def retention(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "retention", year)


@document("activation_90d")
def activation_90d(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "activation_90d", year)


def engagement_spells(tables, *, year: int) -> nw.LazyFrame:
    """Per-volunteer engagement spells (internal: person level, never published).

    Returns a narwhals LazyFrame with volunteer_id, first, last, days, lapsed.
    """
    ctx = as_context(tables)
    last = nw.col("last")
    return (
        volunteer_spans(ctx)
        .with_columns(data_end=last.max())
        .filter(nw.col("first").dt.year() <= year)
        .with_columns(
            days=(epoch_day(last) - epoch_day(nw.col("first"))).cast(nw.Int64()),
            lapsed=epoch_day(nw.col("data_end")) - epoch_day(last) > LAPSE_DAYS,
        )
        .drop("data_end")
    )


@document(
    "engagement_survival",
    returns="""DataFrame
    One row per distinct spell length: ``year``, ``days`` (Int64), ``at_risk``,
    ``lapsed``, ``censored`` (Int64) and ``survival`` (float64, the Kaplan–Meier
    estimate S(days) = Π (1 − lapsed / at_risk) over spell lengths ≤ days).""",
)
def engagement_survival(tables, *, year: int) -> pd.DataFrame:
    """The data's end is the latest valid service date in the store. Counts carry no intervals;
    :func:`voldata.models.engagement_km` gives the same curve with 95% intervals."""
    ctx = as_context(tables)
    spells = engagement_spells(ctx, year=year).with_columns(
        lapsed_count=nw.col("lapsed").cast(nw.Int64()),
        censored_count=(~nw.col("lapsed")).cast(nw.Int64()),
    )
    leaving = nw.col("lapsed") + nw.col("censored")
    curve = (
        spells.group_by("days")
        .agg(nw.col("lapsed_count").sum().alias("lapsed"), nw.col("censored_count").sum().alias("censored"))
        .with_columns(total=(nw.col("lapsed") + nw.col("censored")).sum())
        .with_columns(at_risk=nw.col("total") - leaving.cum_sum().over(order_by="days") + leaving)
        .with_columns(
            survival=(1.0 - nw.col("lapsed").cast(nw.Float64()) / nw.col("at_risk").cast(nw.Float64()))
            .cum_prod()
            .over(order_by="days")
        )
        .select("days", "at_risk", "lapsed", "censored", "survival")
        .sort("days")
    )
    frame = collect_pandas(curve)
    out = pd.DataFrame({"year": pd.array([year] * len(frame), dtype="Int64")})
    for column in ("days", "at_risk", "lapsed", "censored"):
        out[column] = frame[column].astype("Int64").array
    out["survival"] = frame["survival"].astype("float64").to_numpy()
    return out
