"""The district and street numbers of an edition, all through one publication decision.

:func:`district_publication` computes the year's district table (with the row of
those with no district) and street table (with each district's row of those with
no street), and decides once (:func:`voldata.publish.edition_disclosure`) which of
their counts of people are published. Every district or street number a chapter
shows, in a table, a figure or a sentence, comes from :class:`DistrictPublication`:
as text for tables (digits, ``<10``, ``x``) or as numbers with hidden cells
missing for figures and prose. The decision is deterministic, so the chapters that
use it (04 and 05) publish every shared cell alike. The build makes it once, in its
shared step, and keeps it in its private work folder (:func:`write_publication`);
a chapter run on its own computes the same decision (:func:`chapter_publication`).

The decision holds the true values of hidden cells (``decision.cells``): it is
kept only in the build's private work folder, never in the published edition.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import narwhals as nw
import pandas as pd
import polars as pl

from voldata import indicators, reference
from voldata.edition import text
from voldata.edition.analysis import team_types
from voldata.indicators._engine import collect_pandas
from voldata.publish import (
    DISTRICT_COUNTS,
    STREET_COUNTS,
    UNKNOWN_DISTRICT,
    UNKNOWN_NAME,
    Disclosure,
    complete_streets,
    count_bounds,
    edition_disclosure,
    suppress,
)

__all__ = [
    "DistrictPublication",
    "district_publication",
    "published_counts",
    "write_publication",
    "read_publication",
    "chapter_publication",
    "PROFILE_COUNTS",
    "HEADLINE",
    "profile_counts",
    "district_activity",
    "monthly_hours",
    "published_ranks",
    "headline_tables",
    "sorted_streets",
    "district_projects",
    "count_phrase",
    "profile_table",
]


@dataclass(frozen=True)
class DistrictPublication:
    """The district and street tables of a year (true values) and the decision that publishes them.

    Attributes
    ----------
    year : int
    decision : Disclosure
        The one decision for the edition's district and street tables.
    districts : DataFrame
        ``district_indicators(..., unknown=True)`` with :data:`PROFILE_COUNTS`: the 11
        districts and the unknown row.
    streets : DataFrame
        The street table completed with each district's unknown-street row.
    """

    year: int
    decision: Disclosure
    districts: pd.DataFrame
    streets: pd.DataFrame

    @property
    def threshold(self) -> int:
        return self.decision.threshold

    def district_table(
        self, columns: list[str] | None = None, *, numeric: bool = False, unknown: bool = True
    ) -> pd.DataFrame:
        """The district table as published: ``district_code``, ``name_zh`` and ``columns`` (default all).

        Parameters
        ----------
        columns : list of str, optional
            Columns of :attr:`districts` to publish (default all but ``year``).
        numeric : bool, default False
            False: counts as text (digits, ``<10``, ``x``, a range), for tables and files.
            True: hidden counts and their derived values missing, for figures, maps and prose.
        unknown : bool, default True
            Keep the row of those with no district (tables keep it so districts add up
            to the city; rankings and maps leave it out).
        """
        keys = ["district_code", "name_zh"]
        chosen = [c for c in self.districts.columns if c not in keys + ["year"]] if columns is None else list(columns)
        frame = self.districts[keys + [c for c in chosen if c not in keys]]
        if not unknown:
            frame = frame[frame["district_code"] != UNKNOWN_DISTRICT]
        return self.decision.publish_districts(frame.reset_index(drop=True), numeric=numeric)

    def street_table(self, *, numeric: bool = False) -> pd.DataFrame:
        """The street table as published (every district's streets and its unknown-street row)."""
        return self.decision.publish_streets(self.streets, numeric=numeric)


def district_publication(tables, *, year: int, threshold: int = 10, population=None) -> DistrictPublication:
    """Compute the district and street tables of ``year`` and decide what of them is published.

    Parameters
    ----------
    tables : dict or indicator Context
        The store's tables as Polars lazy frames (``Chapter.tables``), or the
        chapter's indicator context (``Chapter.context``), whose aggregates are reused.
    year : int
        Reference year Y (Y−1 is decided first when the store has it, for growth rates).
    threshold : int, default 10
        Smallest count of people that is shown.
    population : optional
        As for :func:`voldata.indicators.district_indicators`.
    """
    context = tables if isinstance(tables, indicators.Context) else indicators.Context(tables)
    districts = indicators.district_indicators(context, year=year, population=population, unknown=True)
    districts = districts.merge(profile_counts(context, year=year), on="district_code", how="left", validate="1:1")
    streets = indicators.street_table(context, year)
    decision = edition_disclosure(
        context,
        year=year,
        threshold=threshold,
        population=population,
        districts=districts,
        streets=streets,
        counts=[*DISTRICT_COUNTS, *PROFILE_COUNTS],
    )
    return DistrictPublication(year, decision, districts, complete_streets(streets, districts))


PUBLICATION_FOLDER = "district_publication"


def write_publication(folder: str | Path, publication: DistrictPublication) -> Path:
    """Keep a decision for the chapters of one build, in the build's private work folder.

    The files hold true values of hidden cells: ``folder`` must never be a published one.
    Returns the folder written (``folder/district_publication``).
    """
    target = Path(folder) / PUBLICATION_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    publication.districts.to_parquet(target / "districts.parquet", index=False)
    publication.streets.to_parquet(target / "streets.parquet", index=False)
    publication.decision.cells.to_parquet(target / "cells.parquet", index=False)
    meta = {"year": publication.year, "threshold": publication.threshold}
    (target / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return target


def read_publication(folder: str | Path) -> DistrictPublication:
    """The decision :func:`write_publication` kept in ``folder``."""
    source = Path(folder) / PUBLICATION_FOLDER
    meta = json.loads((source / "meta.json").read_text(encoding="utf-8"))
    return DistrictPublication(
        meta["year"],
        Disclosure(pd.read_parquet(source / "cells.parquet"), meta["threshold"]),
        pd.read_parquet(source / "districts.parquet"),
        pd.read_parquet(source / "streets.parquet"),
    )


def chapter_publication(chapter) -> DistrictPublication:
    """The edition's decision for a chapter: the one the build made once (kept beside the chapter's
    ``indicators_file``), or, for a chapter run on its own, the same decision computed here."""
    if chapter.indicators_file is not None:
        folder = Path(chapter.indicators_file).parent
        if (folder / PUBLICATION_FOLDER / "meta.json").is_file():
            kept = read_publication(folder)
            if (kept.year, kept.threshold) == (chapter.year, chapter.threshold):
                return kept
    return district_publication(
        chapter.context, year=chapter.year, threshold=chapter.threshold, population=chapter.population_path
    )


def published_counts(published: pd.DataFrame) -> list[str]:
    """The count columns of a published district or street table (those to pass as ``decided``)."""
    return [c for c in published.columns if c in DISTRICT_COUNTS or c in STREET_COUNTS or c in PROFILE_COUNTS]


# -- the district profiles (区域发展篇) ----------------------------------------------

#: Counts of people a district profile adds to the district table, decided with the others:
#: in-service party members who reported (each counted in the district of their latest report
#: by the end of Y), time-bank accounts opened by the end of Y (the account's district), and
#: active volunteers aged 60–69 in Y (the volunteer's district). Each adds up to the city's indicator.
PROFILE_COUNTS = ["reported_party_members", "timebank_accounts", "young_old_active"]

#: The headline indicators of a profile: column -> (Chinese name, unit).
HEADLINE: dict[str, tuple[str, str]] = {
    "registered_volunteers": ("注册志愿者", "人"),
    "volunteers_per_10k": ("每万常住人口注册志愿者", "人/万人"),
    "new_volunteers": ("新注册志愿者", "人"),
    "active_volunteers": ("活跃志愿者", "人"),
    "active_rate": ("活跃率", "比例"),
    "service_hours": ("服务时长", "小时"),
    "hours_per_active_mean": ("活跃志愿者人均服务时长", "小时"),
    "party_member_volunteers": ("党员志愿者", "人"),
    "party_member_active": ("活跃党员志愿者", "人"),
}


def _district_or_unknown(codes: pd.Series) -> pd.Series:
    known = set(reference.district_names())
    return codes.astype("object").where(codes.isin(known), UNKNOWN_DISTRICT).astype("str")


def profile_counts(tables, *, year: int) -> pd.DataFrame:
    """:data:`PROFILE_COUNTS` per district: the 11 (code order) and the unknown row, so each adds up to the city.

    Parameters
    ----------
    tables : dict or indicator Context
        The store's tables (Polars lazy frames) or a context over them.
    year : int
        Reference year Y.
    """
    context = tables if isinstance(tables, indicators.Context) else indicators.Context(tables)
    raw = context.natives
    party = (
        raw["party_reports"]
        .filter(pl.col("reported_at").dt.year() <= year)
        .sort("reported_at")
        .group_by("person_key")
        .agg(pl.col("district_code").last())
        .group_by("district_code")
        .agg(reported_party_members=pl.len())
        .collect()
        .to_pandas()
    )
    accounts = (
        raw["timebank_accounts"]
        .filter(pl.col("opened_at").dt.year() <= year)
        .group_by("district_code")
        .agg(timebank_accounts=pl.len())
        .collect()
        .to_pandas()
    )
    young_old = collect_pandas(
        context.active_people(year)
        .filter(nw.col("age_band") == "60_69")
        .group_by("district_code")
        .agg(nw.len().alias("young_old_active"))
    )
    order = [*reference.district_names(), UNKNOWN_DISTRICT]
    frame = pd.DataFrame({"district_code": order})
    for part in (party, accounts, young_old):
        part = part.assign(district_code=_district_or_unknown(part["district_code"]))
        frame = frame.merge(part.groupby("district_code", as_index=False).sum(), on="district_code", how="left")
    return frame.fillna(0).astype({c: "Int64" for c in PROFILE_COUNTS})


def district_activity(tables, *, year: int, teams: pd.DataFrame | None = None) -> pd.DataFrame:
    """What a district's profile shows beyond people (never suppressed: teams, activities, points, hours).

    One row per district (the 11, code order): ``party_service_teams`` (teams of type
    party_service founded by the end of Y), ``party_team_activities`` (their activities
    in Y), ``points_deposited`` (time-bank points deposited in Y by the district's accounts).
    ``teams``: :func:`~voldata.edition.analysis.team_types` by district when the caller has it.
    """
    raw = tables.natives if isinstance(tables, indicators.Context) else tables
    teams = team_types(raw, year, by_district=True) if teams is None else teams
    party = teams[teams["team_type"] == "party_service"].set_index("district_code")
    deposited = (
        raw["timebank_transactions"]
        .filter((pl.col("txn_at").dt.year() == year) & (pl.col("txn_type") == "deposit"))
        .join(raw["timebank_accounts"].select("account_id", "district_code"), on="account_id")
        .group_by("district_code")
        .agg(points_deposited=pl.col("points").sum())
        .collect()
        .to_pandas()
        .set_index("district_code")["points_deposited"]
    )
    codes = list(reference.district_names())
    return pd.DataFrame(
        {
            "district_code": codes,
            "party_service_teams": party["teams"].reindex(codes).fillna(0).astype("int64").to_numpy(),
            "party_team_activities": party["activities"].reindex(codes).fillna(0).astype("int64").to_numpy(),
            "points_deposited": deposited.reindex(codes).fillna(0).astype("int64").to_numpy(),
        }
    )


def monthly_hours(tables, *, year: int) -> pd.DataFrame:
    """Valid service hours of Y by the activity's district and month, with each month's share of the year.

    Rows: every district (the 11) and ``"city"`` (all hours, those of activities with
    no district included) × months 1–12: ``district_code``, ``month``,
    ``service_hours``, ``share``. The district is where the service took place (the
    activity's), which needs no join of the year's records with the volunteers.
    Hours are not people: nothing here is suppressed. Computed once per context (in a build, in its shared step).
    """
    context = tables if isinstance(tables, indicators.Context) else indicators.Context(tables)
    return context.value(("district_monthly_hours", year), lambda: _monthly_hours(context, year)).copy()


def _monthly_hours(context: indicators.Context, year: int) -> pd.DataFrame:
    by_month = (
        context.activity_months(year)
        .to_native()
        .lazy()
        .join(context.natives["activities"].select("activity_id", "district_code"), on="activity_id", how="left")
        .group_by("district_code", "month")
        .agg(service_hours=pl.col("hours").sum())
        .collect()
        .to_pandas()
    )
    city = by_month.groupby("month", as_index=False)["service_hours"].sum().assign(district_code="city")
    grid = pd.MultiIndex.from_product(
        [[*reference.district_names(), "city"], range(1, 13)], names=["district_code", "month"]
    )
    frame = (
        pd.concat([by_month[by_month["district_code"].isin(list(reference.district_names()))], city])
        .astype({"month": "int64"})
        .set_index(["district_code", "month"])["service_hours"]
        .reindex(grid, fill_value=0.0)
        .reset_index()
    )
    totals = frame.groupby("district_code")["service_hours"].transform("sum")
    frame["share"] = frame["service_hours"] / totals.where(totals > 0)
    return frame


def published_ranks(published: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Each district's rank (1 = largest) among the published values of each column, and how many there are.

    ``published`` is a numeric published district table (hidden values missing) without
    the unknown row. Returns ``district_code`` and, per column, ``<column>_rank``
    (Int64, missing where the district's value is hidden) and ``<column>_of`` (published values).
    """
    out = published[["district_code"]].copy()
    for column in columns:
        values = pd.to_numeric(published[column], errors="coerce")
        out[f"{column}_rank"] = values.rank(method="min", ascending=False).astype("Int64")
        out[f"{column}_of"] = int(values.notna().sum())
    return out


def _shown(value: object, unit: str) -> str:
    """A published value as a profile cell: counts as published text, the rest formatted; hidden as blank."""
    if isinstance(value, str):
        return value
    if text.is_missing(value):
        return ""
    if unit == "比例":
        return text.share(value)
    if unit == "人":
        return f"{float(value):,.0f}"
    return text.number(value)


def headline_tables(publication: DistrictPublication, city: dict) -> dict[str, pd.DataFrame]:
    """Each district's headline indicators against the city: 指标, 单位, 本区, 全市, 全市排名, 比上年增长.

    Every district value is the published one (:meth:`DistrictPublication.district_table`):
    a hidden count shows its mark and its rates are blank; the rank compares published
    values only ("3/10": third of the ten districts whose value is published); growth
    is the published growth. Returns district code -> table, for the 11 districts.
    """
    columns = list(HEADLINE)
    growth = [f"{c}_yoy" for c in columns if f"{c}_yoy" in publication.districts.columns]
    marked = publication.district_table(columns + growth).set_index("district_code")
    numeric = publication.district_table(columns, numeric=True, unknown=False)
    ranks = published_ranks(numeric, columns).set_index("district_code")
    tables = {}
    for code in reference.district_names():
        rows = []
        for column, (name, unit) in HEADLINE.items():
            rank = ranks.at[code, f"{column}_rank"]
            yoy = f"{column}_yoy"
            rows.append(
                {
                    "指标": name,
                    "单位": "" if unit == "比例" else unit,
                    "本区": _shown(marked.at[code, column], unit),
                    "全市": _shown(city.get(column), unit),
                    "全市排名": "" if pd.isna(rank) else f"{rank}/{ranks.at[code, f'{column}_of']}",
                    "比上年增长": _shown(marked.at[code, yoy], "比例") if yoy in marked.columns else "",
                }
            )
        tables[code] = pd.DataFrame(rows)
    return tables


def sorted_streets(published: pd.DataFrame, *, by: str = "registered_volunteers") -> pd.DataFrame:
    """A published street table in an order that reveals nothing hidden.

    Within each district (kept in the order given): streets with a published ``by``
    largest first, then those hidden (by name), then the unknown-street row. Sorting by
    the true values would place a hidden street between its neighbours' published values.
    """
    values = pd.to_numeric(published[by], errors="coerce")
    order = {code: i for i, code in enumerate(dict.fromkeys(published["district_code"]))}
    keys = pd.DataFrame(
        {
            "district": published["district_code"].map(order),
            "unknown": published["street"] == UNKNOWN_NAME,
            "hidden": values.isna(),
            "value": -values.fillna(0),
            "street": published["street"].astype(str),
        },
        index=published.index,
    )
    ordered = keys.sort_values(["district", "unknown", "hidden", "value", "street"], kind="stable").index
    return published.loc[ordered].reset_index(drop=True)


def district_projects(projects: pd.DataFrame, code: str, *, n: int, threshold: int) -> pd.DataFrame:
    """A district's ``n`` largest recurring projects (:func:`~voldata.edition.analysis.recurring_projects`),
    their volunteers (when counted) suppressed: projects share no total, so primary suppression is enough."""
    mine = projects[projects["district_code"] == code].head(n).drop(columns=["district_code", "district_zh"])
    counts = ["volunteers"] if "volunteers" in mine.columns else []
    return suppress(mine.reset_index(drop=True), counts=counts, rates={}, threshold=threshold)


def count_phrase(value: object, unit: str, *, threshold: int = 10) -> str:
    """A published count in a sentence: ``278人``; a small cell ``不足10人``; a range ``1,995–2,004人``;
    a secondary one ``不公布（防推算）``."""
    if isinstance(value, str) and value.isdigit():
        return text.count(int(value), unit=unit)
    if value == f"<{threshold}":
        return f"不足{threshold}{unit}"
    if (bounds := _range(value, threshold)) is not None:
        return f"{bounds[0]:,}–{bounds[1]:,}{unit}"
    if isinstance(value, str):
        return "不公布（防推算）"
    return text.count(value, unit=unit)


def _range(value: object, threshold: int) -> tuple[int, int] | None:
    """The two ends of a count published as a range, else None."""
    bounds = count_bounds(value, threshold=threshold)
    if bounds is None or bounds[0] == bounds[1] or math.isinf(bounds[1]) or value == f"<{threshold}":
        return None
    return int(bounds[0]), int(bounds[1])


def count_phrase_en(value: object, *, threshold: int = 10) -> str:
    """:func:`count_phrase` in English: ``278``; a small cell ``fewer than 10``; a secondary one ``not published``."""
    if isinstance(value, str) and value.isdigit():
        return f"{int(value):,}"
    if value == f"<{threshold}":
        return f"fewer than {threshold}"
    if (bounds := _range(value, threshold)) is not None:
        return f"{bounds[0]:,}–{bounds[1]:,}"
    if isinstance(value, str) or text.is_missing(value):
        return "not published"
    return f"{float(value):,.0f}"


def profile_table(publication: DistrictPublication, activity: pd.DataFrame) -> pd.DataFrame:
    """Per district (the 11 and the unknown row): the profile's other counts as published, beside
    teams, activities and points (not people, never hidden). For the ``04_district_profiles`` table."""
    counts = publication.district_table(PROFILE_COUNTS)
    return counts.merge(activity, on="district_code", how="left")[
        [
            "district_code",
            "name_zh",
            "reported_party_members",
            "party_service_teams",
            "party_team_activities",
            "timebank_accounts",
            "points_deposited",
            "young_old_active",
        ]
    ].astype({"party_service_teams": "Int64", "party_team_activities": "Int64", "points_deposited": "Int64"})
