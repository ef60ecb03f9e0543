"""Metadata of every indicator (id, names, unit, definition, section).

The methodology appendix of every edition is rendered from :data:`REGISTRY`
(:func:`registry_table`), and the indicator functions carry the same
definitions in their docstrings, so text and code say the same thing. The
definitions follow ``spec/indicators.md``; where the spec left a choice open the
choice is written into the definition.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["Indicator", "REGISTRY", "SECTIONS", "registry_table", "indicator"]

SECTIONS = {
    "scale": "1 规模 Scale",
    "party": "2 党建引领 Party leadership",
    "commitment": "3 投入与集中度 Commitment and concentration",
    "services": "4 服务领域 Services",
    "integration": "5 社工+慈善+志愿服务与信息化 Integration and informatization",
    "timebank": "6 广州公益时间银行 Time bank",
    "young_old": "7 初老服务老老 Young-old serve old-old",
    "value": "8 志愿服务贡献价值 Value",
}


@dataclass(frozen=True)
class Indicator:
    """One indicator's metadata.

    Parameters
    ----------
    id : str
        The id used in ``indicators.json``, tables and function names.
    name_zh, name_en : str
        Display names.
    unit : str
        Unit of the value (``share`` = a fraction between 0 and 1).
    definition : str
        The definition, as in the spec, with any choice the spec left open.
    section : {"scale", "party", "commitment", "services", "integration", "timebank", "young_old", "value"}
        Section of the spec (and of the report).
    function : str
        Name of the function in :mod:`voldata.indicators` that computes it.
    kind : {"count", "number", "share", "table"}
        ``count`` = whole number (Int64), ``number``/``share`` = float64,
        ``table`` = a non-scalar indicator (a tidy frame, not in ``city_indicators``).
    growth : bool
        ``city_indicators`` also reports ``<id>_yoy``.
    district : bool
        A column of ``district_indicators``.
    """

    id: str
    name_zh: str
    name_en: str
    unit: str
    definition: str
    section: str
    function: str
    kind: str = "count"
    growth: bool = False
    district: bool = False


def _i(id, name_zh, name_en, unit, definition, section, *, kind="count", growth=False, district=False, function=None):
    return Indicator(id, name_zh, name_en, unit, definition, section, function or id, kind, growth, district)


_VALID = "valid records (status approved, 0 < hours ≤ 24)"

_ALL = [
    # 1 Scale
    _i("registered_volunteers", "注册志愿者人数", "Registered volunteers", "人",
       "Volunteers with registered_at on or before the end of Y; by district: the volunteer's district.",
       "scale", growth=True, district=True),
    _i("new_volunteers", "新增注册志愿者人数", "New volunteers", "人",
       "Volunteers with registered_at in Y; by district: the volunteer's district.", "scale", growth=True, district=True),
    _i("active_volunteers", "活跃志愿者人数", "Active volunteers", "人",
       f"Distinct volunteers with at least one of the {_VALID} dated in Y (registration date not required); "
       "by district: the volunteer's district.", "scale", growth=True, district=True),
    _i("active_rate", "活跃率", "Active rate", "share",
       "active_volunteers / registered_volunteers.", "scale", kind="share", district=True),
    _i("service_hours", "服务时长", "Service hours", "小时",
       f"Sum of hours of {_VALID} dated in Y; by district: the volunteer's district (so hours per active "
       "volunteer is consistent).", "scale", kind="number", growth=True, district=True),
    _i("hours_per_active_mean", "人均服务时长（均值）", "Mean hours per active volunteer", "小时",
       "Mean over active volunteers of each volunteer's hours in Y.", "scale", kind="number", district=True),
    _i("hours_per_active_median", "人均服务时长（中位数）", "Median hours per active volunteer", "小时",
       "Median over active volunteers of each volunteer's hours in Y (mean of the two middle values for an even count).",
       "scale", kind="number", district=True),
    _i("volunteers_per_10k", "每万常住人口注册志愿者数", "Volunteers per 10,000 residents", "人/万人",
       "registered_volunteers / resident population × 10,000. City: the verified 7th-census city total "
       "(18,676,605) unless a population table is given (then its sum); district: the district population "
       "of the table used.", "scale", kind="number", growth=True, district=True),
    _i("teams", "志愿队伍数", "Teams", "个",
       "Teams with founded_on on or before the end of Y; teams without a founding date are counted as existing "
       "(founded before the data); by district: the team's district.", "scale", growth=True, district=True),
    _i("active_teams", "活跃队伍数", "Active teams", "个",
       "Distinct teams publishing at least one activity starting in Y; by district: the team's district.",
       "scale", growth=True, district=True),
    _i("activities", "志愿活动数", "Activities", "项",
       "Activities with start_at in Y; by district: the activity's district.", "scale", growth=True, district=True),
    # 2 Party
    _i("party_member_volunteers", "党员志愿者人数", "Party-member volunteers", "人",
       "Registered volunteers (end of Y) with political_status party_member or probationary_party_member.",
       "party", growth=True, district=True),
    _i("party_member_active", "活跃党员志愿者人数", "Active party-member volunteers", "人",
       "Of party_member_volunteers, those active in Y.", "party", growth=True, district=True),
    _i("party_share_of_active", "党员占活跃志愿者比例", "Party members' share of active volunteers", "share",
       "party_member_active / active_volunteers.", "party", kind="share", district=True),
    _i("party_share_of_hours", "党员服务时长占比", "Party members' share of hours", "share",
       "Hours in Y of the party_member_active volunteers / service_hours.", "party", kind="share"),
    _i("party_hours_ratio", "党员人均时长倍数", "Party hours ratio", "倍",
       "Mean hours in Y per active party member ÷ mean hours per active non-member (模范作用); "
       "non-members = all other active volunteers.", "party", kind="number"),
    _i("reported_party_members", "在职党员报到人数", "Reported in-service party members", "人",
       "Distinct person_key in party_reports with reported_at on or before the end of Y (cumulative).",
       "party", growth=True),
    _i("reported_party_members_active", "报到党员中活跃志愿者人数", "Reported party members active", "人",
       "Of reported_party_members, those whose person_key is that of a volunteer active in Y.", "party", growth=True),
    _i("party_service_teams", "党员志愿服务队数", "Party-member service teams", "个",
       "Teams of type party_service founded on or before the end of Y (no founding date: counted).",
       "party", growth=True),
    _i("party_team_activities", "党员服务队活动数", "Activities of party-member teams", "项",
       "Activities starting in Y published by a party_service team.", "party", growth=True),
    # 3 Commitment
    *[
        _i(f"star_{n}", f"{n}星级志愿者人数", f"{n}-star volunteers", "人",
           f"Volunteers whose cumulative hours of {_VALID} through the end of Y (all years in the store) are "
           + ("at least 1500." if n == 5 else f"in [{lo}, {hi})."),
           "commitment", growth=True, district=True)
        for n, lo, hi in [(1, 100, 300), (2, 300, 600), (3, 600, 1000), (4, 1000, 1500), (5, 1500, None)]
    ],
    _i("hours_gini", "服务时长基尼系数", "Gini coefficient of hours", "index",
       "Gini coefficient of active volunteers' hours in Y: G = 2·Σ i·x_(i) / (n·Σx) − (n+1)/n with x sorted "
       "ascending and i = 1..n; missing when there are no hours.", "commitment", kind="number"),
    _i("top10_hours_share", "前10%志愿者时长占比", "Top-10% hours share (civic core)", "share",
       "Share of service_hours given by the top ⌈0.1 × active_volunteers⌉ volunteers by hours in Y "
       "(ties broken arbitrarily: the share does not depend on which tied volunteer is counted).",
       "commitment", kind="share"),
    _i("retention", "留存率", "Retention", "share",
       "Volunteers active in both Y−1 and Y ÷ volunteers active in Y−1; missing when Y−1 is not in the store.",
       "commitment", kind="share"),
    _i("activation_90d", "90天激活率", "90-day activation", "share",
       "Of volunteers registered in Y, the share whose first valid record (any year) is dated no later than "
       "90 days after the registration date (a first record before registration counts as activated).",
       "commitment", kind="share"),
    _i("engagement_survival", "持续参与生存曲线", "Engagement survival (Kaplan–Meier)", "share",
       "Kaplan–Meier curve of days from first to last valid record, over volunteers whose first valid record "
       "is on or before the end of Y; lapsed (event) when the last record is more than 180 days before the "
       "data's end (the latest valid service date in the store), censored otherwise.",
       "commitment", kind="table"),
    # 4 Services
    _i("hours_by_category", "各服务类别服务时长", "Hours by service category", "小时",
       "Hours of valid records in Y by the activity's category, over all 22 categories.", "services", kind="table"),
    _i("activities_by_category", "各服务类别活动数", "Activities by service category", "项",
       "Activities starting in Y by category, over all 22 categories.", "services", kind="table"),
    _i("hours_by_target_group", "各服务对象服务时长", "Hours by target group", "小时",
       "Hours of valid records in Y by the activity's target group, over all target groups.", "services", kind="table"),
    _i("monthly_hours", "月度服务时长", "Monthly hours", "小时",
       "Hours of valid records per calendar month of Y (12 rows); STL (period 12) over all months in the store "
       "when at least 24 months exist: voldata.models.seasonal_decomposition.", "services", kind="table"),
    _i("monthly_active", "月度活跃志愿者数", "Monthly active volunteers", "人",
       "Distinct volunteers with a valid record per calendar month of Y (12 rows).", "services", kind="table"),
    # 5 Integration
    _i("social_work_activity_share", "社工参与活动占比", "Activities with a social-work partner", "share",
       "Share of activities starting in Y with a social-work partner (blank = none).", "integration", kind="share"),
    _i("charity_activity_share", "慈善资源参与活动占比", "Activities with a charity partner", "share",
       "Share of activities starting in Y with a charity partner (blank = none).", "integration", kind="share"),
    _i("both_activity_share", "社工与慈善共同参与活动占比", "Activities with both partners", "share",
       "Share of activities starting in Y with both a social-work and a charity partner.", "integration", kind="share"),
    _i("social_work_hours_share", "社工参与活动服务时长占比", "Hours in social-work activities", "share",
       "Share of service_hours in Y given in activities with a social-work partner.", "integration", kind="share"),
    _i("digital_record_share", "数字化记录占比", "Digital record share", "share",
       "Share of valid records in Y with record_method qr or gps.", "integration", kind="share"),
    # 6 Time bank
    _i("timebank_accounts", "时间银行开户数", "Time-bank accounts", "户",
       "Accounts opened on or before the end of Y.", "timebank", growth=True),
    _i("timebank_new_accounts", "时间银行新开户数", "New time-bank accounts", "户",
       "Accounts opened in Y.", "timebank", growth=True),
    _i("timebank_active_accounts", "时间银行活跃账户数", "Active time-bank accounts", "户",
       "Distinct accounts with at least one transaction in Y, as holder or as counterparty.", "timebank", growth=True),
    _i("points_deposited", "存入积分", "Points deposited", "积分", "Sum of deposit points in Y.", "timebank", growth=True),
    _i("points_withdrawn", "支取积分", "Points withdrawn", "积分", "Sum of withdrawal points in Y.", "timebank", growth=True),
    _i("points_transferred", "转赠积分", "Points transferred", "积分", "Sum of transfer points in Y.", "timebank", growth=True),
    _i("points_donated", "捐赠积分", "Points donated", "积分", "Sum of donation points in Y.", "timebank", growth=True),
    _i("withdrawal_ratio", "支取存入比", "Withdrawal ratio", "share",
       "points_withdrawn / points_deposited.", "timebank", kind="share"),
    _i("points_outstanding", "积分余额总量", "Points outstanding", "积分",
       "Sum of all account balances at the end of Y; balance = deposits − withdrawals − transfers out + transfers in "
       "− donations, over transactions on or before the end of Y.", "timebank", growth=True),
    _i("accounts_over_cap", "超出存储上限账户数", "Accounts over the storage cap", "户",
       "Accounts whose balance at the end of Y exceeds the 1,500-point storage cap.", "timebank"),
    # 7 Young-old
    _i("young_old_active", "活跃初老志愿者人数", "Active young-old volunteers", "人",
       "Active volunteers aged 60–69 in Y (age = Y − birth_year; unknown birth year: not counted).",
       "young_old", growth=True),
    _i("young_old_elderly_hours", "初老志愿者为老服务时长", "Young-old hours serving the elderly", "小时",
       "Hours in Y of active volunteers aged 60–69 in activities whose target_group is elderly (老年人).",
       "young_old", kind="number", growth=True),
    _i("timebank_young_old_to_old_old_count", "时间银行初老服务老老笔数", "Time-bank young-old → old-old deposits", "笔",
       "Deposits in Y whose holder is aged 60–69 and whose counterparty is aged 70+ (ages from timebank_accounts).",
       "young_old", growth=True),
    _i("timebank_young_old_to_old_old_points", "时间银行初老服务老老积分", "Time-bank young-old → old-old points", "积分",
       "Points of those deposits.", "young_old", growth=True),
    _i("timebank_young_old_share", "初老服务老老积分占比", "Young-old share of old-old service points", "share",
       "timebank_young_old_to_old_old_points ÷ all deposit points in Y whose counterparty is aged 70+.",
       "young_old", kind="share"),
    # 8 Value
    _i("contribution_value", "志愿服务贡献价值", "Contribution value", "元",
       "service_hours × hourly wage; hourly wage = average monthly wage of urban non-private employees "
       "(reference/wages.csv) ÷ 21.75 days ÷ 8 hours (replacement-cost method, ILO Manual on the Measurement of "
       "Volunteer Work); a missing wage year uses the latest earlier year and says so in wage_source.",
       "value", kind="number", growth=True),
]

#: id -> :class:`Indicator`, in the spec's order.
REGISTRY: dict[str, Indicator] = {item.id: item for item in _ALL}


def indicator(id: str) -> Indicator:
    """The metadata of one indicator, with a clear error for an unknown id."""
    try:
        return REGISTRY[id]
    except KeyError:
        raise KeyError(f"unknown indicator {id!r}") from None


def registry_table() -> pd.DataFrame:
    """The methodology table of the appendix: one row per indicator.

    Returns
    -------
    DataFrame
        ``section`` (display name), ``id``, ``name_zh``, ``name_en``, ``unit``,
        ``definition``, ``function``, ``kind``, ``growth``, ``district``.
    """
    frame = pd.DataFrame([asdict(item) for item in _ALL])
    frame["section"] = frame["section"].map(SECTIONS)
    return frame[["section", "id", "name_zh", "name_en", "unit", "definition", "function", "kind", "growth", "district"]]
