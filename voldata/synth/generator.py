"""Generate a full set of demo platform exports: :func:`generate`.

Layout written under ``out`` (every file name contains 示例数据)::

    volunteers/志愿者信息导出_<period>_示例数据.csv           one per registration year
                                                               (the first also holds earlier years)
    party_reports/在职党员报到_<first>-<last>_示例数据.xlsx
    teams/志愿队伍导出_<last>_示例数据.xlsx                    with a title line
    activities/志愿活动导出_<year>_示例数据.xlsx               with a title line, split over sheets
    service_records/服务时长记录_<year>_示例数据.csv           one per year
    timebank/时间银行账户_示例数据.xlsx                        two title lines
    timebank/时间银行流水_<year>_示例数据.csv                   one per year from 2019
    synth_summary.json                                         arguments, rows per file and table, calibration figures
    faults.csv                                                 only with messy > 0: every injected fault

CSV files cycle through UTF-8 with BOM, GB18030 and UTF-8, and through date formats.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import numpy as np
import polars as pl
from tqdm.auto import tqdm

from voldata import __version__, reference
from voldata.demo import DEMO_MARK
from voldata.synth import activity as act_mod
from voldata.synth.activity import (
    Activities,
    ActivityModel,
    activity_titles,
    draw_activities,
    draw_teams,
    records_target,
)
from voldata.synth.calendar import (
    DAY_SECONDS,
    month_of,
    to_date_text,
    to_datetime_text,
    to_polars_date,
    to_polars_datetime,
    year_bounds,
)
from voldata.synth.faults import FAULT_COLUMNS, FaultInjector
from voldata.synth.identity import (
    chinese_names,
    employers,
    id_numbers,
    landline_numbers,
    mobile_numbers,
    other_id_numbers,
)
from voldata.synth.places import places
from voldata.synth.population import (
    CITY,
    EDUCATION_LABELS,
    ID_TYPE_LABELS,
    POLITICAL_LABELS,
    assign_id_keys,
    draw_volunteers,
)
from voldata.synth.records import METHOD_LABELS, STATUS_LABELS, ActivityIndex, draw_records
from voldata.synth.timebank import SERVICE_ITEMS, TXN_LABELS, draw_accounts, draw_transactions
from voldata.synth.writers import CsvExport, ExportLog, XlsxExport

__all__ = ["generate", "SUMMARY_FILE", "FAULTS_FILE", "DEMO_MARK"]

SUMMARY_FILE = "synth_summary.json"
FAULTS_FILE = "faults.csv"
CHUNK_ROWS = 500_000
ENCODINGS = ("utf-8-sig", "gb18030", "utf-8")
# (date format, datetime format) cycled over CSV files, as different platform versions export them.
DATE_FORMATS = (
    ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"),
    ("%Y/%-m/%-d", "%Y/%-m/%-d %H:%M"),
    ("%Y年%-m月%-d日", "%Y-%m-%d %H:%M"),
)
# Independent random streams: the data, and (in FaultInjector) the faults, so --messy changes only faulted rows.
DATA_STREAM = 1


class _Cycle:
    """Encodings and date formats handed out to CSV files in creation order."""

    def __init__(self):
        self.count = 0

    def next(self):
        k = self.count
        self.count += 1
        return ENCODINGS[k % len(ENCODINGS)], DATE_FORMATS[k % len(DATE_FORMATS)]


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    """Ids such as ``ZY000000042``: a prefix and a zero-padded serial number."""
    digits = pl.Series(np.asarray(numbers, dtype=np.int64)).cast(pl.String).str.zfill(width)
    return pl.select(pl.lit(prefix) + digits).to_series()


def _blank_where(series: pl.Series, mask: np.ndarray) -> pl.Series:
    """``series`` with nulls (written as empty cells) where ``mask`` is true."""
    return series.zip_with(pl.Series(~np.asarray(mask, dtype=bool)), pl.Series([None] * len(series), dtype=pl.String))


def _clean_previous(out: Path) -> None:
    """Remove the files a previous run listed, so a smaller run leaves no stale exports behind."""
    summary = out / SUMMARY_FILE
    if not summary.is_file():
        return
    try:
        listed = json.loads(summary.read_text(encoding="utf-8")).get("files", [])
    except (json.JSONDecodeError, OSError):
        return
    for entry in listed:
        path = out / entry.get("file", "")
        if path.is_file() and DEMO_MARK in path.name:
            path.unlink()
    (out / FAULTS_FILE).unlink(missing_ok=True)
    summary.unlink()


def generate(out, *, years, scale: float, seed: int, messy: float = 0.0, progress: bool = True) -> dict:
    """Write seeded demo platform exports for ``years`` into ``out``; return the summary.

    Parameters
    ----------
    out : str or Path
        Folder to write (created; files of an earlier run listed in its
        ``synth_summary.json`` are replaced).
    years : sequence of int
        Consecutive calendar years, e.g. ``range(2018, 2021)``.
    scale : float
        1.0 = city scale (about 4 million volunteers by the end of the last
        year, 10 million service records a year); 0.001 runs in seconds.
    seed : int
        Seed: the same arguments give byte-identical files.
    messy : float
        Share of rows given a realistic fault, listed in ``faults.csv``.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    dict
        The content of ``synth_summary.json``.
    """
    years = [int(y) for y in years]
    if not years or years != list(range(years[0], years[-1] + 1)):
        raise ValueError(f"years must be consecutive, got {years}")
    if not 0 < scale <= 5:
        raise ValueError(f"scale must be in (0, 5], got {scale}")
    if not 0 <= messy <= 0.2:
        raise ValueError(f"messy must be in [0, 0.2], got {messy}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clean_previous(out)

    rng = np.random.default_rng([seed, DATA_STREAM])
    injector = FaultInjector(messy, seed)
    log = ExportLog(out)
    cycle = _Cycle()
    geo = places()
    last_year = years[-1]
    estimate = int(sum(records_target(y, years, scale) for y in years) + CITY["volunteers"] * scale * 1.1)
    bar = tqdm(
        total=estimate,
        unit="rows",
        unit_scale=True,
        desc="voldata synth",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )
    figures: dict[str, dict] = {str(y): {} for y in years}

    # People -------------------------------------------------------------------------------
    volunteers = draw_volunteers(rng, years=years, scale=scale, geo=geo)
    reports = _draw_party_reports(rng, years=years, scale=scale, volunteers=volunteers, geo=geo)
    accounts = draw_accounts(rng, years=years, scale=scale, geo=geo, volunteers=volunteers)
    new_reporters = reports["volunteer"] < 0
    new_members = accounts.volunteer < 0
    keys = assign_id_keys(
        rng,
        [volunteers.birth_day, reports["birth_day"][new_reporters], accounts.birth_day[new_members]],
        [volunteers.male, reports["male"][new_reporters], accounts.male[new_members]],
    )
    volunteers.id_key = keys[0]
    reports["id_key"] = np.zeros(len(reports["volunteer"]), dtype=np.int64)
    reports["id_key"][new_reporters] = keys[1]
    reports["id_key"][~new_reporters] = volunteers.id_key[reports["volunteer"][~new_reporters]]
    accounts.id_key[new_members] = keys[2]
    accounts.id_key[~new_members] = volunteers.id_key[accounts.volunteer[~new_members]]
    # Re-reports repeat the person's first report's key.
    reports["id_key"] = reports["id_key"][reports["person"]]

    teams = draw_teams(rng, years=years, scale=scale, geo=geo)
    _write_teams(out, teams, geo, log, injector, last_year, bar)

    # Activities and service records, year by year --------------------------------------------
    model = ActivityModel(volunteers)
    ever_active = np.zeros(len(volunteers), dtype=bool)
    for year in years:
        acts = draw_activities(rng, year=year, years=years, scale=scale, teams=teams, geo=geo)
        index = ActivityIndex(acts, len(geo.codes))
        registered, counts = model.year(rng, year, records_target(year, years, scale))
        used = np.zeros(len(acts), dtype=bool)
        hours_by_volunteer = np.zeros(len(registered))
        monthly_hours = np.zeros(13)
        encoding, (date_fmt, datetime_fmt) = cycle.next()
        header_names = {"服务时长": "服务时长（小时）" if year % 2 == 0 else "服务时长(小时)"}
        export = CsvExport(
            out / "service_records" / f"服务时长记录_{year}_{DEMO_MARK}.csv",
            table="service_records",
            log=log,
            injector=injector,
            encoding=encoding,
            header_names=header_names,
            progress=bar,
        )
        # Chunks of whole volunteers (~CHUNK_ROWS records each), so a volunteer's year is in one chunk.
        cumulative = np.cumsum(counts)
        total = int(cumulative[-1]) if len(cumulative) else 0
        cuts = np.searchsorted(cumulative, np.arange(CHUNK_ROWS, total, CHUNK_ROWS), side="right")
        starts = np.unique(np.concatenate([[0], cuts, [len(registered)]]).astype(np.int64))
        serial = 0
        for lo, hi in zip(starts[:-1], starts[1:]):
            chunk = registered[lo:hi]
            recs = draw_records(rng, year=year, volunteers=volunteers, chunk=chunk, counts=counts[lo:hi], index=index)
            if len(recs) == 0:
                continue
            used[recs.activity] = True
            ever_active[recs.volunteer] = True
            valid = recs.status <= 1
            hours_by_volunteer += np.bincount(
                recs.volunteer[valid], weights=recs.hours[valid], minlength=len(registered)
            )
            monthly_hours += np.bincount(month_of(recs.service_day[valid]), weights=recs.hours[valid], minlength=13)
            frame = pl.DataFrame(
                {
                    "记录编号": _ids(f"SR{year}", np.arange(serial + 1, serial + len(recs) + 1), 9),
                    "志愿者编号": _ids("ZY", recs.volunteer + 1, 9),
                    "活动编号": _ids(f"HD{year}", recs.activity + 1, 7),
                    "服务日期": to_date_text(recs.service_day, date_fmt),
                    "签到时间": to_datetime_text(recs.sign_in_sec, datetime_fmt),
                    "签退时间": to_datetime_text(recs.sign_out_sec, datetime_fmt),
                    "服务时长": pl.Series(recs.hours).cast(pl.String),
                    "记录方式": pl.Series(METHOD_LABELS[recs.method]),
                    "审核状态": pl.Series(STATUS_LABELS[recs.status]),
                }
            )
            serial += len(recs)
            export.write(frame, eligible=np.ones(len(recs), dtype=bool))
        export.close(
            columns=[
                "记录编号",
                "志愿者编号",
                "活动编号",
                "服务日期",
                "签到时间",
                "签退时间",
                "服务时长",
                "记录方式",
                "审核状态",
            ]
        )
        _write_activities(out, acts, geo, teams, used, log, injector, scale, bar)
        figures[str(year)].update(
            _year_figures(year, volunteers, registered, hours_by_volunteer, monthly_hours, acts, teams, reports, serial)
        )

    # Time bank ---------------------------------------------------------------------------
    balance = np.zeros(len(accounts), dtype=np.int64)
    for year in years:
        if year < 2019 or len(accounts) == 0:
            continue
        txns = draw_transactions(rng, year=year, accounts=accounts, balance=balance, n_districts=len(geo.codes))
        encoding, (date_fmt, datetime_fmt) = cycle.next()
        export = CsvExport(
            out / "timebank" / f"时间银行流水_{year}_{DEMO_MARK}.csv",
            table="timebank_transactions",
            log=log,
            injector=injector,
            encoding=encoding,
            header_names={"时长": "时长（积分）"},
            progress=bar,
        )
        for lo in range(0, max(len(txns), 1), CHUNK_ROWS):
            hi = min(lo + CHUNK_ROWS, len(txns))
            if hi <= lo:
                break
            item = txns.item[lo:hi]
            items = np.where(
                item >= 0, SERVICE_ITEMS[np.maximum(item, 0)], np.where(item == -1, "积分转赠", "捐赠至公益时间池")
            )
            counter = txns.counterparty[lo:hi]
            frame = pl.DataFrame(
                {
                    "流水号": _ids(f"LS{year}", np.arange(lo + 1, hi + 1), 8),
                    "账户编号": _ids("SJ", txns.account[lo:hi] + 1, 7),
                    "交易类型": pl.Series(TXN_LABELS[txns.txn_type[lo:hi]]),
                    "时长": pl.Series(txns.points[lo:hi]).cast(pl.String),
                    "对方账户编号": _blank_where(_ids("SJ", counter + 1, 7), counter < 0),
                    "服务项目": pl.Series(items),
                    "交易时间": to_datetime_text(txns.txn_sec[lo:hi], datetime_fmt),
                }
            )
            export.write(frame, eligible=np.ones(hi - lo, dtype=bool))
        export.close(columns=["流水号", "账户编号", "交易类型", "时长", "对方账户编号", "服务项目", "交易时间"])
        over_cap = int((balance > 1500).sum())
        figures[str(year)].update(
            {
                "timebank_accounts": int((accounts.opened_sec < (year_bounds(year)[1] + 1) * DAY_SECONDS).sum()),
                "timebank_transactions": len(txns),
                "timebank_accounts_over_cap": over_cap,
                "timebank_points_outstanding": int(balance.sum()),
            }
        )
    if not any(entry["table"] == "timebank_transactions" for entry in log.files):
        # Years before the time bank opened: the export exists but is empty.
        empty = CsvExport(
            out / "timebank" / f"时间银行流水_{last_year}_{DEMO_MARK}.csv",
            table="timebank_transactions",
            log=log,
            injector=injector,
            header_names={"时长": "时长（积分）"},
        )
        empty.close(columns=["流水号", "账户编号", "交易类型", "时长", "对方账户编号", "服务项目", "交易时间"])
    _write_accounts(out, accounts, geo, log, injector, rng, bar)

    _write_party_reports(out, reports, geo, log, injector, rng, years, bar)
    _write_volunteers(out, volunteers, ever_active, geo, log, injector, rng, years, cycle, bar)
    bar.close()

    summary = _summary(log, years=years, scale=scale, seed=seed, messy=messy, figures=figures)
    if messy > 0:
        _write_faults(out / FAULTS_FILE, log.faults)
    (out / SUMMARY_FILE).write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def _year_figures(year, volunteers, registered, hours, monthly_hours, acts, teams, reports, n_records) -> dict:
    """Calibration figures of one year, from the generated (clean) data."""
    first, last = year_bounds(year)
    active = hours > 0
    ranked = np.sort(hours[active])[::-1]
    top = int(np.ceil(0.1 * len(ranked)))
    party = volunteers.party[registered]
    mean_party = hours[active & party].mean() if (active & party).any() else float("nan")
    mean_other = hours[active & ~party].mean() if (active & ~party).any() else float("nan")
    report_days = reports["reported_sec"] // DAY_SECONDS
    return {
        "registered_volunteers": len(registered),
        "new_volunteers": int((volunteers.registered_day[registered] >= first).sum()),
        "party_member_volunteers": int(party.sum()),
        "active_volunteers": int(active.sum()),
        "service_records": int(n_records),
        "service_hours_valid": round(float(hours.sum()), 1),
        "top10_hours_share": round(float(ranked[:top].sum() / max(ranked.sum(), 1e-9)), 3),
        "party_hours_ratio": round(float(mean_party / mean_other), 3) if mean_other == mean_other else None,
        "monthly_hours": [round(float(h), 1) for h in monthly_hours[1:]],
        "activities": len(acts),
        "party_team_activities": int((teams.team_type[acts.team] == act_mod.PARTY_TEAM).sum()),
        "teams": int((teams.founded_day <= last).sum()),
        "party_service_teams": int(((teams.founded_day <= last) & (teams.team_type == act_mod.PARTY_TEAM)).sum()),
        "reported_party_members": int(len(np.unique(reports["id_key"][report_days <= last]))),
    }


def _draw_party_reports(rng, *, years, scale, volunteers, geo) -> dict:
    """In-service party members reporting to their home communities (在职党员到社区报到)."""
    n_people = max(int(round(CITY["party_reporters"] * scale)), 5)
    last_sec = (year_bounds(years[-1])[1] + 1) * DAY_SECONDS
    first_sec = year_bounds(years[0])[0] * DAY_SECONDS
    origin_sec = year_bounds(2016)[0] * DAY_SECONDS
    # Many reporters are also registered volunteers (same ID number): party members with a resident ID.
    candidates = np.flatnonzero(volunteers.party & (volunteers.id_type == 0))
    n_linked = min(int(round(0.55 * n_people)), len(candidates))
    linked = rng.choice(candidates, size=n_linked, replace=False)
    volunteer = np.concatenate([linked, np.full(n_people - n_linked, -1)])
    male = np.concatenate([volunteers.male[linked], rng.random(n_people - n_linked) < 0.5])
    age = rng.integers(24, 60, n_people - n_linked)
    birth_year = (years[-1] - age - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    birth_day = np.concatenate([volunteers.birth_day[linked], birth_year + rng.integers(0, 365, len(age))])
    # A fifth reported before the first year, the rest over the years, more each year.
    early = rng.random(n_people) < 0.2
    span = last_sec - first_sec
    reported = np.where(
        early,
        origin_sec + (rng.random(n_people) * (first_sec - origin_sec)).astype(np.int64),
        first_sec + (np.sqrt(rng.random(n_people)) * span).astype(np.int64),
    )
    district = np.where(
        volunteer >= 0,
        volunteers.district[np.maximum(volunteer, 0)],
        rng.choice(len(geo.codes), n_people, p=geo.population / geo.population.sum()),
    )
    street = np.where(volunteer >= 0, volunteers.street[np.maximum(volunteer, 0)], geo.random_street(rng, district))
    community = np.where(
        (volunteer >= 0) & (rng.random(n_people) < 0.8),
        volunteers.community[np.maximum(volunteer, 0)],
        geo.random_community(rng, street),
    )
    # Some report again later, to a new community (moved house).
    again = np.flatnonzero((rng.random(n_people) < 0.04) & (reported < last_sec - 30 * DAY_SECONDS))
    again_at = reported[again] + ((last_sec - reported[again]) * rng.uniform(0.1, 0.95, len(again))).astype(np.int64)
    again_street = geo.random_street(rng, district[again])
    person = np.concatenate([np.arange(n_people), again])
    rows = {
        "person": person,
        # Office hours on the day of reporting.
        "reported_sec": np.concatenate([reported, again_at]) // DAY_SECONDS * DAY_SECONDS
        + rng.integers(8 * 60, 20 * 60, n_people + len(again)) * 60,
        "district": np.concatenate([district, district[again]]),
        "street": np.concatenate([street, again_street]),
        "community": np.concatenate([community, geo.random_community(rng, again_street)]),
    }
    order = np.argsort(rows["reported_sec"], kind="stable")
    rows = {k: v[order] for k, v in rows.items()}
    rows.update({"volunteer": volunteer, "male": male, "birth_day": birth_day})
    return rows


def _title(text: str) -> str:
    return f"{text}{DEMO_MARK}"


def _write_teams(out, teams, geo, log, injector, last_year, bar):
    n = len(teams)
    place = np.where(
        teams.team_type == act_mod.SOCIAL_WORK_TEAM,
        geo.street_names[teams.street],
        geo.community_names[teams.community],
    )
    type_word = act_mod.TEAM_TYPE_LABELS[teams.team_type]
    suffix = np.where(
        type_word == "其他", "志愿者协会", np.where(type_word == "社区志愿服务队", "志愿服务队", type_word)
    )
    name = np.strings.add(place, suffix)
    frame = pl.DataFrame(
        {
            "队伍编号": _ids("DW", np.arange(1, n + 1), 6),
            "队伍名称": pl.Series(name),
            "队伍类型": pl.Series(type_word),
            "所属区": pl.Series(geo.names[teams.district]),
            "所属街道": pl.Series(geo.street_names[teams.street]),
            "所属社区": pl.Series(geo.community_names[teams.community]),
            "成立日期": to_polars_date(teams.founded_day),
            "负责人": pl.Series(chinese_names(np.random.default_rng([n, 11]), np.arange(n) % 2 == 0)),
            "联系电话": pl.Series(landline_numbers(np.random.default_rng([n, 12]), n)),
        }
    )
    export = XlsxExport(
        out / "teams" / f"志愿队伍导出_{last_year}_{DEMO_MARK}.xlsx",
        table="teams",
        log=log,
        injector=injector,
        sheet_rows=1_000_000,
        sheet_name="志愿队伍",
        title_lines=[_title(f"广州市志愿队伍导出（{last_year}年）")],
        progress=bar,
    )
    export.write(frame)
    export.close()


def _write_activities(out, acts: Activities, geo, teams, used, log, injector, scale, bar):
    n = len(acts)
    categories = reference.categories()["name_zh"].to_numpy(dtype=str)
    targets = reference.target_groups()["name_zh"].to_numpy(dtype=str)
    frame = pl.DataFrame(
        {
            "活动编号": _ids(f"HD{acts.year}", np.arange(1, n + 1), 7),
            "活动名称": pl.Series(activity_titles(acts, geo)),
            "发布队伍编号": _ids("DW", acts.team + 1, 6),
            "服务类别": pl.Series(categories[acts.category]),
            "服务对象": pl.Series(targets[acts.target]),
            "活动区": pl.Series(geo.names[acts.district]),
            "活动街道": pl.Series(geo.street_names[acts.street]),
            "活动社区": pl.Series(geo.community_names[acts.community]),
            "开始时间": to_datetime_text(acts.start_sec),
            "结束时间": to_datetime_text(acts.end_sec),
            "合作社工机构": pl.Series(acts.social_work),
            "慈善资源": pl.Series(acts.charity),
            "招募人数": pl.Series(acts.planned),
        }
    )
    # A small sheet limit at small scale, so readers meet a table split over sheets.
    sheet_rows = int(np.clip(100_000 * scale, 50, 1_000_000))
    export = XlsxExport(
        out / "activities" / f"志愿活动导出_{acts.year}_{DEMO_MARK}.xlsx",
        table="activities",
        log=log,
        injector=injector,
        sheet_rows=sheet_rows,
        sheet_name="志愿活动",
        title_lines=[_title(f"广州市志愿活动导出（{acts.year}年）")],
        progress=bar,
    )
    # Only activities nobody served in may take faults that quarantine them.
    export.write(frame, eligible=~used)
    export.close()


def _write_accounts(out, accounts, geo, log, injector, rng, bar):
    n = len(accounts)
    male = accounts.male
    blank = rng.random(n) < 0.05  # gender and birth date left to the ID number
    frame = pl.DataFrame(
        {
            "账户编号": _ids("SJ", np.arange(1, n + 1), 7),
            "姓名": pl.Series(chinese_names(rng, male)),
            "证件号码": pl.Series(id_numbers(accounts.id_key), dtype=pl.String),
            "性别": pl.Series(np.where(blank, "", np.where(male, "男", "女"))),
            "出生日期": _blank_where(to_date_text(accounts.birth_day), blank),
            "手机号码": pl.Series(mobile_numbers(rng, n)),
            "所属区": pl.Series(geo.names[accounts.district]),
            "开户时间": to_polars_datetime(accounts.opened_sec),
        }
    )
    export = XlsxExport(
        out / "timebank" / f"时间银行账户_{DEMO_MARK}.xlsx",
        table="timebank_accounts",
        log=log,
        injector=injector,
        sheet_rows=1_000_000,
        sheet_name="账户",
        title_lines=[_title("广州公益时间银行账户导出"), "数据来源：广州公益时间银行平台（示例数据，非真实个人信息）"],
        progress=bar,
    )
    export.write(frame)
    export.close(columns=frame.columns)


def _write_party_reports(out, reports, geo, log, injector, rng, years, bar):
    n = len(reports["person"])
    person = reports["person"]
    male = reports["male"][person]
    frame = pl.DataFrame(
        {
            "姓名": pl.Series(chinese_names(rng, male)),
            "证件号码": pl.Series(id_numbers(reports["id_key"]), dtype=pl.String),
            "所在单位": pl.Series(employers(rng, n)),
            "联系电话": pl.Series(mobile_numbers(rng, n)),
            "报到区": pl.Series(geo.names[reports["district"]]),
            "报到街道": pl.Series(geo.street_names[reports["street"]]),
            "报到社区": pl.Series(geo.community_names[reports["community"]]),
            "报到时间": to_datetime_text(reports["reported_sec"], "%Y/%m/%d %H:%M"),
        }
    )
    export = XlsxExport(
        out / "party_reports" / f"在职党员报到_{years[0]}-{years[-1]}_{DEMO_MARK}.xlsx",
        table="party_reports",
        log=log,
        injector=injector,
        sheet_rows=1_000_000,
        sheet_name="报到名单",
        progress=bar,
    )
    export.write(frame, eligible=np.ones(n, dtype=bool))
    export.close()


def _write_volunteers(out, volunteers, ever_active, geo, log, injector, rng, years, cycle, bar):
    reg_year = volunteers.registered_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    starts = np.concatenate([[0], np.searchsorted(reg_year, years[1:], side="left"), [len(volunteers)]])
    columns = [
        "志愿者编号",
        "姓名",
        "证件类型",
        "证件号码",
        "性别",
        "出生日期",
        "手机号码",
        "政治面貌",
        "学历",
        "所属区",
        "所属街道",
        "所属社区",
        "注册时间",
    ]
    for k, year in enumerate(years):
        lo_all, hi_all = int(starts[k]), int(starts[k + 1])
        encoding, (date_fmt, datetime_fmt) = cycle.next()
        period = f"{year}年及以前" if k == 0 else f"{year}"
        # One platform version calls the place columns 所属镇街 / 所属村居.
        header_names = {"所属街道": "所属镇街", "所属社区": "所属村居"} if k % 2 == 1 else {}
        export = CsvExport(
            out / "volunteers" / f"志愿者信息导出_{period}_{DEMO_MARK}.csv",
            table="volunteers",
            log=log,
            injector=injector,
            encoding=encoding,
            header_names=header_names,
            progress=bar,
        )
        for lo in range(lo_all, hi_all, CHUNK_ROWS):
            hi = min(lo + CHUNK_ROWS, hi_all)
            s = slice(lo, hi)
            n = hi - lo
            resident = volunteers.id_type[s] == 0
            numbers = np.where(
                resident,
                id_numbers(volunteers.id_key[s]),
                other_id_numbers(rng, np.maximum(volunteers.id_type[s] - 1, 0), np.arange(lo, hi)),
            )
            # Gender and birth date are sometimes left blank when the ID number carries them.
            blank = resident & (rng.random(n) < 0.03)
            male = volunteers.male[s]
            frame = pl.DataFrame(
                {
                    "志愿者编号": _ids("ZY", np.arange(lo + 1, hi + 1), 9),
                    "姓名": pl.Series(chinese_names(rng, male)),
                    "证件类型": pl.Series(ID_TYPE_LABELS[volunteers.id_type[s]]),
                    "证件号码": pl.Series(numbers, dtype=pl.String),
                    "性别": pl.Series(np.where(blank, "", np.where(male, "男", "女"))),
                    "出生日期": _blank_where(
                        to_date_text(volunteers.birth_day[s], "%Y%m%d" if k % 3 == 2 else date_fmt), blank
                    ),
                    "手机号码": pl.Series(mobile_numbers(rng, n)),
                    "政治面貌": pl.Series(POLITICAL_LABELS[volunteers.political[s]]),
                    "学历": pl.Series(EDUCATION_LABELS[volunteers.education[s]]),
                    "所属区": pl.Series(geo.names[volunteers.district[s]]),
                    "所属街道": pl.Series(geo.street_names[volunteers.street[s]]),
                    "所属社区": pl.Series(geo.community_names[volunteers.community[s]]),
                    "注册时间": to_datetime_text(volunteers.registered_sec[s], datetime_fmt),
                }
            )
            # Volunteers who never served may take faults that quarantine them.
            export.write(frame, eligible=~ever_active[s])
        export.close(columns=columns)


def _write_faults(path: Path, faults: list[dict]) -> None:
    rows = sorted(faults, key=lambda f: (f["file"], f["sheet"], f["row_number"]))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FAULT_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _summary(log: ExportLog, *, years, scale, seed, messy, figures) -> dict:
    files = sorted(log.files, key=lambda f: f["file"])
    tables: dict[str, int] = {}
    expected: dict[str, int] = {}
    for entry in files:
        tables[entry["table"]] = tables.get(entry["table"], 0) + entry["rows"]
        expected[entry["table"]] = expected.get(entry["table"], 0) + entry["rows"] - entry["quarantined"]
    return {
        "generator": "voldata.synth",
        "voldata_version": __version__,
        "demo_data": True,
        "arguments": {"years": f"{years[0]}-{years[-1]}", "scale": scale, "seed": seed, "messy": messy},
        "files": files,
        "tables": tables,
        "expected_stored": expected,
        "faults": len(log.faults),
        "figures": figures,
    }
