"""The analyses of 实务经验篇: each case its own breakdown, grouped, never person-level.

Every function takes the store's tables as Polars lazy frames (``Chapter.tables``)
and returns a small pandas frame with one row per group. Counts of people are
returned raw: the chapter publishes them through :mod:`voldata.publish`. Hours,
points and activities are not counts of people.

* party members' reports by district (:func:`party_reports_by_district`) and what the
  reported members did as volunteers (:func:`party_member_services`);
* the time bank: what points are spent on (:func:`timebank_service_items`), between which
  age groups (:func:`timebank_age_flows`), balances against the cap (:func:`timebank_balance_bands`);
* 初老服务老老: hours by target group and the server's age (:func:`hours_by_age_and_target`);
* partnerships: hours and volunteers per activity with and without partners (:func:`partnership_intensity`);
* 常态化 projects by a stated rule (:func:`regular_projects`).
"""

from __future__ import annotations

import narwhals as nw
import pandas as pd
import polars as pl

from voldata import reference
from voldata.edition.analysis import PARTNERSHIPS, code_names, recurring_projects, with_partnership, year_records
from voldata.indicators._engine import age_band as engine_age_band
from voldata.indicators.suite import UNKNOWN_NAME
from voldata.indicators.timebank import STORAGE_CAP, account_balances

__all__ = [
    "AGE_BANDS",
    "AGE_BANDS_EN",
    "BALANCE_BANDS",
    "PARTNERSHIPS",
    "REGULAR_MIN_MONTHS",
    "REGULAR_MIN_SESSIONS",
    "with_age_band",
    "party_reports_by_district",
    "party_member_services",
    "timebank_service_items",
    "timebank_age_flows",
    "timebank_balance_bands",
    "hours_by_age_and_target",
    "volunteers_by_age",
    "partnership_intensity",
    "regular_projects",
]

# The indicator suite's age bands (age reached in Y), as the chapters name them.
AGE_BANDS: dict[str, str] = {
    "under_18": "18岁以下",
    "18_34": "18–34岁",
    "35_59": "35–59岁",
    "60_69": "60–69岁（初老）",
    "70_plus": "70岁及以上（老老）",
    "unknown": "年龄不详",
}
UNKNOWN_AGE = AGE_BANDS["unknown"]
#: The English edition's names of the age bands, keyed by their Chinese labels (as tables carry them).
AGE_BANDS_EN: dict[str, str] = {
    AGE_BANDS["under_18"]: "Under 18",
    AGE_BANDS["18_34"]: "18–34",
    AGE_BANDS["35_59"]: "35–59",
    AGE_BANDS["60_69"]: "60–69 (young-old)",
    AGE_BANDS["70_plus"]: "70 and over (old-old)",
    AGE_BANDS["unknown"]: "Age unknown",
}
# Time-bank balances at the end of Y: (lowest balance, label); the last band is the storage cap and above.
BALANCE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "0"),
    (1, "1–99"),
    (100, "100–499"),
    (500, "500–999"),
    (1000, "1,000–1,499"),
    (STORAGE_CAP, "1,500及以上（达到存储上限）"),
)
# The 常态化 rule's defaults: a project (one team's activities of one title) held at least this many
# times in Y, in at least this many different months.
REGULAR_MIN_SESSIONS = 12
REGULAR_MIN_MONTHS = 6
NOT_FILLED = "（未填写）"


def with_age_band(frame: pl.LazyFrame, year: int, *, birth_year: str = "birth_year", name: str = "band"):
    """``frame`` with column ``name``: the :data:`AGE_BANDS` label of the age reached in ``year``
    (the indicator suite's bands, :func:`voldata.indicators._engine.age_band`)."""
    banded = nw.from_native(frame).with_columns(engine_age_band(year, nw.col(birth_year)).alias(name)).to_native()
    return banded.with_columns(pl.col(name).replace_strict(AGE_BANDS, default=UNKNOWN_AGE))


def _band_order(labels) -> dict[str, int]:
    return {label: i for i, label in enumerate(labels)}


def party_reports_by_district(tables: dict, year: int) -> pd.DataFrame:
    """Party members' reports to communities in Y by the district reported to.

    One row per district in code order and a last row for reports with no (recognised)
    district, so the rows add up to the city: ``district_code``, ``name_zh``,
    ``party_members`` (distinct people who reported in Y there), ``reports`` and
    ``peak_month`` (the month with most reports; the earliest on a tie; missing with none).
    """
    reports = (
        tables["party_reports"]
        .filter(pl.col("reported_at").dt.year() == year)
        .with_columns(pl.col("district_code").fill_null("unknown"), month=pl.col("reported_at").dt.month())
    )
    totals = reports.group_by("district_code").agg(reports=pl.len(), party_members=pl.col("person_key").n_unique())
    peaks = (
        reports.group_by("district_code", "month")
        .agg(n=pl.len())
        .sort(["district_code", "n", "month"], descending=[False, True, False])
        .group_by("district_code", maintain_order=True)
        .first()
        .select("district_code", peak_month="month")
    )
    found = totals.join(peaks, on="district_code", how="left").collect().to_pandas()
    names = reference.district_names()
    frame = pd.DataFrame({"district_code": [*names, "unknown"], "name_zh": [*names.values(), UNKNOWN_NAME]})
    frame = frame.merge(found, on="district_code", how="left")
    for column in ("party_members", "reports"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["peak_month"] = frame["peak_month"].astype("Int64")
    return frame[["district_code", "name_zh", "party_members", "reports", "peak_month"]]


def party_member_services(tables: dict, year: int) -> pd.DataFrame:
    """What reported party members did as volunteers in Y: by service category, their valid hours and activities.

    A reported party member is a person (``person_key``) with a report on or before the end of Y;
    their volunteer records are found through the same ``person_key``. Columns: ``category``,
    ``name_zh``, ``activities`` (distinct activities), ``service_hours``, ``share`` (of their hours),
    sorted by hours.
    """
    reported = tables["party_reports"].filter(pl.col("reported_at").dt.year() <= year).select("person_key").unique()
    frame = (
        year_records(tables, year)
        .filter(pl.col("listed"))
        .join(reported, on="person_key")
        .group_by("category")
        .agg(activities=pl.col("activity_id").n_unique(), service_hours=pl.col("hours").sum())
        .sort(["service_hours", "category"], descending=[True, False])
        .collect()
        .to_pandas()
    )
    frame.insert(1, "name_zh", frame["category"].map(code_names("category")).fillna(frame["category"]))
    total = float(frame["service_hours"].sum())
    frame["share"] = frame["service_hours"] / total if total else float("nan")
    return frame


def timebank_service_items(tables: dict, year: int, *, top: int = 10) -> pd.DataFrame:
    """What the time bank's points were earned for in Y: deposits by ``service_item``.

    The ``top`` items by points, then one row 其他 for the rest; a blank item is
    :data:`NOT_FILLED`. Columns: ``service_item``, ``deposits`` (transactions), ``points``,
    ``share`` (of the year's deposited points).
    """
    deposits = tables["timebank_transactions"].filter(
        (pl.col("txn_at").dt.year() == year) & (pl.col("txn_type") == "deposit")
    )
    frame = (
        deposits.with_columns(pl.col("service_item").fill_null(NOT_FILLED))
        .with_columns(
            pl.when(pl.col("service_item").str.strip_chars() == "")
            .then(pl.lit(NOT_FILLED))
            .otherwise(pl.col("service_item"))
            .alias("service_item")
        )
        .group_by("service_item")
        .agg(deposits=pl.len(), points=pl.col("points").sum())
        .sort(["points", "service_item"], descending=[True, False])
        .collect()
        .to_pandas()
    )
    if len(frame) > top:
        rest = frame.iloc[top:]
        frame = pd.concat(
            [
                frame.iloc[:top],
                pd.DataFrame(
                    {"service_item": ["其他"], "deposits": [rest["deposits"].sum()], "points": [rest["points"].sum()]}
                ),
            ],
            ignore_index=True,
        )
    total = float(frame["points"].sum())
    frame["share"] = frame["points"] / total if total else float("nan")
    return frame.astype({"deposits": "int64", "points": "int64"})


def timebank_age_flows(tables: dict, year: int) -> pd.DataFrame:
    """Points deposited in Y by the server's and the served person's age band.

    A deposit means the holder served the counterparty: the server's age is the holder
    account's, the served person's the counterparty account's (ages reached in Y; bands
    :data:`AGE_BANDS`). One row per pair with deposits: ``server_band``, ``served_band``,
    ``deposits``, ``points``, ``share`` (of the year's deposited points).
    """
    ages = with_age_band(tables["timebank_accounts"].select("account_id", "birth_year"), year).select(
        "account_id", "band"
    )
    frame = (
        tables["timebank_transactions"]
        .filter((pl.col("txn_at").dt.year() == year) & (pl.col("txn_type") == "deposit"))
        .join(ages.rename({"band": "server_band"}), on="account_id", how="left")
        .join(
            ages.rename({"account_id": "counterparty_account_id", "band": "served_band"}),
            on="counterparty_account_id",
            how="left",
        )
        .with_columns(pl.col("server_band").fill_null(UNKNOWN_AGE), pl.col("served_band").fill_null(UNKNOWN_AGE))
        .group_by("server_band", "served_band")
        .agg(deposits=pl.len(), points=pl.col("points").sum())
        .collect()
        .to_pandas()
    )
    order = _band_order(AGE_BANDS.values())
    frame = frame.sort_values(["server_band", "served_band"], key=lambda column: column.map(order), ignore_index=True)
    total = float(frame["points"].sum())
    frame["share"] = frame["points"] / total if total else float("nan")
    return frame.astype({"deposits": "int64", "points": "int64"})


def timebank_balance_bands(tables: dict, year: int) -> pd.DataFrame:
    """Accounts by their balance at the end of Y, against the 1,500-point storage cap.

    Accounts with a transaction on or before the end of Y (as ``accounts_over_cap`` counts
    them), in the bands :data:`BALANCE_BANDS` (a balance below 0 is counted in the first band):
    ``band``, ``accounts``, ``points`` (the points they hold).
    """
    balances = account_balances(tables, year=year).to_native().collect()
    if hasattr(balances, "to_pandas"):
        balances = balances.to_pandas()
    lows = [low for low, _ in BALANCE_BANDS]
    labels = [label for _, label in BALANCE_BANDS]
    values = pd.to_numeric(balances["balance"]).clip(lower=0)
    bands = pd.cut(values, bins=[*lows, float("inf")], right=False, labels=labels)
    frame = (
        pd.DataFrame({"band": bands, "points": values})
        .groupby("band", observed=False)
        .agg(accounts=("points", "size"), points=("points", "sum"))
        .reset_index()
    )
    frame["band"] = frame["band"].astype(str)
    return frame.astype({"accounts": "int64", "points": "int64"})


def hours_by_age_and_target(tables: dict, year: int) -> pd.DataFrame:
    """Valid hours of Y by the activity's target group and the volunteer's age band (age reached in Y).

    One row per target group with hours, one column per band of :data:`AGE_BANDS` (and
    :data:`UNKNOWN_AGE` when any volunteer has no birth year): ``target_group``, ``name_zh``,
    then the bands (hours), sorted by the target group's hours.
    """
    frame = (
        with_age_band(year_records(tables, year).filter(pl.col("listed")), year)
        .group_by("target_group", "band")
        .agg(hours=pl.col("hours").sum())
        .collect()
        .to_pandas()
    )
    bands = [b for b in AGE_BANDS.values() if b != UNKNOWN_AGE or (frame["band"] == UNKNOWN_AGE).any()]
    wide = frame.pivot_table(index="target_group", columns="band", values="hours", aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(columns=bands, fill_value=0.0).astype("float64")
    wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False, kind="stable").index].reset_index()
    wide.columns.name = None
    wide.insert(1, "name_zh", wide["target_group"].map(code_names("target_group")).fillna(wide["target_group"]))
    return wide


def volunteers_by_age(tables: dict, year: int) -> pd.DataFrame:
    """Active volunteers of Y by age band (:data:`AGE_BANDS`): ``band``, ``volunteers``, ``service_hours``."""
    frame = (
        with_age_band(year_records(tables, year), year)
        .group_by("band")
        .agg(volunteers=pl.col("volunteer_id").n_unique(), service_hours=pl.col("hours").sum())
        .collect()
        .to_pandas()
    )
    bands = [b for b in AGE_BANDS.values() if b != UNKNOWN_AGE or (frame["band"] == UNKNOWN_AGE).any()]
    frame = pd.DataFrame({"band": bands}).merge(frame, on="band", how="left")
    frame["volunteers"] = frame["volunteers"].fillna(0).astype("int64")
    frame["service_hours"] = frame["service_hours"].fillna(0.0).astype("float64")
    return frame


def partnership_intensity(tables: dict, year: int) -> pd.DataFrame:
    """Per activity of Y, with and without social-work and charity partners: how many hours and volunteers.

    Activities are those starting in Y; per activity, its valid hours and its distinct volunteers
    (an activity without valid records counts with 0). Columns: ``partnership`` (in the order of
    :data:`PARTNERSHIPS`), ``activities``, ``service_hours``, ``hours_per_activity``,
    ``volunteers_per_activity`` (mean distinct volunteers per activity; a person in two activities
    counts in both).
    """
    activities = with_partnership(tables["activities"].filter(pl.col("start_at").dt.year() == year)).select(
        "activity_id", "partnership"
    )
    per_activity = (
        year_records(tables, year)
        .group_by("activity_id")
        .agg(hours=pl.col("hours").sum(), volunteers=pl.col("volunteer_id").n_unique())
    )
    found = (
        activities.join(per_activity, on="activity_id", how="left")
        .with_columns(pl.col("hours").fill_null(0.0), pl.col("volunteers").fill_null(0))
        .group_by("partnership")
        .agg(
            activities=pl.len(),
            service_hours=pl.col("hours").sum(),
            hours_per_activity=pl.col("hours").mean(),
            volunteers_per_activity=pl.col("volunteers").mean(),
        )
        .collect()
        .to_pandas()
    )
    frame = pd.DataFrame({"partnership": PARTNERSHIPS}).merge(found, on="partnership", how="left")
    frame["activities"] = frame["activities"].fillna(0).astype("int64")
    frame["service_hours"] = frame["service_hours"].fillna(0.0)
    return frame


def regular_projects(
    tables: dict, year: int, *, min_sessions: int = REGULAR_MIN_SESSIONS, min_months: int = REGULAR_MIN_MONTHS
) -> pd.DataFrame:
    """常态化 projects of Y, by a stated rule, largest first by service hours.

    A project is one team's activities of one title (the title as published, compared exactly);
    it is 常态化 in Y when it was held at least ``min_sessions`` times in Y (activities starting
    in Y) in at least ``min_months`` different calendar months. The projects as
    :func:`voldata.edition.analysis.recurring_projects` lists them (with ``months`` and distinct
    ``volunteers``); a project whose sessions have no valid record is left out.
    """
    if min_sessions < 1 or min_months < 1 or min_months > 12:
        raise ValueError(f"min_sessions must be ≥ 1 and min_months 1–12, not {min_sessions} and {min_months}")
    return recurring_projects(tables, year, min_sessions=min_sessions, min_months=min_months)
