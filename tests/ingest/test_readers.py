"""Readers: encodings, header rows, header variants, spreadsheet cells, unusable files."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import polars as pl
import pytest
import xlsxwriter
from polars.testing import assert_frame_equal

from voldata.ingest import readers
from voldata.ingest.readers import (
    IngestError,
    cell_text,
    discover,
    normalise_header,
    plan_source,
    read_batches,
    read_source,
    recognise,
)
from voldata.schema import TABLES

from .conftest import CITY

KEY = b"readers-test-key-0123456789abcdef"
TEAMS_CSV = (
    "队伍编号,队伍名称,队伍类型,所属区,负责人,联系电话\n"
    "T1,石牌党员服务队,党员志愿服务队,天河区,陈队长,13900000001\n"
    "T2,海珠青年队,青年志愿服务队,海珠区,林队长,13900000002\n"
)


def _read(path, workdir):
    sources, _ = discover([path])
    plan = plan_source(sources[0])
    return plan, read_source(plan, key=KEY, workdir=workdir)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_every_encoding_reads_the_same_chinese(tmp_path, encoding):
    path = tmp_path / "teams.csv"
    path.write_bytes(TEAMS_CSV.encode(encoding))
    plan, frame = _read(path, tmp_path)
    assert plan.table.name == "teams"
    assert frame["team_name"].to_list() == ["石牌党员服务队", "海珠青年队"]
    assert frame["team_type"].to_list() == ["党员志愿服务队", "青年志愿服务队"]
    assert frame["_row"].to_list() == [2, 3]


def test_mixed_encodings_are_refused_not_garbled(tmp_path):
    """UTF-8 header and rows, then GB18030 rows further on: an error naming the file, no guess."""
    body = b"\n".join(f"T{i},team,x".encode() for i in range(8000))
    path = tmp_path / "mixed.csv"
    path.write_bytes("队伍编号,队伍名称,队伍类型\n".encode() + body + "\nT9999,石牌党员服务队,x\n".encode("gb18030"))
    sources, _ = discover([path])
    plan = plan_source(sources[0])
    assert plan.encoding == "utf-8"
    with pytest.raises(IngestError, match="mixed.csv: starts as UTF-8"):
        read_source(plan, key=KEY, workdir=tmp_path)


def test_transcoding_in_small_chunks_splits_no_character(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "_TRANSCODE_CHUNK", 7)  # odd size: chunks end inside characters
    path = tmp_path / "teams.csv"
    path.write_bytes(TEAMS_CSV.encode("gb18030"))
    _, frame = _read(path, tmp_path)
    assert frame["team_name"].to_list() == ["石牌党员服务队", "海珠青年队"]
    assert not list(tmp_path.glob("transcoded-*"))  # the temporary UTF-8 copy is gone


def test_undecodable_file_is_an_error(tmp_path):
    path = tmp_path / "teams.csv"
    path.write_bytes(TEAMS_CSV.encode("utf-8") + b"T3,\x81\x30\xff\xff,x\n")
    sources, _ = discover([path])
    with pytest.raises(IngestError, match="teams.csv: cannot decode"):
        read_source(plan_source(sources[0]), key=KEY, workdir=tmp_path)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("服务时长（小时）", "服务时长"),
        ("服务时长(小时)", "服务时长"),
        ("服务时长 （小时）", "服务时长"),
        (" 服务 时长 ", "服务时长"),
        ("时长（积分）", "时长"),
        ("\ufeff记录编号", "记录编号"),
        ("*志愿者编号", "志愿者编号"),
        ("（备注）", "(备注)"),
    ],
)
def test_header_normalisation(header, expected):
    assert normalise_header(header) == expected


def test_tables_are_recognised_from_their_headers():
    assert recognise(["记录编号", "志愿者编号", "活动编号", "服务日期"]).name == "service_records"
    assert recognise(["志愿者编号", "证件号码", "注册时间", "姓名"]).name == "volunteers"
    assert recognise(["流水号", "账户编号", "交易类型"]).name == "timebank_transactions"
    assert recognise(["账户编号", "证件号码", "开户时间"]).name == "timebank_accounts"
    assert recognise(["姓名", "电话"]) is None


def test_csv_with_title_lines_and_tabs(tmp_path):
    path = tmp_path / "export.csv"
    body = TEAMS_CSV.replace(",", "\t")
    path.write_text("广州市志愿队伍导出（2020年）\n\n" + body, encoding="utf-8")
    plan, frame = _read(path, tmp_path)
    assert plan.parts[0].header_index == 2
    assert frame["_row"].to_list() == [4, 5]
    assert frame["district_code"].to_list() == ["天河区", "海珠区"]


def test_pii_columns_never_leave_the_reader(tmp_path):
    path = tmp_path / "teams.csv"
    path.write_text(TEAMS_CSV, encoding="utf-8")
    _, frame = _read(path, tmp_path)
    assert "负责人" not in frame.columns and "联系电话" not in frame.columns
    assert not any("13900000001" in str(v) for col in frame.columns for v in frame[col].to_list())


def test_id_numbers_are_pseudonymised_when_read():
    sources, _ = discover([CITY / "volunteers_utf8.csv"])
    frame = read_source(plan_source(sources[0]), key=KEY, workdir=CITY)
    assert "_id_number" not in frame.columns
    expected = hmac.new(KEY, b"11010519491231002X", hashlib.sha256).hexdigest()
    assert frame.filter(pl.col("volunteer_id") == "V005")["person_key"].to_list() == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (20200305.0, "20200305"),
        (4.0, "4"),
        (2.5, "2.5"),
        (110101194912310021.0, "110101194912310000"),  # as many digits as Excel keeps, no exponent
        (dt.datetime(2020, 3, 5, 8, 30), "2020-03-05 08:30:00"),
        (dt.date(2020, 3, 5), "2020-03-05"),
        (dt.time(8, 30), "08:30:00"),
        (dt.timedelta(hours=2, minutes=30), "2.5"),
        (True, "TRUE"),
        ("", None),
        ("文字", "文字"),
    ],
)
def test_spreadsheet_cells_become_text(value, expected):
    assert cell_text(value) == expected


def test_titled_multi_sheet_workbook():
    sources, _ = discover([CITY / "service_records_2020.xlsx"])
    plan = plan_source(sources[0])
    assert plan.table.name == "service_records"
    assert [(p.sheet, p.header_index) for p in plan.parts] == [("Sheet1", 1), ("Sheet2", 1)]
    frame = read_source(plan, key=KEY, workdir=CITY)
    sheet1 = frame.filter(pl.col("_sheet") == "Sheet1")
    assert sheet1["_row"].to_list() == [3, 4, 5, 6]
    assert sheet1["service_date"].to_list() == ["2020-03-05", "20200305", "2020年3月6日", "2020-03-05"]
    assert sheet1["hours"].to_list() == ["4", "3.5小时", "2小时30分", "2"]
    assert frame.filter(pl.col("_sheet") == "Sheet2")["_row"].to_list() == [3, 4, 5, 6, 7, 8, 9]
    assert "姓名" not in frame.columns


def test_empty_sheets_are_ignored_and_header_found_below_titles(tmp_path):
    path = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("说明空白")
    sheet = book.add_worksheet("队伍")
    sheet.write(0, 0, "标题一")
    sheet.write(1, 0, "标题二")
    sheet.write_row(3, 0, ["队伍编号", "队伍类型", "成立日期"])
    sheet.write_row(4, 0, ["T1", "社区志愿服务队"])
    sheet.write_number(4, 2, 43895)
    book.close()
    plan, frame = _read(path, tmp_path)
    assert [p.sheet for p in plan.parts] == ["队伍"]
    assert frame["_row"].to_list() == [5]
    assert frame["founded_on"].to_list() == ["2020-03-05"]  # a number in a date column: a serial date


def test_unknown_table_names_the_headers_and_the_nearest_table(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("记录编号,活动编号,服务日期\nR1,A1,2020-03-05\n", encoding="utf-8")
    sources, _ = discover([path])
    with pytest.raises(IngestError) as error:
        plan_source(sources[0])
    message = str(error.value)
    assert "odd.csv" in message and "not a known export table" in message
    assert "记录编号, 活动编号, 服务日期" in message
    assert "service_records" in message and "志愿者编号" in message


def test_missing_required_column_is_named(tmp_path):
    path = tmp_path / "records.csv"
    path.write_text("记录编号,志愿者编号,活动编号,服务时长\nR1,V1,A1,2\n", encoding="utf-8")
    sources, _ = discover([path])
    with pytest.raises(IngestError, match=r"records.csv.*服务日期"):
        plan_source(sources[0])


def test_corrupt_workbook_is_an_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    sources, _ = discover([path])
    with pytest.raises(IngestError, match="broken.xlsx: cannot open"):
        plan_source(sources[0])


def test_discover_orders_files_and_lists_skipped(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ["b/2.csv", "a.xlsx", "b/1.CSV", "notes.txt", "~$a.xlsx", "faults.json"]:
        (tmp_path / name).write_bytes(b"")
    sources, skipped = discover([tmp_path, tmp_path / "a.xlsx"])
    assert [s.relpath for s in sources] == ["a.xlsx", "b/1.CSV", "b/2.csv"]
    assert skipped == ["faults.json", "notes.txt", "~$a.xlsx"]
    with pytest.raises(IngestError, match="no such file"):
        discover([tmp_path / "missing"])


def test_every_table_signature_is_recognised():
    for spec in TABLES.values():
        headers = [c.headers[0] for c in spec.columns if c.headers]
        assert recognise(headers) is spec


def test_blank_lines_short_rows_and_trailing_cells(tmp_path):
    path = tmp_path / "teams.csv"
    path.write_text("队伍编号,队伍名称,队伍类型\n\nT1,甲队\nT2,乙队,青年志愿服务队,,\n,,\n", encoding="utf-8")
    _, frame = _read(path, tmp_path)
    assert frame.select("team_id", "team_name", "team_type", "_row").rows() == [
        ("T1", "甲队", None, 3),
        ("T2", "乙队", "青年志愿服务队", 4),
    ]


def test_header_only_file_has_no_rows(tmp_path):
    path = tmp_path / "teams.csv"
    path.write_text("队伍编号,队伍类型\n", encoding="utf-8")
    _, frame = _read(path, tmp_path)
    assert frame.height == 0 and "team_id" in frame.columns


def test_sheets_of_different_tables_are_refused(tmp_path):
    path = tmp_path / "mixed.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("a").write_row(0, 0, ["队伍编号", "队伍类型"])
    book.add_worksheet("b").write_row(0, 0, ["流水号", "账户编号", "交易类型", "时长", "交易时间"])
    book.close()
    sources, _ = discover([path])
    with pytest.raises(IngestError, match="one table per file"):
        plan_source(sources[0])


def test_hidden_folders_are_not_searched(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.csv").write_bytes(b"")
    (tmp_path / "a.csv").write_bytes(b"")
    sources, skipped = discover([tmp_path])
    assert [s.relpath for s in sources] == ["a.csv"] and skipped == []


def test_sheet_rows_become_text_columns_and_blank_rows_are_told_apart():
    """Mapped cells become text; unmapped (PII) cells only say whether a row holds anything: 0 and False do."""
    part = readers.Part(sheet="s", header_index=0, n_columns=4, columns={0: "volunteer_id", 2: "hours"})
    rows = [
        ["V1", "张三", 2.5, ""],
        ["V2", None, "3", 0],
        [None, "", None, False],
        [None, None, None, None],
        ["V5"],  # a short row: its missing cells are blank
    ]
    frame = readers._sheet_frame(TABLES["service_records"], part, rows)
    assert frame["c0"].to_list() == ["V1", "V2", None, None, "V5"]
    assert frame["c2"].to_list() == ["2.5", "3", None, None, None]
    assert frame["_other_cells"].to_list() == [True, True, True, False, False]
    assert "c1" not in frame.columns and "c3" not in frame.columns


@pytest.mark.parametrize("rows", [1, 2, 1000])
def test_batches_number_rows_as_one_read_does(tmp_path, rows):
    """A GB18030 CSV with title lines and a blank row, read a few rows at a time: the same rows, numbers and values."""
    path = tmp_path / "teams.csv"
    path.write_bytes(
        ("队伍名单\n\n" + TEAMS_CSV + ",,,,,\nT3,越秀队,青年志愿服务队,越秀区,王队长,13900000003\n").encode("gb18030")
    )
    plan, whole = _read(path, tmp_path)
    batches = list(read_batches(plan_source(discover([path])[0][0]), key=KEY, workdir=tmp_path, rows=rows))
    assert len(batches) == -(-4 // rows)  # (four rows read, the blank one left out after)
    assert_frame_equal(pl.concat(batches), whole)
    assert whole["_row"].to_list() == [4, 5, 7]
    assert not list(tmp_path.glob("transcoded-*"))


def test_a_csv_without_rows_gives_one_empty_batch(tmp_path):
    path = tmp_path / "teams.csv"
    path.write_text(TEAMS_CSV.splitlines()[0] + "\n", encoding="utf-8")
    batches = list(read_batches(plan_source(discover([path])[0][0]), key=KEY, workdir=tmp_path, rows=2))
    assert [batch.height for batch in batches] == [0]
