"""Relative calibration checks on a small run (scale 0.003), computed from the exported files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synth_helpers import parse_dates, read_table, summary

from voldata import reference

VALID = ["已审核", "已通过"]


@pytest.fixture(scope="module")
def data(calibration_raw):
    tables = {t: read_table(calibration_raw, t) for t in summary(calibration_raw)["tables"]}
    records = tables["service_records"]
    records["date"] = parse_dates(records["服务日期"])
    records["year"] = records["date"].dt.year
    records["month"] = records["date"].dt.month
    records["hours"] = records["服务时长"].astype(float)
    volunteers = tables["volunteers"]
    volunteers["registered"] = parse_dates(volunteers["注册时间"])
    volunteers["birth_year"] = (
        volunteers["证件号码"]
        .str[6:10]
        .astype(int)
        .where(volunteers["证件类型"] == "居民身份证", parse_dates(volunteers["出生日期"].replace("", None)).dt.year)
    )
    volunteers["party"] = volunteers["政治面貌"].isin(["中共党员", "中共预备党员"])
    activities = tables["activities"]
    activities["start"] = parse_dates(activities["开始时间"])
    return tables


def _valid(records, year):
    return records[(records["year"] == year) & records["审核状态"].isin(VALID)]


def test_hours_are_heavy_tailed(data):
    for year in (2018, 2019, 2020):
        hours = _valid(data["service_records"], year).groupby("志愿者编号")["hours"].sum().sort_values(ascending=False)
        top = int(np.ceil(0.1 * len(hours)))
        assert 0.4 < hours.iloc[:top].sum() / hours.sum() < 0.6


def test_party_members_are_more_active(data):
    volunteers = data["volunteers"].set_index("志愿者编号")
    for year in (2019, 2020):
        hours = _valid(data["service_records"], year).groupby("志愿者编号")["hours"].sum()
        party = volunteers.loc[hours.index, "party"].to_numpy()
        assert hours[party].mean() > 1.15 * hours[~party].mean()
        registered = volunteers[volunteers["registered"].dt.year <= year]
        active = registered.index.isin(hours.index)
        assert active[registered["party"].to_numpy()].mean() > active[~registered["party"].to_numpy()].mean()


def test_march_and_december_peak_outside_the_epidemic(data):
    records = data["service_records"]
    ordinary_years = records[records["year"].isin([2018, 2019]) & records["审核状态"].isin(VALID)]
    monthly = ordinary_years.groupby("month")["hours"].sum()
    assert monthly[3] > monthly.median() and monthly[12] > monthly.median()
    assert monthly[2] < monthly.median()  # Spring Festival


def test_early_2020_turns_to_epidemic_prevention(data):
    activities = data["activities"]
    epidemic = activities["服务类别"] == "疫情防控"
    assert not epidemic[activities["start"].dt.year < 2020].any()
    in_2020 = activities["start"].dt.year == 2020
    early = in_2020 & activities["start"].dt.month.isin([2, 3, 4])
    assert epidemic[early].mean() > 0.3
    assert epidemic[early].mean() > 3 * epidemic[in_2020 & ~early].mean()
    ordinary_early = (early & ~epidemic).sum() / 3
    ordinary_2019 = ((activities["start"].dt.year == 2019) & activities["start"].dt.month.isin([2, 3, 4])).sum() / 3
    assert ordinary_early < 0.7 * ordinary_2019


def test_digital_check_in_rises_and_most_records_are_approved(data):
    records = data["service_records"]
    digital = records["记录方式"].isin(["扫码签到", "定位签到"]).groupby(records["year"]).mean()
    assert digital[2018] < digital[2019] < digital[2020]
    assert 0.85 < records["审核状态"].isin(VALID).mean() < 0.99
    assert {"待审核", "已驳回"} <= set(records["审核状态"])


def test_registrations_grow_and_volunteers_lapse_and_return(data):
    volunteers = data["volunteers"]
    new = volunteers["registered"].dt.year.value_counts()
    assert new[2018] < new[2019] < new[2020]
    active = {y: set(_valid(data["service_records"], y)["志愿者编号"]) for y in (2018, 2019, 2020)}
    returned = (active[2018] - active[2019]) & active[2020]
    assert len(returned) > 0.02 * len(active[2018])
    retained = len(active[2018] & active[2019]) / len(active[2018])
    assert 0.3 < retained < 0.9


def test_demographics(data):
    volunteers = data["volunteers"]
    age = 2020 - volunteers["birth_year"]
    assert (age < 18).mean() > 0.01
    assert ((age >= 18) & (age < 60)).mean() > 0.6
    assert 0.08 < ((age >= 60) & (age < 70)).mean() < 0.25
    assert (age >= 70).mean() > 0.02
    assert 0.49 < (volunteers["性别"].replace("", None).dropna() == "女").mean() < 0.55
    assert 0.06 < volunteers["party"].mean() < 0.10
    assert (volunteers["政治面貌"] == "共青团员").mean() > 0.15


def test_volunteers_follow_population(data):
    counts = data["volunteers"]["所属区"].value_counts()
    population = reference.districts().set_index("name_zh")["population_2020"]
    ranks = pd.concat([counts, population], axis=1).rank()
    assert ranks.corr(method="pearson").iloc[0, 1] > 0.8
    per_person = counts / population
    assert per_person.max() / per_person.min() < 2.5


def test_partners_share_of_activities(data):
    activities = data["activities"]
    social = activities["合作社工机构"] != ""
    charity = ~activities["慈善资源"].isin(["", "否", "无"])
    assert 0.1 < social.mean() < 0.5 and 0.05 < charity.mean() < 0.4
    # The trend, away from the 社工站 teams (which nearly always have a partner).
    social_work_teams = data["teams"].loc[data["teams"]["队伍类型"] == "社工站志愿服务队", "队伍编号"]
    others = ~activities["发布队伍编号"].isin(social_work_teams)
    year = activities["start"].dt.year
    assert social[others & (year == 2020)].mean() > social[others & (year == 2018)].mean()


def test_party_reports_link_to_volunteers_and_reach_the_city_figure(data, calibration_raw):
    scale = summary(calibration_raw)["arguments"]["scale"]
    reports = data["party_reports"]
    people = reports["证件号码"].unique()
    assert abs(len(people) - 260_000 * scale) <= 0.05 * 260_000 * scale
    linked = np.isin(people, data["volunteers"]["证件号码"].to_numpy()).mean()
    assert 0.4 < linked < 0.7
    teams = data["teams"]
    party_teams = teams[teams["队伍类型"] == "党员志愿服务队"]
    assert len(party_teams) == round(1925 * scale)
    activities = data["activities"]
    party_activities = activities["发布队伍编号"].isin(party_teams["队伍编号"]) & (activities["start"].dt.year == 2020)
    assert party_activities.sum() == round(6800 * scale)


def test_time_bank(data):
    accounts = data["timebank_accounts"]
    opened = parse_dates(accounts["开户时间"].str.slice(0, 19))
    assert opened.min() >= pd.Timestamp("2019-08-26")
    assert accounts.loc[opened.idxmin(), "所属区"] == "海珠区"
    txns = data["timebank_transactions"]
    points = txns["时长"].astype(int)
    assert (points > 0).all()
    sign = txns["交易类型"].map({"存入": 1, "支取": -1, "转赠": -1, "捐赠": -1})
    balance = (points * sign).groupby(txns["账户编号"]).sum()
    incoming = points[txns["交易类型"] == "转赠"].groupby(txns["对方账户编号"]).sum()
    balance = balance.add(incoming, fill_value=0)
    assert (balance <= 1500).mean() > 0.95
    birth = accounts.set_index("账户编号")["证件号码"].str[6:10].astype(int)
    deposits = txns[(txns["交易类型"] == "存入") & txns["交易时间"].str.startswith("2020")]
    holder_age = 2020 - birth.loc[deposits["账户编号"]].to_numpy()
    counter_age = 2020 - birth.loc[deposits["对方账户编号"]].to_numpy()
    assert (counter_age >= 70).mean() > 0.9
    assert ((holder_age >= 60) & (holder_age < 70)).mean() > 0.3
