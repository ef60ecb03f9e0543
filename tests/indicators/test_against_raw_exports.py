"""`voldata indicators` against an independent computation straight from the raw exports.

Fresh demo exports (a seed used nowhere else) go through the real ingest and the
real CLI; the same ids are then computed here with plain pandas from the raw
CSV and XLSX files, without any voldata reader, so a mistake in ingest or in an
indicator shows up as a disagreement.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from voldata.synth import generate

YEAR = 2020
KEY = "independent-check-key-0123456789abcdef"
VALID_STATUS = {"已审核", "已通过"}


def _read_csv(path) -> pd.DataFrame:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    # Header variants: 服务时长（小时） and 服务时长(小时) are the same column.
    return frame.rename(columns=lambda name: re.sub(r"[（(].*[)）]$", "", name.strip()))


def _read_xlsx(path, first_header: str) -> pd.DataFrame:
    """All sheets of a workbook, each with its header row found below any title lines."""
    parts = []
    for sheet in pd.read_excel(path, engine="calamine", header=None, sheet_name=None, dtype=str).values():
        header_row = sheet.index[sheet.iloc[:, 0] == first_header][0]
        body = sheet.iloc[header_row + 1 :]
        body.columns = sheet.iloc[header_row]
        parts.append(body)
    return pd.concat(parts, ignore_index=True).fillna("")


def _dates(values: pd.Series) -> pd.Series:
    text = values.str.replace("年", "-").str.replace("月", "-").str.replace("日", "")
    return pd.to_datetime(text.where(text != ""), format="mixed")


def _table(raw, folder, first_header=None, *, suffix=None) -> pd.DataFrame:
    files = sorted(f for f in (raw / folder).iterdir() if suffix is None or f.suffix == suffix)
    frames = [_read_csv(f) if f.suffix == ".csv" else _read_xlsx(f, first_header) for f in files]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def raw_and_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("independent")
    raw, store = root / "raw", root / "store"
    generate(raw, years=range(2018, 2021), scale=0.002, seed=90417, progress=False)
    env = os.environ | {"VOLDATA_KEY": KEY}
    voldata = [sys.executable, "-m", "voldata"]
    subprocess.run([*voldata, "ingest", str(raw), "--store", str(store), "--quiet"], check=True, env=env)
    return raw, store


@pytest.fixture(scope="module")
def reported(raw_and_store):
    _, store = raw_and_store
    output = subprocess.run(
        [sys.executable, "-m", "voldata", "indicators", "--year", str(YEAR), "--store", str(store)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


@pytest.fixture(scope="module")
def independent(raw_and_store):
    raw, _ = raw_and_store
    end = pd.Timestamp(f"{YEAR}-12-31 23:59:59")
    values = {}

    volunteers = _table(raw, "volunteers")
    registered_at = _dates(volunteers["注册时间"])
    registered = volunteers[registered_at <= end]
    values["registered_volunteers"] = len(registered)
    values["new_volunteers"] = int((registered_at.dt.year == YEAR).sum())
    values["party_member_volunteers"] = int(registered["政治面貌"].isin(["中共党员", "中共预备党员"]).sum())

    records = _table(raw, "service_records")
    hours = pd.to_numeric(records["服务时长"].str.replace("小时", ""))
    records = records.assign(hours=hours, date=_dates(records["服务日期"]))
    valid = records[records["审核状态"].isin(VALID_STATUS) & (records["hours"] > 0) & (records["hours"] <= 24)]
    this_year = valid[valid["date"].dt.year == YEAR]
    per_volunteer = this_year.groupby("志愿者编号")["hours"].sum()
    values["active_volunteers"] = len(per_volunteer)
    values["service_hours"] = float(this_year["hours"].sum())
    values["hours_per_active_mean"] = float(per_volunteer.mean())
    values["hours_per_active_median"] = float(per_volunteer.median())
    values["active_rate"] = len(per_volunteer) / len(registered)
    active_before = set(valid.loc[valid["date"].dt.year == YEAR - 1, "志愿者编号"])
    values["retention"] = len(active_before & set(per_volunteer.index)) / len(active_before)
    digital = this_year["记录方式"].isin(["扫码签到", "定位签到"])
    values["digital_record_share"] = float(digital.mean())
    cumulative = valid[valid["date"] <= end].groupby("志愿者编号")["hours"].sum()
    for star, (low, high) in enumerate([(100, 300), (300, 600), (600, 1000), (1000, 1500), (1500, float("inf"))], 1):
        values[f"star_{star}"] = int(((cumulative >= low) & (cumulative < high)).sum())

    teams = _table(raw, "teams", "队伍编号")
    founded = _dates(teams["成立日期"])
    party_teams = teams[(teams["队伍类型"] == "党员志愿服务队") & ~(founded > end)]
    values["party_service_teams"] = len(party_teams)
    values["teams"] = int((~(founded > end)).sum())

    activities = _table(raw, "activities", "活动编号")
    starts_this_year = activities[_dates(activities["开始时间"]).dt.year == YEAR]
    values["activities"] = len(starts_this_year)
    values["party_team_activities"] = int(starts_this_year["发布队伍编号"].isin(party_teams["队伍编号"]).sum())

    reports = _table(raw, "party_reports", "姓名")
    reported_by_end = reports[_dates(reports["报到时间"]) <= end]
    values["reported_party_members"] = reported_by_end["证件号码"].str.upper().nunique()

    transactions = _table(raw, "timebank", suffix=".csv")
    transactions = transactions[_dates(transactions["交易时间"]).dt.year == YEAR]
    points = pd.to_numeric(transactions["时长"])
    for word, name in [("存入", "deposited"), ("支取", "withdrawn"), ("转赠", "transferred"), ("捐赠", "donated")]:
        values[f"points_{name}"] = int(points[transactions["交易类型"] == word].sum())
    return values


def test_the_cli_agrees_with_the_raw_exports_id_by_id(reported, independent):
    assert independent["active_volunteers"] > 100  # the sample is big enough to mean something
    disagreements = {
        id: (reported[id], expected)
        for id, expected in independent.items()
        if reported[id] != pytest.approx(expected, rel=1e-9)
    }
    assert disagreements == {}
