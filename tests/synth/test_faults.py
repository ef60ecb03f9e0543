"""--messy: every listed fault is really in the files, one per row, and only where it is safe."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from synth_helpers import parse_dates, read_table, summary

from voldata import reference
from voldata.synth.faults import FAULT_COLUMNS

DATE_COLUMNS = {"bad_date", "fullwidth_date"}


@pytest.fixture(scope="module")
def faults(messy_raw) -> pd.DataFrame:
    frame = pd.read_csv(messy_raw / "faults.csv", dtype=str, keep_default_na=False)
    frame["row_number"] = frame["row_number"].astype(int)
    return frame


@pytest.fixture(scope="module")
def tables(messy_raw) -> dict[str, pd.DataFrame]:
    return {t: read_table(messy_raw, t) for t in summary(messy_raw)["tables"]}


def _faulty_rows(faults, tables, table):
    listed = faults[faults["table"] == table]
    rows = tables[table].merge(listed, on=["file", "sheet", "row_number"], how="inner", validate="one_to_one")
    assert len(rows) == len(listed), f"{table}: listed rows missing from the files"
    return rows


def test_fault_list_columns_and_one_fault_per_row(faults):
    assert list(faults.columns) == FAULT_COLUMNS
    assert not faults.duplicated(["file", "sheet", "row_number"]).any()
    assert set(faults["expected"]) <= {"stored", "bad_date", "orphan", "duplicate", "out_of_range"}
    assert {"bad_date", "orphan", "duplicate", "out_of_range", "stored"} <= set(faults["expected"])


def test_fault_rate_is_roughly_the_requested_rate(faults, messy_raw):
    rows = sum(summary(messy_raw)["tables"].values())
    assert 0.015 < len(faults) / rows < 0.045


def test_summary_counts_the_quarantine_faults(faults, messy_raw):
    meta = summary(messy_raw)
    quarantined = faults[faults["expected"] != "stored"].groupby("table").size()
    for table, rows in meta["tables"].items():
        assert meta["expected_stored"][table] == rows - quarantined.get(table, 0)


def test_listed_values_are_in_the_files(faults, tables):
    for table in tables:
        rows = _faulty_rows(faults, tables, table)
        valued = rows[rows["fault"] != "duplicate"]
        for _, row in valued.iterrows():
            assert row[row["column"]] == row["value"], (row["file"], row["row_number"])


def test_quarantine_faults_are_really_bad(faults, tables):
    records = _faulty_rows(faults, tables, "service_records")
    bad_dates = records[records["fault"] == "bad_date"]
    assert len(bad_dates)
    for value in bad_dates["服务日期"]:
        with pytest.raises((ValueError, pd.errors.ParserError)):
            parse_dates(pd.Series([value]))
    out_of_range = records[records["fault"] == "hours_out_of_range"]["服务时长"].astype(float)
    assert len(out_of_range) and not out_of_range.between(0, 24, inclusive="right").any()
    volunteers = set(tables["volunteers"]["志愿者编号"])
    activities = set(tables["activities"]["活动编号"])
    assert not records[records["fault"] == "orphan_volunteer"]["志愿者编号"].isin(volunteers).any()
    assert not records[records["fault"] == "orphan_activity"]["活动编号"].isin(activities).any()
    txns = _faulty_rows(faults, tables, "timebank_transactions")
    accounts = set(tables["timebank_accounts"]["账户编号"])
    assert not txns[txns["fault"] == "orphan_account"]["账户编号"].isin(accounts).any()
    points = txns[txns["fault"] == "points_out_of_range"]["时长"].astype(float)
    assert (points <= 0).all()


def test_duplicates_repeat_an_earlier_clean_row_exactly(faults, tables):
    for table, frame in tables.items():
        rows = _faulty_rows(faults, tables, table)
        duplicates = rows[rows["fault"] == "duplicate"]
        data_columns = [c for c in frame.columns if c not in ("file", "sheet", "row_number")]
        for _, row in duplicates.iterrows():
            # "copy of row N" (CSV) or "copy of SHEET row N" (XLSX)
            words = row["value"].split()
            sheet = words[2] if len(words) == 5 else ""
            original_row = int(words[-1])
            same_file = frame[frame["file"] == row["file"]].reset_index(drop=True)
            sheets = list(dict.fromkeys(same_file["sheet"]))
            position = lambda s, r, sheets=sheets: (sheets.index(s), r)  # noqa: E731
            assert position(sheet, original_row) < position(row["sheet"], row["row_number"])
            original = same_file[(same_file["sheet"] == sheet) & (same_file["row_number"] == original_row)]
            assert len(original) == 1
            assert (
                original[data_columns].iloc[0].tolist()
                == frame.loc[
                    (frame["file"] == row["file"])
                    & (frame["sheet"] == row["sheet"])
                    & (frame["row_number"] == row["row_number"]),
                    data_columns,
                ]
                .iloc[0]
                .tolist()
            )
            assert not (
                (faults["file"] == row["file"]) & (faults["sheet"] == sheet) & (faults["row_number"] == original_row)
            ).any()


def test_accepted_variants_normalise_to_good_values(faults, tables):
    lookup = reference.district_lookup()
    accepted = faults[faults["expected"] == "stored"]
    assert {"district_alias", "fullwidth_date", "fullwidth_hours", "hours_text"} <= set(accepted["fault"])
    for _, row in accepted.iterrows():
        value = unicodedata.normalize("NFKC", row["value"])
        if row["fault"] == "district_alias":
            assert "".join(value.split()) in lookup or value.lower() in lookup
            assert value not in set(reference.districts()["name_zh"])
        elif row["fault"] == "fullwidth_date":
            assert value != row["value"]
            parse_dates(pd.Series([value]))
        elif row["fault"] in ("fullwidth_hours", "fullwidth_points"):
            assert 0 < float(value) <= 24
        elif row["fault"] == "hours_text":
            assert "小时" in value
    historical = accepted[accepted["fault"] == "district_alias"]["value"]
    assert historical.isin(["东山区", "芳村区", "萝岗区", "从化市", "增城市", "东山", "芳村", "萝岗"]).any()


def test_quarantine_faults_only_in_rows_nothing_depends_on(faults, tables):
    records = tables["service_records"]
    clean_records = records.merge(faults, on=["file", "sheet", "row_number"], how="left", indicator=True)
    clean_records = clean_records[clean_records["_merge"] == "left_only"]
    quarantined = faults[(faults["expected"] != "stored") & (faults["fault"] != "duplicate")]
    for table, id_column in (("activities", "活动编号"), ("volunteers", "志愿者编号")):
        rows = _faulty_rows(quarantined, tables, table)
        assert not rows[id_column].isin(clean_records[id_column]).any(), table
    assert (
        quarantined["table"]
        .isin(["service_records", "timebank_transactions", "activities", "volunteers", "party_reports"])
        .all()
    )
