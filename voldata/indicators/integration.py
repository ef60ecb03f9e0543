"""5 Integration and informatization (社工+慈善+志愿服务, 信息化)."""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from voldata.indicators._docs import document
from voldata.indicators._engine import Context, as_context, count_true, py, ratio, result

__all__ = [
    "social_work_activity_share",
    "charity_activity_share",
    "both_activity_share",
    "social_work_hours_share",
    "digital_record_share",
    "integration_city",
]


def integration_city(ctx: Context, year: int) -> dict[str, Any]:
    """All city integration figures of Y as a dict."""

    def build() -> dict[str, Any]:
        social, charity = nw.col("social_work_partner"), nw.col("charity_partner")
        activities = (
            ctx.activities()
            .filter(nw.col("year") == year)
            .select(
                n=nw.len(),
                social=count_true(social),
                charity=count_true(charity),
                both=count_true(social & charity),
            )
            .collect()
            .rows(named=True)[0]
        )
        records = (
            ctx.activity_months(year)
            .join(ctx.activities().select("activity_id", "social_work_partner"), on="activity_id", how="left")
            .with_columns(
                social_hours=nw.when(nw.col("social_work_partner").fill_null(False))
                .then(nw.col("hours"))
                .otherwise(0.0)
            )
            .select(
                hours=nw.col("hours").sum(),
                social_hours=nw.col("social_hours").sum(),
                records=nw.col("records").sum(),
                digital=nw.col("digital_records").sum(),
            )
            .collect()
            .rows(named=True)[0]
        )
        activities = {k: py(v) for k, v in activities.items()}
        records = {k: py(v) for k, v in records.items()}
        return {
            "social_work_activity_share": ratio(activities["social"], activities["n"]),
            "charity_activity_share": ratio(activities["charity"], activities["n"]),
            "both_activity_share": ratio(activities["both"], activities["n"]),
            "social_work_hours_share": ratio(records["social_hours"], records["hours"]),
            "digital_record_share": ratio(records["digital"], records["records"]),
        }

    return ctx.value(("integration_city", year), build)


def _run(tables, id: str, year: int) -> pd.DataFrame:
    ctx = as_context(tables)
    return result(ctx, id, year, city=lambda y: integration_city(ctx, y))


@document("social_work_activity_share")
def social_work_activity_share(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "social_work_activity_share", year)


@document("charity_activity_share")
def charity_activity_share(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "charity_activity_share", year)


@document("both_activity_share")
def both_activity_share(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "both_activity_share", year)


@document("social_work_hours_share")
def social_work_hours_share(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "social_work_hours_share", year)


@document("digital_record_share")
def digital_record_share(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "digital_record_share", year)
