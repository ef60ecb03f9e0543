"""2 Party leadership (党建引领): party-member volunteers, reported party members, party teams."""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from voldata.indicators._docs import document
from voldata.indicators._engine import Context, as_context, py, ratio, result
from voldata.indicators.scale import people_summary, scale_by_district, scale_city

__all__ = [
    "party_member_volunteers",
    "party_member_active",
    "party_share_of_active",
    "party_share_of_hours",
    "party_hours_ratio",
    "reported_party_members",
    "reported_party_members_active",
    "party_service_teams",
    "party_team_activities",
    "party_city",
]


def party_city(ctx: Context, year: int) -> dict[str, Any]:
    """All city party figures of Y as a dict."""

    def build() -> dict[str, Any]:
        scale = scale_city(ctx, year, growth_only=True)
        people = people_summary(ctx, year)
        reports = (
            ctx.table("party_reports").filter(nw.col("reported_at").dt.year() <= year).select("person_key").unique()
        )
        active_keys = ctx.active_people(year).select("person_key").drop_nulls().unique()
        reported = reports.select(nw.len()).collect().item()
        reported_active = reports.join(active_keys, on="person_key", how="inner").select(nw.len()).collect().item()
        party_teams = (
            ctx.table("teams").filter((nw.col("team_type") == "party_service").fill_null(False)).select("team_id")
        )
        team_activities = (
            ctx.activities()
            .filter(nw.col("year") == year)
            .join(party_teams, on="team_id", how="inner")
            .select(nw.len())
            .collect()
            .item()
        )
        party_mean = ratio(people["party_hours"], people["party_active"])
        nonparty_mean = ratio(people["nonparty_hours"], people["nonparty_active"])
        return {
            "party_member_volunteers": scale["party_member_volunteers"],
            "party_member_active": scale["party_member_active"],
            "party_share_of_active": ratio(people["party_active"], people["active_volunteers"]),
            "party_share_of_hours": ratio(people["party_hours"], people["service_hours"]),
            "party_hours_ratio": ratio(party_mean, nonparty_mean),
            "reported_party_members": py(reported),
            "reported_party_members_active": py(reported_active),
            "party_service_teams": scale["party_service_teams"],
            "party_team_activities": py(team_activities),
        }

    return ctx.value(("party_city", year), build)


def _run(tables, id: str, year: int, by: str | None = None) -> pd.DataFrame:
    ctx = as_context(tables)
    return result(ctx, id, year, city=lambda y: party_city(ctx, y), district=lambda y: scale_by_district(ctx, y), by=by)


@document("party_member_volunteers", by=True)
def party_member_volunteers(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "party_member_volunteers", year, by)


@document("party_member_active", by=True)
def party_member_active(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "party_member_active", year, by)


@document("party_share_of_active", by=True)
def party_share_of_active(tables, *, year: int, by: str | None = None) -> pd.DataFrame:
    return _run(tables, "party_share_of_active", year, by)


@document("party_share_of_hours")
def party_share_of_hours(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "party_share_of_hours", year)


@document("party_hours_ratio")
def party_hours_ratio(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "party_hours_ratio", year)


@document("reported_party_members")
def reported_party_members(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "reported_party_members", year)


@document("reported_party_members_active")
def reported_party_members_active(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "reported_party_members_active", year)


@document("party_service_teams")
def party_service_teams(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "party_service_teams", year)


@document("party_team_activities")
def party_team_activities(tables, *, year: int) -> pd.DataFrame:
    return _run(tables, "party_team_activities", year)
