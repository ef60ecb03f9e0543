"""Hostile exports: personal numbers in free text, shifted rows, control characters, future dates, numbers
for dates, notes sheets, duplicate headers, merged cells, links out of the folder, short keys."""

from __future__ import annotations

import json
import os

import polars as pl
import pytest
import xlsxwriter

from voldata.ingest import IngestError, ingest
from voldata.personal import MASK, find_personal_numbers
from voldata.store import quarantine

from .conftest import KEY

ID = "440106199003071231"  # check character worked by hand in tests/test_personal.py
MOBILE = "13812345678"
FULL_WIDTH_ID = "４４０１ ０６１９ ９００３ ０７１２ ３１"
TEAMS_HEADER = "队伍编号,队伍名称,队伍类型,所属区,所属街道,所属社区,成立日期\n"


def _write(folder, name, text, encoding="utf-8"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))
    return folder / name


def _store_text(store) -> str:
    """Every value of every table and of the quarantine, as text."""
    values = []
    for path in sorted(store.rglob("*.parquet")):
        frame = pl.read_parquet(path)
        for column in frame.columns:
            values += [str(v) for v in frame.get_column(column).to_list() if v is not None]
    return "\n".join(values)


def test_personal_numbers_in_free_text_are_masked_and_counted(tmp_path):
    raw = tmp_path / "raw"
    _write(
        raw,
        "teams.csv",
        TEAMS_HEADER + f"T1,石牌队 电话{MOBILE},社区志愿服务队,天河区,石牌街道 {FULL_WIDTH_ID},华师社区,2018-05-04\n"
        "T2,海珠队 +86 139-0000-0002,青年志愿服务队,海珠区,(020)8888 1234,社区,2019-01-01\n",
        encoding="gb18030",
    )
    _write(
        raw,
        "activities.csv",
        "活动编号,活动名称,发布队伍编号,服务类别,服务对象,活动区,开始时间\n"
        "A1,<script>alert(1)</script> 报名请拨 0086 138 1234 5678,T1,疫情防控,老年人,天河区,2020-03-05 08:00\n"
        "A2,敬老 2020年3月5日 第12345678次,T2,疫情防控,老年人,天河区,2020-03-06 08:00\n",
    )
    report = ingest([raw], store=tmp_path / "store", key=KEY, progress=False)
    by_file = {entry["file"]: entry for entry in report["files"]}
    assert by_file["teams.csv"]["numbers_masked"] == {"id_number": 1, "mobile_number": 2, "landline_number": 1}
    assert by_file["activities.csv"]["numbers_masked"] == {"mobile_number": 1}
    teams = pl.read_parquet(tmp_path / "store" / "teams").sort("team_id")
    assert teams["team_name"].to_list() == [f"石牌队 电话{MASK}", f"海珠队 {MASK}"]
    assert teams["street"].to_list() == [f"石牌街道 {MASK}", MASK]
    titles = pl.read_parquet(tmp_path / "store" / "activities").sort("activity_id")["title"].to_list()
    assert titles == [f"<script>alert(1)</script> 报名请拨 {MASK}", "敬老 2020年3月5日 第12345678次"]
    assert find_personal_numbers(_store_text(tmp_path / "store")) == {}


def test_a_shifted_row_leaves_no_personal_number_in_the_quarantine(tmp_path):
    """A row without its name cell shifts the ID number into 证件类型 and the mobile into 出生日期."""
    header = (
        "志愿者编号,姓名,证件类型,证件号码,性别,出生日期,手机号码,政治面貌,学历,所属区,所属街道,所属社区,注册时间\n"
    )
    shifted = f"V9,居民身份证,{ID},男,1990-03-07,{MOBILE},群众,本科,天河区,石牌街道,华师社区,2020-01-01 10:00:00\n"
    _write(tmp_path / "raw", "volunteers.csv", header + shifted)
    ingest([tmp_path / "raw"], store=tmp_path / "store", key=KEY, progress=False)
    rows = quarantine(tmp_path / "store")
    assert rows["reason"].tolist() == ["bad_date"]
    entry = rows.iloc[0]
    values = json.loads(entry["values"])
    assert values["证件类型"] == MASK and MASK in entry["detail"]
    assert ID not in entry["values"] + entry["detail"] and MOBILE not in entry["values"] + entry["detail"]
    assert find_personal_numbers(_store_text(tmp_path / "store")) == {}


def test_control_characters_future_dates_and_numbers_for_dates_are_quarantined(tmp_path):
    _write(
        tmp_path / "raw",
        "teams.csv",
        TEAMS_HEADER + "T1,正常队,社区志愿服务队,天河区,,,2018-05-04\n"
        "T\x002,空字符队,社区志愿服务队,天河区,,,2018-05-04\n"
        "T3,响铃\x07队,社区志愿服务队,天河区,,,2018-05-04\n"
        "T4,未来队,社区志愿服务队,天河区,,,2099-01-01\n"
        "T5,序号队,社区志愿服务队,天河区,,,12345\n"
        "T6,换行\x85队,社区志愿服务队,天河区,,,2018-05-04\n",
    )
    ingest([tmp_path / "raw"], store=tmp_path / "store", key=KEY, progress=False)
    assert pl.read_parquet(tmp_path / "store" / "teams")["team_id"].to_list() == ["T1"]
    rows = quarantine(tmp_path / "store").set_index("row_number")
    assert rows.loc[3, "reason"] == "control_character" and "队伍编号 (team_id)" in rows.loc[3, "detail"]
    assert rows.loc[4, "reason"] == "control_character" and "队伍名称 (team_name)" in rows.loc[4, "detail"]
    assert rows.loc[5, "reason"] == "out_of_range" and "after the ingest date" in rows.loc[5, "detail"]
    assert rows.loc[6, "reason"] == "bad_date" and "is a number, not a date" in rows.loc[6, "detail"]
    assert rows.loc[7, "reason"] == "control_character"  # NEL, a C1 control


def test_a_future_datetime_makes_no_future_partition(tmp_path):
    _write(tmp_path / "raw", "teams.csv", TEAMS_HEADER + "T1,队,社区志愿服务队,天河区,,,2018-05-04\n")
    _write(
        tmp_path / "raw",
        "activities.csv",
        "活动编号,活动名称,发布队伍编号,服务类别,服务对象,活动区,开始时间\n"
        "A1,明年,T1,疫情防控,老年人,天河区,2031-03-05 08:00\nA2,今年,T1,疫情防控,老年人,天河区,2020-03-05 08:00\n",
    )
    ingest([tmp_path / "raw"], store=tmp_path / "store", key=KEY, progress=False)
    assert sorted(p.name for p in (tmp_path / "store" / "activities").iterdir()) == ["year=2020"]
    assert quarantine(tmp_path / "store")["reason"].tolist() == ["out_of_range"]


def test_a_notes_sheet_is_skipped_and_listed_and_merged_cells_take_the_anchor(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    book = xlsxwriter.Workbook(str(raw / "teams.xlsx"))
    notes = book.add_worksheet("说明")
    notes.write(0, 0, "本表由平台导出，联系人电话见内部通讯录")
    notes.hide()
    sheet = book.add_worksheet("队伍")
    sheet.write_row(0, 0, ["队伍编号", "队伍名称", "队伍类型", "所属区", "成立日期"])
    for row, team in enumerate(["T1", "T2", "T3"], start=1):
        sheet.write_row(row, 0, [team, f"队{row}", "社区志愿服务队"])
        sheet.write_number(row, 4, 43895)  # a number in a workbook's date column: a serial date
    sheet.merge_range(1, 3, 3, 3, "天河区")
    book.close()
    report = ingest([raw], store=tmp_path / "store", key=KEY, progress=False)
    assert report["skipped_sheets"] == [{"file": "teams.xlsx", "sheet": "说明"}]
    teams = pl.read_parquet(tmp_path / "store" / "teams").sort("team_id")
    assert teams["district_code"].to_list() == ["440106"] * 3
    assert [str(d) for d in teams["founded_on"].to_list()] == ["2020-03-05"] * 3


def test_duplicate_header_columns_are_an_error_naming_both(tmp_path):
    _write(tmp_path / "raw", "teams.csv", "队伍编号,队伍名称,队伍类型,队伍名称（全称）\nT1,a,社区志愿服务队,b\n")
    with pytest.raises(IngestError, match=r"teams.csv: columns B \(column 2\) and D \(column 4\) are both headed"):
        ingest([tmp_path / "raw"], store=tmp_path / "store", key=KEY, progress=False)


def test_a_link_out_of_the_folder_is_refused_naming_it(tmp_path):
    raw = tmp_path / "raw"
    _write(raw, "teams.csv", TEAMS_HEADER + "T1,队,社区志愿服务队,天河区,,,2018-05-04\n")
    outside = _write(tmp_path / "elsewhere", "secret.txt", "root:x:0:0:root:/root:/bin/bash\n")
    os.symlink(outside, raw / "passwd.csv")
    with pytest.raises(IngestError, match="passwd.csv: a link to a file outside") as error:
        ingest([raw], store=tmp_path / "store", key=KEY, progress=False)
    assert "root:x" not in str(error.value)
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("key", ["a", "x" * 31])
def test_a_short_key_is_refused(tmp_path, key):
    _write(tmp_path / "raw", "teams.csv", TEAMS_HEADER + "T1,队,社区志愿服务队,天河区,,,2018-05-04\n")
    with pytest.raises(IngestError, match="secrets.token_hex"):
        ingest([tmp_path / "raw"], store=tmp_path / "store", key=key, progress=False)
    assert not (tmp_path / "store").exists()


def test_file_and_sheet_names_holding_a_number_are_reported_masked(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    book = xlsxwriter.Workbook(str(raw / f"队伍_{MOBILE}.xlsx"))
    sheet = book.add_worksheet(f"联系{MOBILE}")
    sheet.write_row(0, 0, ["队伍编号", "队伍名称", "队伍类型", "所属区", "成立日期"])
    sheet.write_row(1, 0, ["T1", "队", "社区志愿服务队", "天河区", "2099-01-01"])
    book.close()
    report = ingest([raw], store=tmp_path / "store", key=KEY, progress=False)
    assert [entry["file"] for entry in report["files"]] == [f"队伍_{MASK}.xlsx"]
    rows = quarantine(tmp_path / "store")
    assert (rows["file"].tolist(), rows["sheet"].tolist()) == ([f"队伍_{MASK}.xlsx"], [f"联系{MASK}"])
