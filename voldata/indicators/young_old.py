"""7 Young-old serve old-old (初老服务老老): volunteers aged 60–69 and the time bank."""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from voldata.indicators._docs import document
from voldata.indicators._engine import Context, as_context, count_true, py, ratio, result, valid_records
from voldata.indicators.scale import people_summary
from voldata.indicators.timebank import transactions

__all__ = [
    "young_old_active",
    "young_old_elderly_hours",
    "timebank_young_old_to_old_old_count",
    "timebank_young_old_to_old_old_points",
    "timebank_young_old_share",
    "young_old_city",
]


def young_old_city(ctx: Context, year: int) -> dict[str, Any]:
    """All city young-old figures of Y as a dict."""

    def build() -> dict[str, Any]:
        elderly_activities = (
            ctx.activities().filter((nw.col("target_group") == "elderly").fill_null(False)).select("activity_id")
        )
        young_old = ctx.active_people(year).filter(nw.col("age_band") == "60_69").select("volunteer_id")
        # semi joins: first keep the records of elderly activities, then those of young-old volunteers
        elderly_hours = (
            valid_records(ctx)
            .filter(nw.col("year") == year)
            .select("volunteer_id", "activity_id", "hours")
            .join(elderly_activities, on="activity_id", how="semi")
            .join(young_old, on="volunteer_id", how="semi")
            .select(nw.col("hours").sum())
            .collect()
            .item()
        )
        births = ctx.table("timebank_accounts").select("account_id", "birth_year")
        holder_age = year - nw.col("holder_birth_year")
        counterparty_age = year - nw.col("counterparty_birth_year")
        deposits = (
            transactions(ctx)
            .filter(nw.col("year") == year, nw.col("txn_type") == "deposit")
            .select("account_id", "counterparty_account_id", "points")
            .join(births.rename({"birth_year": "holder_birth_year"}), on="account_id", how="left")
            .join(
                births.rename({"account_id": "counterparty_account_id", "birth_year": "counterparty_birth_year"}),
                on="counterparty_account_id",
                how="left",
            )
            .with_columns(
                to_old_old=(counterparty_age >= 70).fill_null(False),
                from_young_old=((holder_age >= 60) & (holder_age <= 69)).fill_null(False),
            )
            .with_columns(pair=nw.col("to_old_old") & nw.col("from_young_old"))
            .with_columns(
                pair_points=nw.when(nw.col("pair")).then(nw.col("points")).otherwise(0),
                old_old_points=nw.when(nw.col("to_old_old")).then(nw.col("points")).otherwise(0),
            )
            .select(
                count=count_true(nw.col("pair")),
                points=nw.col("pair_points").sum(),
                old_old_points=nw.col("old_old_points").sum(),
            )
            .collect()
            .rows(named=True)[0]
        )
        deposits = {k: py(v) for k, v in deposits.items()}
        return {
            "young_old_active": people_summary(ctx, year)["young_old_active"],
            "young_old_elderly_hours": py(elderly_hours) or 0.0,
            "timebank_young_old_to_old_old_count": deposits["count"] or 0,
            "timebank_young_old_to_old_old_points": deposits["points"] or 0,
            "timebank_young_old_share": ratio(deposits["points"], deposits["old_old_points"]),
        }

    return ctx.value(("young_old_city", year), build)


def _run(tables, id: str, year: int) -> pd.DataFrame:
    ctx = as_context(tables)
    return result(ctx, id, year, city=lambda y: young_old_city(ctx, y))


@document("young_old_active")
def young_old_active(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "young_old_active", year)


@document("young_old_elderly_hours")
def young_old_elderly_hours(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "young_old_elderly_hours", year)


@document("timebank_young_old_to_old_old_count")
def timebank_young_old_to_old_old_count(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "timebank_young_old_to_old_old_count", year)


@document("timebank_young_old_to_old_old_points")
def timebank_young_old_to_old_old_points(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "timebank_young_old_to_old_old_points", year)


@document("timebank_young_old_share")
def timebank_young_old_share(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "timebank_young_old_share", year)
