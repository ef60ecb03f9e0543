"""Files written by voldata.synth.generate: layout, headers, encodings, counts, determinism."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from synth_helpers import SMALL, parse_dates, read_sheets, read_table, summary

from voldata import reference
from voldata.commands.synth import parse_years
from voldata.schema import PII_HEADERS, TABLE_ORDER, TABLES, VOCABULARIES
from voldata.synth import generate

PII_BY_TABLE = {
    "volunteers": {"姓名", "手机号码"},
    "party_reports": {"姓名", "所在单位", "联系电话"},
    "teams": {"负责人", "联系电话"},
    "timebank_accounts": {"姓名", "手机号码"},
}


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_arguments_give_byte_identical_files(tmp_path, messy_raw):
    again = tmp_path / "again"
    generate(again, progress=False, messy=0.03, **SMALL)
    assert _digests(again) == _digests(messy_raw)


def test_a_different_seed_gives_different_files(tmp_path, clean_raw):
    other = tmp_path / "other"
    generate(other, years=SMALL["years"], scale=SMALL["scale"], seed=SMALL["seed"] + 1, progress=False)
    first = read_table(clean_raw, "volunteers")["证件号码"]
    second = read_table(other, "volunteers")["证件号码"]
    assert not first.equals(second)


def test_xlsx_members_carry_no_timestamps(clean_raw):
    books = sorted(clean_raw.rglob("*.xlsx"))
    assert books
    for book in books:
        with zipfile.ZipFile(book) as archive:
            # One fixed date for every member (xlsxwriter's), never the time of writing.
            dates = {info.date_time for info in archive.infolist()}
            assert len(dates) == 1 and next(iter(dates))[0] == 1980
            core = archive.read("docProps/core.xml").decode()
            assert "2021-01-01T00:00:00Z" in core


def test_every_table_is_written_with_contract_headers(clean_raw):
    meta = summary(clean_raw)
    assert set(meta["tables"]) == set(TABLE_ORDER)
    for entry in meta["files"]:
        table = TABLES[entry["table"]]
        for _, _, header, _ in read_sheets(clean_raw, entry):
            contract = {h for c in table.columns for h in c.headers}
            written = {h.replace("（小时）", "").replace("(小时)", "").replace("（积分）", "") for h in header}
            assert set(table.signature) <= written, entry["file"]
            assert written <= contract | PII_HEADERS, (entry["file"], written - contract - PII_HEADERS)
            expected = {c.headers[0] for c in table.columns if c.headers and not c.derived_from_id}
            canonical = {
                h if h not in ("所属镇街", "所属村居") else {"所属镇街": "所属街道", "所属村居": "所属社区"}[h]
                for h in written
            }
            assert expected <= canonical, (entry["file"], expected - canonical)
            assert PII_BY_TABLE.get(entry["table"], set()) <= written


def test_header_variants_and_layout(clean_raw):
    meta = summary(clean_raw)
    files = {e["file"]: e for e in meta["files"]}
    assert all("示例数据" in Path(f).name for f in files)
    record_files = sorted(f for f in files if f.startswith("service_records/"))
    assert len(record_files) == 3 and all(files[f]["format"] == "csv" for f in record_files)
    headers = {h for f in record_files for h in read_sheets(clean_raw, files[f])[0][2]}
    assert {"服务时长（小时）", "服务时长(小时)"} <= headers
    for table in ("volunteers", "service_records", "timebank_transactions"):
        assert {e["format"] for e in meta["files"] if e["table"] == table} == {"csv"}
    for table in ("teams", "activities", "party_reports", "timebank_accounts"):
        assert {e["format"] for e in meta["files"] if e["table"] == table} == {"xlsx"}
    # At small scale the activities of a year fill more than one sheet.
    assert any(len(e["sheets"]) > 1 for e in meta["files"] if e["table"] == "activities")
    teams = next(e for e in meta["files"] if e["table"] == "teams")
    assert teams["sheets"][0]["first_row"] == 3  # title line, header, data


def test_title_lines_say_demo_data(clean_raw):
    from python_calamine import CalamineWorkbook

    for entry in summary(clean_raw)["files"]:
        if entry["format"] != "xlsx":
            continue
        book = CalamineWorkbook.from_path(str(clean_raw / entry["file"]))
        for sheet in entry["sheets"]:
            rows = book.get_sheet_by_name(sheet["sheet"]).to_python(skip_empty_area=False)
            titles = rows[: sheet["first_row"] - 2]
            assert all("示例数据" in row[0] for row in titles)


def test_csv_encodings_are_as_claimed_and_mixed(clean_raw):
    entries = [e for e in summary(clean_raw)["files"] if e["format"] == "csv"]
    assert {e["encoding"] for e in entries} == {"utf-8", "utf-8-sig", "gb18030"}
    for entry in entries:
        data = (clean_raw / entry["file"]).read_bytes()
        if entry["encoding"] == "gb18030" and entry["rows"]:
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
        text = data.decode(entry["encoding"])
        assert text.lstrip("\ufeff").split(",")[0] in {"志愿者编号", "记录编号", "流水号"}


def test_row_counts_in_summary_equal_rows_in_files(messy_raw):
    meta = summary(messy_raw)
    totals: dict[str, int] = {}
    for entry in meta["files"]:
        parts = read_sheets(messy_raw, entry)
        assert sum(len(rows) for _, _, _, rows in parts) == entry["rows"], entry["file"]
        if entry["format"] == "xlsx":
            assert [len(rows) for _, _, _, rows in parts] == [s["rows"] for s in entry["sheets"]]
        totals[entry["table"]] = totals.get(entry["table"], 0) + entry["rows"]
    assert totals == meta["tables"]


def test_resident_id_numbers_are_valid_and_match_gender_and_birth_date(clean_raw):
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    for table in ("volunteers", "timebank_accounts", "party_reports"):
        frame = read_table(clean_raw, table)
        if "证件类型" in frame:
            frame = frame[frame["证件类型"] == "居民身份证"]
        numbers = frame["证件号码"]
        assert numbers.str.fullmatch(r"\d{17}[\dX]").all()
        digits = np.array([[int(c) for c in n[:17]] for n in numbers])
        expected = np.array(list("10X98765432"))[(digits * weights).sum(axis=1) % 11]
        assert (numbers.str[17].to_numpy() == expected).all(), table
        if "性别" in frame:
            known = frame[frame["性别"] != ""]
            assert ((known["证件号码"].str[16].astype(int) % 2 == 1) == (known["性别"] == "男")).all()
            dated = frame[frame["出生日期"] != ""]
            birth = parse_dates(dated["出生日期"])
            assert (birth.dt.strftime("%Y%m%d") == dated["证件号码"].str[6:14]).all()
    volunteers = read_table(clean_raw, "volunteers")
    assert volunteers["证件号码"].is_unique and volunteers["志愿者编号"].is_unique


def test_raw_values_are_contract_words(clean_raw):
    district_names = set(reference.districts()["name_zh"])
    volunteers = read_table(clean_raw, "volunteers")
    assert set(volunteers["所属区"]) <= district_names
    assert set(volunteers["政治面貌"]) - {""} <= set(VOCABULARIES["political_status"])
    assert set(volunteers["证件类型"]) <= set(VOCABULARIES["id_type"])
    activities = read_table(clean_raw, "activities")
    assert set(activities["服务类别"]) <= set(reference.categories()["name_zh"])
    assert set(activities["服务对象"]) <= set(reference.target_groups()["name_zh"])
    records = read_table(clean_raw, "service_records")
    assert set(records["记录方式"]) <= set(VOCABULARIES["record_method"])
    assert set(records["审核状态"]) <= set(VOCABULARIES["status"])
    teams = read_table(clean_raw, "teams")
    assert set(teams["队伍类型"]) <= set(VOCABULARIES["team_type"]) | {"其他"}
    txns = read_table(clean_raw, "timebank_transactions")
    assert set(txns["交易类型"]) <= set(VOCABULARIES["txn_type"])
    assert txns["时长"].str.fullmatch(r"[1-9]\d*").all()


def test_records_are_consistent_with_activities_and_volunteers(clean_raw):
    records = read_table(clean_raw, "service_records")
    activities = read_table(clean_raw, "activities").set_index("活动编号")
    volunteers = read_table(clean_raw, "volunteers").set_index("志愿者编号")
    assert records["记录编号"].is_unique
    assert records["活动编号"].isin(activities.index).all()
    assert records["志愿者编号"].isin(volunteers.index).all()
    service = parse_dates(records["服务日期"]).dt.normalize()
    start = parse_dates(activities.loc[records["活动编号"], "开始时间"]).dt.normalize().to_numpy()
    end = parse_dates(activities.loc[records["活动编号"], "结束时间"]).dt.normalize().to_numpy()
    registered = parse_dates(volunteers.loc[records["志愿者编号"], "注册时间"]).dt.normalize().to_numpy()
    assert (service.to_numpy() >= start).all() and (service.to_numpy() <= end).all()
    assert (service.to_numpy() >= registered).all()
    hours = records["服务时长"].astype(float)
    assert hours.between(0.5, 12).all() and hours.between(0.5, 8).mean() > 0.99
    sign_in, sign_out = parse_dates(records["签到时间"]), parse_dates(records["签退时间"])
    assert ((sign_out - sign_in).dt.total_seconds() / 3600 == hours).all()
    assert (sign_in.dt.normalize() == service).all()
    key = records[["志愿者编号", "活动编号", "签到时间"]]
    assert not key.duplicated().any()


@pytest.mark.parametrize("text, expected", [("2018-2020", [2018, 2019, 2020]), ("2020", [2020])])
def test_parse_years(text, expected):
    assert parse_years(text) == expected


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--years", "2020-2018"], "before the first"),
        (["--years", "twenty"], "--years"),
        (["--scale", "0"], "--scale"),
        (["--messy", "0.9"], "--messy"),
    ],
)
def test_cli_rejects_bad_arguments_before_writing(tmp_path, capsys, argv, message):
    from voldata.cli import main

    out = tmp_path / "raw"
    assert main(["synth", "--out", str(out), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_cli_writes_exports(tmp_path, capsys):
    from voldata.cli import main

    out = tmp_path / "raw"
    assert main(["synth", "--out", str(out), "--years", "2020", "--scale", "0.0005", "--seed", "3", "--quiet"]) == 0
    meta = summary(out)
    assert meta["arguments"] == {"years": "2020-2020", "scale": 0.0005, "seed": 3, "messy": 0.0}
    assert not (out / "faults.csv").exists()


def test_a_rerun_replaces_the_previous_files(tmp_path):
    out = tmp_path / "raw"
    generate(out, years=range(2018, 2021), scale=0.0005, seed=1, progress=False)
    generate(out, years=[2020], scale=0.0005, seed=1, progress=False)
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == {e["file"] for e in summary(out)["files"]} | {"synth_summary.json"}


def test_years_before_the_time_bank_still_give_every_table(tmp_path):
    out = tmp_path / "raw"
    meta = generate(out, years=[2017], scale=0.0005, seed=2, progress=False)
    assert set(meta["tables"]) == set(TABLE_ORDER)
    assert meta["tables"]["timebank_accounts"] == 0 and meta["tables"]["timebank_transactions"] == 0
    for entry in meta["files"]:
        assert (out / entry["file"]).is_file()


@pytest.mark.parametrize("kwargs", [{"years": [2018, 2020]}, {"years": []}, {"scale": 0}, {"messy": 0.5}])
def test_generate_rejects_bad_arguments(tmp_path, kwargs):
    arguments = {"years": [2020], "scale": 0.0005, "seed": 1, "messy": 0.0} | kwargs
    with pytest.raises(ValueError):
        generate(tmp_path / "raw", progress=False, **arguments)
    assert not (tmp_path / "raw").exists()
