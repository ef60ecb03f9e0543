"""End to end: the committed city exports → store, quarantine and report, checked by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import shutil
import subprocess
import sys

import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

import voldata
from voldata.ingest import IngestError, ingest, writer
from voldata.schema import TABLE_ORDER, TABLES
from voldata.store import arrow_schema, ingest_report, quarantine

from .conftest import CITY, EXPECTED, KEY, MAKE, file_bytes


def _beside(store) -> list[str]:
    """What lies in the store's folder, but the writer's lock file (it holds no data)."""
    return sorted(p.name for p in store.parent.iterdir() if p.name != f".{store.name}.lock")


def _person_key(id_number: str) -> str:
    normalised = id_number.strip().upper()
    return hmac.new(KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def _expected(table: str) -> pd.DataFrame:
    """The hand-written expected table, with the canonical dtypes of ``voldata.load``."""
    spec = TABLES[table]
    frame = pd.read_csv(EXPECTED / f"{table}.csv", dtype=str, keep_default_na=False).replace("", None)
    if "id" in frame.columns:
        frame["person_key"] = [_person_key(MAKE.IDS.get(label, label)) for label in frame.pop("id")]
    frame = frame[spec.column_names]
    for column in spec.columns:
        name = column.name
        if column.kind == "bool":
            frame[name] = frame[name].map({"True": True, "False": False, None: pd.NA}).astype("boolean")
        elif column.kind == "int":
            frame[name] = frame[name].astype("Int64")
        elif column.kind == "year":
            frame[name] = frame[name].astype("Int16")
        elif column.kind == "float":
            frame[name] = frame[name].astype("float64")
        elif column.kind == "date":
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ms]")
        elif column.kind == "datetime":
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[us]")
        elif column.kind == "code":
            frame[name] = pd.Categorical(frame[name], categories=voldata.store.category_levels(column.vocabulary))
        else:
            frame[name] = frame[name].astype("str")
    return frame


@pytest.mark.parametrize("table", TABLE_ORDER)
def test_stored_tables_match_the_hand_worked_expectation(city_store, table):
    spec = TABLES[table]
    stored = voldata.load(table, store=city_store)
    expected = _expected(table)
    if "person_key" in spec.key:
        # Pseudonyms sort in an order nobody can work out by hand: compare as sets of rows.
        stored = stored.sort_values(list(spec.key)).reset_index(drop=True)
        expected = expected.sort_values(list(spec.key)).reset_index(drop=True)
    pd.testing.assert_frame_equal(stored.reset_index(drop=True), expected)


def test_quarantine_matches_the_hand_worked_expectation(city_store):
    got = quarantine(city_store)[["table", "file", "sheet", "row_number", "reason"]]
    expected = pd.read_csv(EXPECTED / "quarantine.csv", dtype={"sheet": str}, keep_default_na=False)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    assert list(quarantine(city_store).columns) == [
        "table",
        "file",
        "sheet",
        "row_number",
        "reason",
        "detail",
        "values",
    ]


def test_quarantine_values_are_raw_text_without_pii(city_store):
    q = quarantine(city_store)
    row = q[(q["table"] == "service_records") & (q["reason"] == "bad_number")].iloc[0]
    values = json.loads(row["values"])
    assert values["服务时长"] == "abc" and values["记录编号"] == "R008"
    assert "姓名" not in values and "证件号码" not in values
    assert row["detail"] == "服务时长 (hours) = 'abc'"


def test_report_reconciles_every_file(city_store):
    report = ingest_report(city_store)
    by_file = {entry["file"]: entry for entry in report["files"]}
    for entry in report["files"]:
        assert entry["rows_read"] == entry["rows_stored"] + entry["rows_quarantined"]
        assert sum(entry["reasons"].values()) == entry["rows_quarantined"]
        assert entry["sha256"] == hashlib.sha256((CITY / entry["file"]).read_bytes()).hexdigest()
    assert by_file["service_records_2020.xlsx"] == {
        "file": "service_records_2020.xlsx",
        "table": "service_records",
        "sha256": by_file["service_records_2020.xlsx"]["sha256"],
        "rows_read": 11,
        "rows_stored": 4,
        "rows_quarantined": 7,
        "reasons": {
            "missing_value": 1,
            "bad_number": 1,
            "out_of_range": 1,
            "unknown_value": 1,
            "duplicate": 2,
            "orphan": 1,
        },
        "numbers_masked": {},
    }
    assert report["skipped_files"] == ["faults.txt"]
    assert report["tables"] == {
        "volunteers": 6,
        "party_reports": 2,
        "teams": 4,
        "activities": 3,
        "service_records": 7,
        "timebank_accounts": 3,
        "timebank_transactions": 3,
    }
    totals = report["totals"]
    assert (totals["files"], totals["rows_read"], totals["rows_stored"], totals["rows_quarantined"]) == (9, 53, 28, 25)
    assert "key_fingerprint" not in report  # a short key could be recovered from it


def test_overlapping_exports_are_never_doubled(city_store):
    records = voldata.load("service_records", store=city_store, years=[2019])
    assert sorted(records["record_id"]) == ["R900", "R901", "R902"]
    by_file = {e["file"]: e for e in ingest_report(city_store)["files"]}
    assert by_file["december/service_records_2019_12_a.csv"]["rows_stored"] == 2
    later = by_file["december/service_records_2019_12_b.csv"]
    assert (later["rows_read"], later["rows_stored"], later["reasons"]) == (3, 1, {"duplicate": 2})


def test_person_keys_link_sources(city_store):
    volunteers = voldata.load("volunteers", store=city_store)
    accounts = voldata.load("timebank_accounts", store=city_store)
    reports = voldata.load("party_reports", store=city_store)
    key_a = volunteers.loc[volunteers["volunteer_id"] == "V001", "person_key"].item()
    assert key_a == _person_key(MAKE.ID_A)
    assert key_a == accounts.loc[accounts["account_id"] == "TB1", "person_key"].item()
    assert key_a in set(reports["person_key"])


def _pii_strings() -> list[str]:
    """Every name, ID number and phone number in the city fixtures."""
    found = set(MAKE.IDS.values()) | {MAKE.ID_D.upper(), "E1234567"}
    for path in CITY.rglob("*.csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                frame = pd.read_csv(path, dtype=str, encoding=encoding)
                break
            except UnicodeDecodeError:
                continue
        for header in ("姓名", "手机号码", "联系电话", "负责人", "联系人", "证件号码", "所在单位"):
            if header in frame:
                found |= {v for v in frame[header].dropna()}
    found |= {"张一", "李二", "王三", "钱五"}  # names in the workbook
    return sorted(found)


def store_text(store) -> str:
    """Everything the store holds, decompressed, as one text: parquet values, JSON, and raw bytes."""
    parts = []
    for path in sorted(p for p in store.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        parts.append(raw.decode("utf-8", errors="ignore"))
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            parts.append(table.to_pandas().astype(str).to_csv())
            parts.append(str(pq.read_metadata(path).metadata))
    return "\n".join(parts)


def test_no_pii_anywhere_in_the_store(city_store):
    text = store_text(city_store)
    pii = _pii_strings()
    assert len(pii) > 15
    leaked = [s for s in pii if s in text]
    assert leaked == []


def test_every_file_has_the_canonical_schema_and_is_sorted(city_store):
    for name in TABLE_ORDER:
        spec = TABLES[name]
        for path in sorted((city_store / name).rglob("*.parquet")):
            assert pq.read_schema(path).remove_metadata() == arrow_schema(spec)
            frame = pl.read_parquet(path)
            assert frame.equals(frame.sort(list(spec.key), nulls_last=True))
    partitions = sorted(p.relative_to(city_store).as_posix() for p in city_store.rglob("*.parquet"))
    assert "service_records/year=2019/part-0.parquet" in partitions
    assert "teams/part-0.parquet" in partitions


def test_load_gives_canonical_dtypes_and_honours_years_and_columns(city_store):
    records = voldata.load("service_records", store=city_store)
    assert isinstance(records["status"].dtype, pd.CategoricalDtype)
    assert records["hours"].dtype == "float64"
    assert str(records["sign_in_at"].dtype).startswith("datetime64")
    volunteers = voldata.load("volunteers", store=city_store)
    assert volunteers["id_valid"].dtype == "boolean" and volunteers["birth_year"].dtype == "Int16"
    only_2020 = voldata.load("service_records", store=city_store, years=[2020], columns=["record_id", "hours"])
    assert list(only_2020.columns) == ["record_id", "hours"]
    assert sorted(only_2020["record_id"]) == ["R001", "R002", "R003", "R005"]
    assert voldata.scan("service_records", store=city_store, years=[2019]).collect().height == 3


def test_reingest_is_byte_identical(city_store, tmp_path):
    before = file_bytes(city_store)
    other = tmp_path / "again"
    ingest([CITY], store=other, key=KEY, progress=False)
    assert file_bytes(other) == before
    ingest([CITY], store=other, key=KEY, progress=False)  # over an existing store
    assert file_bytes(other) == before


def test_a_failure_mid_write_leaves_the_previous_store_exactly(city_store, tmp_path, monkeypatch):
    store = tmp_path / "store"
    shutil.copytree(city_store, store)
    before = file_bytes(store)
    real_write_table = writer.write_table
    calls = []

    def failing_write_table(frame, spec, root):
        calls.append(spec.name)
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        real_write_table(frame, spec, root)

    monkeypatch.setattr("voldata.ingest.pipeline.write_table", failing_write_table)
    with pytest.raises(OSError, match="simulated"):
        ingest(
            [CITY / "volunteers_utf8.csv", CITY / "teams_bom.csv", CITY / "party_reports.csv"],
            store=store,
            key=KEY,
            progress=False,
        )
    assert len(calls) == 3
    assert file_bytes(store) == before
    assert _beside(store) == ["store"]  # no temporary folders left behind


def test_a_failure_in_the_swap_restores_the_previous_store(city_store, tmp_path, monkeypatch):
    """Where the two paths cannot be exchanged in one step, a failed second rename puts the old store back."""
    from voldata import folders

    store = tmp_path / "store"
    shutil.copytree(city_store, store)
    before = file_bytes(store)
    real_rename = folders.os.rename

    def failing_rename(src, dst):
        if str(src).endswith("new"):
            raise OSError("rename failed (simulated)")
        return real_rename(src, dst)

    monkeypatch.setattr(folders, "_exchange", lambda a, b: False)
    monkeypatch.setattr(folders.os, "rename", failing_rename)
    with pytest.raises(OSError, match="simulated"):
        ingest([CITY / "teams_bom.csv"], store=store, key=KEY, progress=False)
    assert file_bytes(store) == before
    assert _beside(store) == ["store"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("记录编号,活动编号\nR1,A1\n", "not a known export table"),
        ("记录编号,志愿者编号,活动编号,服务时长\nR1,V1,A1,2\n", "服务日期"),
    ],
)
def test_an_unusable_file_stops_before_the_store_is_touched(city_store, city_copy, tmp_path, content, message):
    store = tmp_path / "store"
    shutil.copytree(city_store, store)
    before = file_bytes(store)
    (city_copy / "zz_bad.csv").write_text(content, encoding="utf-8")
    with pytest.raises(IngestError, match=message) as error:
        ingest([city_copy], store=store, key=KEY, progress=False)
    assert "zz_bad.csv" in str(error.value)
    assert file_bytes(store) == before


def test_a_folder_that_is_not_a_store_is_never_replaced(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(IngestError, match="not a voldata store"):
        ingest([CITY / "teams_bom.csv"], store=folder, key=KEY, progress=False)
    assert (folder / "thesis.docx").read_bytes() == b"precious"


def test_an_empty_key_is_refused(tmp_path):
    with pytest.raises(IngestError, match="empty"):
        ingest([CITY], store=tmp_path / "s", key="", progress=False)
    assert not (tmp_path / "s").exists()


def _cli(*args, env_key=None, cwd=None):
    env = {k: v for k, v in __import__("os").environ.items() if k != "VOLDATA_KEY"}
    if env_key is not None:
        env["VOLDATA_KEY"] = env_key
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from voldata.commands import ingest as c; import argparse;"
            "p = argparse.ArgumentParser(allow_abbrev=False); c.add_arguments(p); "
            "sys.exit(c.run(p.parse_args(sys.argv[1:])))",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
    )


def test_cli_without_a_key_refuses(tmp_path):
    result = _cli(str(CITY), "--store", str(tmp_path / "s"))
    assert result.returncode == 2
    assert result.stderr.startswith("voldata ingest: no pseudonymisation key")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "s").exists()


def test_cli_with_key_file_and_a_user_error(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    ok = _cli(str(CITY), "--store", str(tmp_path / "s"), "--key-file", str(key_file), "--quiet")
    assert ok.returncode == 0, ok.stderr
    assert ingest_report(tmp_path / "s")["totals"]["rows_stored"] == 28
    bad = _cli(str(tmp_path / "missing"), "--store", str(tmp_path / "s"), "--key-file", str(key_file))
    assert bad.returncode == 2
    assert "voldata ingest:" in bad.stderr and "missing" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_reports_skipped_files_on_stderr(tmp_path):
    result = _cli(str(CITY), "--store", str(tmp_path / "s"), env_key=KEY)
    assert result.returncode == 0
    assert "faults.txt" in result.stderr


def test_a_generator_fault_list_is_skipped_not_an_error(city_copy, tmp_path):
    (city_copy / "faults.csv").write_text(
        "file,sheet,row_number,table,fault,expected,column,value\nteams_bom.csv,,6,teams,duplicate,duplicate,,\n",
        encoding="utf-8",
    )
    report = ingest([city_copy], store=tmp_path / "store", key=KEY, progress=False)
    assert report["skipped_files"] == ["faults.csv", "faults.txt"]
    assert "faults.csv" not in {entry["file"] for entry in report["files"]}
    assert report["totals"]["rows_stored"] == 28
    q = quarantine(tmp_path / "store")
    assert set(q["file"]) <= {entry["file"] for entry in report["files"]}


def test_a_store_inside_the_raw_folder_is_not_read_and_reingest_is_identical(city_copy):
    store = city_copy / "store"
    first = ingest([city_copy], store=store, key=KEY, progress=False)
    before = file_bytes(store)
    second = ingest([city_copy], store=store, key=KEY, progress=False)
    assert first == second
    assert file_bytes(store) == before
    assert second["skipped_files"] == ["faults.txt"]


def test_rows_of_one_year_from_several_exports_are_merged_in_key_order(tmp_path):
    spec = TABLES["service_records"]
    rows = pl.DataFrame(
        {
            "record_id": ["R3", "R1", "R2", "R0"],
            "volunteer_id": ["V1"] * 4,
            "activity_id": ["A1"] * 4,
            "service_date": [dt.date(2019, 12, 30), dt.date(2019, 12, 1), dt.date(2020, 1, 2), dt.date(2019, 11, 5)],
            "sign_in_at": [None] * 4,
            "sign_out_at": [None] * 4,
            "hours": [1.0, 2.0, 3.0, 4.0],
            "record_method": ["manual"] * 4,
            "status": ["approved"] * 4,
        },
        schema_overrides={"sign_in_at": pl.Datetime("us"), "sign_out_at": pl.Datetime("us")},
    )
    writer.write_table(rows.head(2), spec, tmp_path / "by_file")  # a 2019 export
    writer.write_table(rows.tail(2), spec, tmp_path / "by_file")  # a 2020 export holding 2019 rows too
    writer.write_table(rows, spec, tmp_path / "at_once")
    assert file_bytes(tmp_path / "by_file") == file_bytes(tmp_path / "at_once")
    year_2019 = pl.read_parquet(tmp_path / "by_file" / "service_records" / "year=2019" / "part-0.parquet")
    assert year_2019["record_id"].to_list() == ["R0", "R1", "R3"]


def test_a_gb18030_export_with_bad_bytes_stops_the_ingest_untouched(city_store, city_copy, tmp_path):
    """Non-UTF-8 exports are copied to UTF-8 ahead of their turn; a bad byte still names the file and stops."""
    store = tmp_path / "store"
    shutil.copytree(city_store, store)
    before = file_bytes(store)
    header = "队伍编号,队伍名称,队伍类型\n".encode("gb18030")
    rows = "".join(f"T{i},石牌党员服务队,党员志愿服务队\n" for i in range(100, 5000)).encode("gb18030")
    # The bad bytes lie past the part read to recognise the table.
    (city_copy / "zz_teams.csv").write_bytes(header + rows + b"T9,\x81\x30\xff\xff,x\n")
    offset = len(header + rows + b"T9,")  # where the broken four-byte character starts
    with pytest.raises(
        IngestError, match=rf"zz_teams.csv: cannot decode the file as UTF-8 or GB18030 \(bad bytes near byte {offset}\)"
    ):
        ingest([city_copy], store=store, key=KEY, progress=False)
    assert file_bytes(store) == before
    assert _beside(store) == ["raw", "store"]


def test_exports_read_in_small_batches_give_the_same_store(city_store, tmp_path, monkeypatch):
    """A CSV read and staged a few rows at a time: the same store, quarantine (row numbers, order) and report."""
    from voldata.ingest import pipeline

    heights = []
    real_stage = pipeline.stage

    def counting_stage(spec, raw, **kwargs):
        heights.append(raw.height)
        return real_stage(spec, raw, **kwargs)

    monkeypatch.setattr(pipeline, "BATCH_ROWS", 2)
    monkeypatch.setattr(pipeline, "stage", counting_stage)
    ingest([CITY], store=tmp_path / "store", key=KEY, progress=False)
    assert len(heights) > 2 * len(ingest_report(city_store)["files"])  # the CSVs did come in batches
    assert file_bytes(tmp_path / "store") == file_bytes(city_store)


def test_of_two_unusable_files_the_first_in_input_order_is_reported(tmp_path):
    """Files are read two at a time: the error named is still the first file's, though the second fails sooner."""
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = b"\n".join(f"T{i},team,x".encode() for i in range(50_000))
    late = "队伍编号,队伍名称,队伍类型\n".encode() + rows + "\nT9,石牌党员服务队,x\n".encode("gb18030")
    (raw / "a_mixed.csv").write_bytes(late)  # found bad only once read to the end
    (raw / "b_unknown.csv").write_text("记录编号,活动编号\nR1,A1\n", encoding="utf-8")  # bad at its header
    with pytest.raises(IngestError, match="a_mixed.csv: starts as UTF-8"):
        ingest([raw], store=tmp_path / "store", key=KEY, progress=False)
    assert not (tmp_path / "store").exists()


def test_a_failed_file_stops_the_file_read_beside_it_at_its_next_batch(tmp_path, monkeypatch):
    """An error (or Ctrl-C) ends the run in seconds: the other file being read does not go on to its end."""
    import threading
    import time

    from voldata.ingest import pipeline

    raw = tmp_path / "raw"
    raw.mkdir()
    header = "队伍编号,队伍名称,队伍类型,所属区\n"
    (raw / "a_teams.csv").write_text(header + "T0,队0,社区志愿服务队,天河区\n", encoding="utf-8")
    teams = "".join(f"T{i},队{i},社区志愿服务队,天河区\n" for i in range(1, 41))
    (raw / "b_teams.csv").write_text(header + teams, encoding="utf-8")
    batches, reading_b = [], threading.Event()
    real_stage = pipeline.stage

    def stage_or_fail(spec, raw, **kwargs):
        if raw["_file"][0] == 0:  # the first file fails once the second is being read
            reading_b.wait(10)
            raise RuntimeError("planted failure")
        batches.append(raw.height)
        reading_b.set()
        time.sleep(0.05)  # so that the run ends while b's batches are still being read
        return real_stage(spec, raw, **kwargs)

    monkeypatch.setattr(pipeline, "BATCH_ROWS", 2)
    monkeypatch.setattr(pipeline, "stage", stage_or_fail)
    with pytest.raises(RuntimeError, match="planted failure"):
        ingest([raw], store=tmp_path / "store", key=KEY, progress=False)
    assert 1 <= len(batches) <= 5  # of b's 20 batches of two rows: stopped, not read to the end
    assert not (tmp_path / "store").exists()
