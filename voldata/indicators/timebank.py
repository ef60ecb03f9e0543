"""6 Time bank (广州公益时间银行): accounts, points flows, balances.

Signs: a deposit adds its points to the holder; a withdrawal and a donation take
them from the holder; a transfer takes them from the holder and gives them to
the counterparty.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from voldata.indicators._docs import document
from voldata.indicators._engine import Context, as_context, count_true, py, ratio, result

__all__ = [
    "timebank_accounts",
    "timebank_new_accounts",
    "timebank_active_accounts",
    "points_deposited",
    "points_withdrawn",
    "points_transferred",
    "points_donated",
    "withdrawal_ratio",
    "points_outstanding",
    "accounts_over_cap",
    "account_balances",
    "timebank_city",
    "STORAGE_CAP",
]

#: The platform's storage cap in points (data/reference/SOURCES.md).
STORAGE_CAP = 1500
_TYPES = {
    "deposit": "points_deposited",
    "withdrawal": "points_withdrawn",
    "transfer": "points_transferred",
    "donation": "points_donated",
}


def transactions(ctx: Context) -> nw.LazyFrame:
    """Time-bank transactions with their calendar year."""
    return ctx.table("timebank_transactions").with_columns(year=nw.col("txn_at").dt.year())


def account_balances(tables, *, year: int) -> nw.LazyFrame:
    """Per account, the balance at the end of Y (lazy; person level, never published).

    Returns a narwhals LazyFrame with ``account_id`` and ``balance`` (Int64) for
    every account that has a transaction on or before the end of Y.
    """
    ctx = as_context(tables)
    until = transactions(ctx).filter(nw.col("year") <= year)
    points = nw.col("points")
    holder = until.select(
        "account_id", balance=nw.when(nw.col("txn_type") == "deposit").then(points).otherwise(-points)
    )
    received = until.filter(nw.col("txn_type") == "transfer", ~nw.col("counterparty_account_id").is_null()).select(
        nw.col("counterparty_account_id").alias("account_id"), balance=points
    )
    return nw.concat([holder, received]).group_by("account_id").agg(nw.col("balance").sum())


def timebank_city(ctx: Context, year: int) -> dict[str, Any]:
    """All city time-bank figures of Y as a dict."""

    def build() -> dict[str, Any]:
        opened = nw.col("opened_at").dt.year()
        accounts = (
            ctx.table("timebank_accounts")
            .select(
                timebank_accounts=count_true(opened <= year),
                timebank_new_accounts=count_true(opened == year),
            )
            .collect()
            .rows(named=True)[0]
        )
        of_year = transactions(ctx).filter(nw.col("year") == year)
        active = (
            nw.concat(
                [
                    of_year.select("account_id"),
                    of_year.select(nw.col("counterparty_account_id").alias("account_id")),
                ]
            )
            .drop_nulls()
            .unique()
            .select(nw.len())
            .collect()
            .item()
        )
        flows = (
            of_year.with_columns(
                *[
                    nw.when(nw.col("txn_type") == kind).then(nw.col("points")).otherwise(0).alias(name)
                    for kind, name in _TYPES.items()
                ]
            )
            .select(*[nw.col(name).sum() for name in _TYPES.values()])
            .collect()
            .rows(named=True)[0]
        )
        balances = (
            account_balances(ctx, year=year)
            .select(
                points_outstanding=nw.col("balance").sum(),
                accounts_over_cap=count_true(nw.col("balance") > STORAGE_CAP),
            )
            .collect()
            .rows(named=True)[0]
        )
        values = {k: py(v) for k, v in {**accounts, **flows, **balances}.items()}
        values["timebank_active_accounts"] = py(active)
        values["points_outstanding"] = values["points_outstanding"] or 0
        values["accounts_over_cap"] = values["accounts_over_cap"] or 0
        values["withdrawal_ratio"] = ratio(values["points_withdrawn"], values["points_deposited"])
        return values

    return ctx.value(("timebank_city", year), build)


def _run(tables, id: str, year: int) -> pd.DataFrame:
    ctx = as_context(tables)
    return result(ctx, id, year, city=lambda y: timebank_city(ctx, y))


@document("timebank_accounts")
def timebank_accounts(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "timebank_accounts", year)


@document("timebank_new_accounts")
def timebank_new_accounts(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "timebank_new_accounts", year)


@document("timebank_active_accounts")
def timebank_active_accounts(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "timebank_active_accounts", year)


@document("points_deposited")
def points_deposited(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "points_deposited", year)


@document("points_withdrawn")
def points_withdrawn(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "points_withdrawn", year)


@document("points_transferred")
def points_transferred(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "points_transferred", year)


@document("points_donated")
def points_donated(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "points_donated", year)


@document("withdrawal_ratio")
def withdrawal_ratio(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "withdrawal_ratio", year)


@document("points_outstanding")
def points_outstanding(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "points_outstanding", year)


@document("accounts_over_cap")
def accounts_over_cap(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "accounts_over_cap", year)
