"""4 Services: hours and activities by category and target group; monthly hours and activity."""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd

from voldata import reference
from voldata.indicators._docs import document
from voldata.indicators._engine import as_context, collect_pandas, valid_records

__all__ = [
    "hours_by_category",
    "activities_by_category",
    "hours_by_target_group",
    "monthly_hours",
    "monthly_active",
    "monthly_hours_series",
]

UNKNOWN = "unknown"


def _over_vocabulary(
    year: int, collected: pd.DataFrame, key: str, vocabulary: pd.DataFrame, value: str, *, integer: bool
) -> pd.DataFrame:
    """Spread ``collected`` (key, value) over every code of ``vocabulary``; blank codes become an
    ``unknown`` row (only when there are any), so nothing is dropped silently."""
    codes = list(vocabulary["code"])
    names = dict(zip(vocabulary["code"], vocabulary["name_zh"]))
    values = dict(zip(collected[key].astype("object").where(collected[key].notna(), UNKNOWN), collected[value]))
    if UNKNOWN in values and UNKNOWN not in names:
        codes.append(UNKNOWN)
        names[UNKNOWN] = "未知"
    amounts = np.array([float(values.get(code, 0) or 0) for code in codes], dtype="float64")
    total = amounts.sum()
    frame = pd.DataFrame(
        {
            "year": pd.array([year] * len(codes), dtype="Int64"),
            key: pd.array(codes, dtype="str"),
            "name_zh": pd.array([names[c] for c in codes], dtype="str"),
        }
    )
    frame[value] = pd.array(amounts.round().astype("int64"), dtype="Int64") if integer else amounts
    frame["share"] = amounts / total if total > 0 else np.full(len(codes), np.nan)
    return frame


def _hours_by(tables, year: int, key: str, vocabulary: pd.DataFrame) -> pd.DataFrame:
    ctx = as_context(tables)
    collected = collect_pandas(
        ctx.activity_months(year)
        .join(ctx.activities().select("activity_id", key), on="activity_id", how="left")
        .group_by(key)
        .agg(nw.col("hours").sum())
    )
    return _over_vocabulary(year, collected, key, vocabulary, "hours", integer=False)


@document(
    "hours_by_category",
    returns="""DataFrame
    ``year``, ``category``, ``name_zh``, ``hours`` (float64), ``share`` of the
    year's hours; all 22 categories in reference order, plus ``unknown`` when
    some activities have no category.""",
)
def hours_by_category(tables, *, year: int) -> pd.DataFrame:
    return _hours_by(tables, year, "category", reference.categories())


@document(
    "activities_by_category",
    returns="""DataFrame
    ``year``, ``category``, ``name_zh``, ``activities`` (Int64), ``share``; all
    22 categories, plus ``unknown`` when some activities have no category.""",
)
def activities_by_category(tables, *, year: int) -> pd.DataFrame:
    ctx = as_context(tables)
    collected = collect_pandas(
        ctx.activities().filter(nw.col("year") == year).group_by("category").agg(nw.len().alias("activities"))
    )
    return _over_vocabulary(year, collected, "category", reference.categories(), "activities", integer=True)


@document(
    "hours_by_target_group",
    returns="""DataFrame
    ``year``, ``target_group``, ``name_zh``, ``hours`` (float64), ``share``;
    all target groups in reference order, plus ``unknown`` when needed.""",
)
def hours_by_target_group(tables, *, year: int) -> pd.DataFrame:
    return _hours_by(tables, year, "target_group", reference.target_groups())


def _per_month(year: int, collected: pd.DataFrame, value: str, *, integer: bool) -> pd.DataFrame:
    values = dict(zip(collected["month"].astype("int64"), collected[value]))
    amounts = np.array([float(values.get(m, 0) or 0) for m in range(1, 13)], dtype="float64")
    frame = pd.DataFrame({"year": pd.array([year] * 12, dtype="Int64"), "month": pd.array(range(1, 13), dtype="Int64")})
    frame[value] = pd.array(amounts.round().astype("int64"), dtype="Int64") if integer else amounts
    return frame


@document(
    "monthly_hours",
    returns="""DataFrame
    ``year``, ``month`` (1–12, Int64), ``hours`` (float64); months without records have 0.""",
)
def monthly_hours(tables, *, year: int) -> pd.DataFrame:
    ctx = as_context(tables)
    collected = collect_pandas(ctx.activity_months(year).group_by("month").agg(nw.col("hours").sum()))
    return _per_month(year, collected, "hours", integer=False)


@document(
    "monthly_active",
    returns="""DataFrame
    ``year``, ``month`` (1–12, Int64), ``active_volunteers`` (Int64).""",
)
def monthly_active(tables, *, year: int) -> pd.DataFrame:
    ctx = as_context(tables)
    collected = collect_pandas(
        valid_records(ctx)
        .filter(nw.col("year") == year)
        .select("volunteer_id", month=nw.col("service_date").dt.month().cast(nw.Int64()))
        .unique()
        .group_by("month")
        .agg(nw.len().alias("active_volunteers"))
    )
    return _per_month(year, collected, "active_volunteers", integer=True)


def monthly_hours_series(tables) -> pd.DataFrame:
    """Hours of valid records for every month from the first to the last month in the store.

    The input of the seasonal decomposition (:func:`voldata.models.seasonal_decomposition`).

    Parameters
    ----------
    tables : dict
        As for every indicator function.

    Returns
    -------
    DataFrame
        ``year``, ``month`` (Int64) and ``hours`` (float64), one row per month
        with no gaps (months without records have 0); empty when there are no records.
    """
    ctx = as_context(tables)
    collected = collect_pandas(
        valid_records(ctx)
        .with_columns(month=nw.col("service_date").dt.month().cast(nw.Int64()))
        .group_by("year", "month")
        .agg(nw.col("hours").sum())
    )
    if collected.empty:
        return pd.DataFrame(
            {
                "year": pd.array([], dtype="Int64"),
                "month": pd.array([], dtype="Int64"),
                "hours": np.array([], dtype="float64"),
            }
        )
    index = collected["year"].astype("int64") * 12 + collected["month"].astype("int64") - 1
    hours = pd.Series(collected["hours"].astype("float64").to_numpy(), index=index.to_numpy())
    full = np.arange(index.min(), index.max() + 1)
    hours = hours.reindex(full, fill_value=0.0)
    return pd.DataFrame(
        {
            "year": pd.array(full // 12, dtype="Int64"),
            "month": pd.array(full % 12 + 1, dtype="Int64"),
            "hours": hours.to_numpy(dtype="float64"),
        }
    )
