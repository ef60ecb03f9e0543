"""3 Commitment and concentration: star volunteers, Gini, civic core, retention, activation, survival.

Several of these figures depend on how much history the store holds. The data
window (:func:`data_window`) runs from the earliest to the latest valid service
date in the store, and the definitions stay inside it:

- star levels count the hours inside the window only (the volunteers' export
  carries no cumulative hours to open from), so star counts are understated and
  their year-on-year growth is not computed (:func:`star_basis` says so in words);
- 90-day activation counts only registrants with a full 90 days before the
  data's end, and leaves out those who already served before registering;
- engagement spells of volunteers registered before the window are
  left-truncated (their first record may lie before the window) and are left
  out of the survival curve and the lapse model.
"""

from __future__ import annotations

import datetime as dt
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
    "data_window",
    "star_basis",
    "activation_cohort",
    "STAR_THRESHOLDS",
    "LAPSE_DAYS",
    "ACTIVATION_DAYS",
]

#: Lower bounds of cumulative hours for 1 to 5 stars (民政部 star volunteer scheme).
STAR_THRESHOLDS = (100.0, 300.0, 600.0, 1000.0, 1500.0)
#: A spell whose last record is more than this many days before the data's end has lapsed.
LAPSE_DAYS = 180
#: Activation: a first valid record within this many days of registration.
ACTIVATION_DAYS = 90
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


def data_window(tables) -> dict[str, dt.datetime] | None:
    """The store's data window: the earliest and the latest valid service date.

    Returns
    -------
    dict or None
        ``start`` and ``end`` (datetimes at midnight); None when the store has no valid record.
    """
    ctx = as_context(tables)

    def build() -> dict[str, dt.datetime] | None:
        row = (
            volunteer_spans(ctx)
            .select(start=nw.col("first").min(), end=nw.col("last").max())
            .collect()
            .rows(named=True)[0]
        )
        if row["start"] is None or row["end"] is None or pd.isna(row["start"]):
            return None
        return {key: pd.Timestamp(value).to_pydatetime() for key, value in row.items()}

    return ctx.value("data_window", build)


def star_basis(tables) -> dict[str, Any]:
    """What the star counts are built from, with the sentence the chapter can print.

    The volunteers' export (data contract) has no column of cumulative hours, so
    there is no opening balance: star levels count the valid hours inside the
    data window only. Counts are therefore understated, and their growth mixes
    real change with the window getting longer, so no star growth is computed.

    Returns
    -------
    dict
        ``opening_balance`` (False), ``window_start``, ``window_end`` (dates or
        None), ``growth`` (False) and ``note_zh``.
    """
    window = data_window(tables)
    start = window["start"].date() if window else None
    end = window["end"].date() if window else None
    since = f"{start.year}年{start.month}月{start.day}日" if start else "数据窗口开始"
    note = (
        f"星级按{since}以来库中有效服务记录的累计时长认定：志愿者导出不含此前的累计时长，"
        f"{since}以前的服务不计入，因此各星级人数偏低；其逐年变化含数据窗口延长的成分，不计算增长率。"
    )
    return {"opening_balance": False, "window_start": start, "window_end": end, "growth": False, "note_zh": note}


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


def activation_cohort(tables, *, year: int) -> dict[str, int]:
    """The counts behind ``activation_90d`` for Y (aggregates, never person-level).

    Of the volunteers registered in Y (``new``), those whose registration day plus
    90 days is after the data's end cannot be followed for 90 days
    (``short_follow_up``); those with a valid record before their registration
    day already served and are not newly activated (``served_before``). Both are
    left out; ``cohort`` are the rest and ``activated`` those of the cohort with a
    first valid record no later than 90 days after the registration day.

    Returns
    -------
    dict
        ``new``, ``short_follow_up``, ``served_before``, ``cohort``, ``activated``.
    """
    ctx = as_context(tables)

    def build() -> dict[str, int]:
        window = data_window(ctx)
        new = (
            ctx.volunteers(year)
            .filter(nw.col("new"))
            .select("volunteer_id", epoch_day(nw.col("registered_at")).alias("day"))
        )
        # first valid record (any year) of the new volunteers only: a semi join keeps the group-by small
        first = (
            ctx.volunteer_years()
            .join(new.select("volunteer_id"), on="volunteer_id", how="semi")
            .group_by("volunteer_id")
            .agg(nw.col("first").min())
        )
        data_end = (window["end"] if window else dt.datetime(year, 1, 1)).date()
        last_followed_day = (data_end - dt.date(1970, 1, 1)).days - ACTIVATION_DAYS
        days_to_first = epoch_day(nw.col("first")) - nw.col("day")
        short = nw.col("day") > last_followed_day
        before = (days_to_first < 0).fill_null(False) & ~short
        row = (
            new.join(first, on="volunteer_id", how="left")
            .with_columns(short=short, before=before)
            .with_columns(
                cohort=~nw.col("short") & ~nw.col("before"),
                activated=(days_to_first <= ACTIVATION_DAYS).fill_null(False) & ~nw.col("short") & ~nw.col("before"),
            )
            .select(
                new=nw.len(),
                short_follow_up=count_true(nw.col("short")),
                served_before=count_true(nw.col("before")),
                cohort=count_true(nw.col("cohort")),
                activated=count_true(nw.col("activated")),
            )
            .collect()
            .rows(named=True)[0]
        )
        return {key: int(py(value) or 0) for key, value in row.items()}

    return ctx.value(("activation_cohort", year), build)


def _activation(ctx: Context, year: int) -> float | None:
    counts = activation_cohort(ctx, year=year)
    return ratio(counts["activated"], counts["cohort"])


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

    A lapse shows only after 180 days without a record, so the last date on which one can
    be seen is the lapse horizon, 180 days before the data's end. A spell whose last
    record is before the horizon has lapsed (``days`` = last − first); any other spell is
    censored at the horizon (``days`` = horizon − first), the same calendar date for
    everyone, so that censoring does not depend on whether the spell is about to end.

    Returns a narwhals LazyFrame with volunteer_id, registered_at, first, last, days,
    lapsed and the reasons a spell stays out of the survival analysis:
    ``left_truncated`` (registered before the data window's start, or no registration
    date: the true first record may lie before the window), ``too_recent`` (first record
    after the horizon: no lapse can show yet); ``analysed`` is neither.
    """
    ctx = as_context(tables)
    last = nw.col("last")
    registered = ctx.table("volunteers").select("volunteer_id", "registered_at")
    first_day, last_day, end_day = epoch_day(nw.col("first")), epoch_day(last), epoch_day(nw.col("data_end"))
    to_end = end_day - first_day
    lapsed = end_day - last_day > LAPSE_DAYS
    days = nw.when(lapsed).then(last_day - first_day).otherwise(to_end - LAPSE_DAYS)
    return (
        volunteer_spans(ctx)
        .with_columns(data_start=nw.col("first").min(), data_end=last.max())
        .filter(nw.col("first").dt.year() <= year)
        .join(registered, on="volunteer_id", how="left")
        .with_columns(
            days=days.cast(nw.Int64()),
            lapsed=lapsed,
            left_truncated=(epoch_day(nw.col("registered_at")) < epoch_day(nw.col("data_start"))).fill_null(True),
            too_recent=to_end < LAPSE_DAYS,
        )
        .with_columns(analysed=~nw.col("left_truncated") & ~nw.col("too_recent"))
        .drop("data_start", "data_end")
    )


@document(
    "engagement_survival",
    returns="""DataFrame
    One row per distinct spell length: ``year``, ``days`` (Int64), ``at_risk``,
    ``lapsed``, ``censored`` (Int64) and ``survival`` (float64, the Kaplan–Meier
    estimate S(days) = Π (1 − lapsed / at_risk) over spell lengths ≤ days).""",
)
def engagement_survival(tables, *, year: int) -> pd.DataFrame:
    """The data's end is the latest valid service date in the store; spells are as
    :func:`engagement_spells` defines them (censored at the lapse horizon), without the
    left-truncated and the too recent ones. Counts carry no intervals;
    :func:`voldata.models.engagement_km` gives the same curve with 95% intervals."""
    ctx = as_context(tables)
    spells = (
        engagement_spells(ctx, year=year)
        .filter(nw.col("analysed"))
        .with_columns(
            lapsed_count=nw.col("lapsed").cast(nw.Int64()),
            censored_count=(~nw.col("lapsed")).cast(nw.Int64()),
        )
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
