"""Demo exports through the real loaders: synth -> ingest -> store, reconciled with what synth wrote."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from synth_helpers import summary

from voldata import ingest as ingest_module

KEY = "synth-end-to-end-test-key-0123456789"


def _expected_quarantine(raw) -> set[tuple[str, str, int, str]]:
    faults = pd.read_csv(raw / "faults.csv", dtype=str, keep_default_na=False)
    faults = faults[faults["expected"] != "stored"]
    return set(zip(faults["file"], faults["sheet"], faults["row_number"].astype(int), faults["expected"]))


def _quarantine(store) -> pd.DataFrame:
    return pd.read_parquet(store / "quarantine" / "part-0.parquet")


def test_clean_exports_are_stored_whole(clean_raw, tmp_path):
    store = tmp_path / "store"
    report = ingest_module.ingest([clean_raw], store=store, key=KEY, progress=False)
    meta = summary(clean_raw)
    assert report["tables"] == meta["tables"]
    assert len(_quarantine(store)) == 0
    rows_read = {f["file"]: f["rows_read"] for f in report["files"]}
    assert rows_read == {f["file"]: f["rows"] for f in meta["files"]}
    # PII never reaches the store.
    for table in meta["tables"]:
        for path in (store / table).rglob("*.parquet"):
            names = set(pd.read_parquet(path).columns)
            assert not names & {"姓名", "证件号码", "手机号码", "name", "id_number", "phone"}


@pytest.fixture(scope="module")
def messy_store(messy_raw, tmp_path_factory):
    """The messy exports ingested as the generator wrote them, and the ingest report."""
    store = tmp_path_factory.mktemp("synth_e2e") / "store"
    report = ingest_module.ingest([messy_raw], store=store, key=KEY, progress=False)
    return store, report


def _negative_hours(raw) -> set[tuple[str, str, int]]:
    faults = pd.read_csv(raw / "faults.csv", dtype=str, keep_default_na=False)
    negative = faults[(faults["fault"] == "hours_out_of_range") & (faults["value"] == "-1")]
    return set(zip(negative["file"], negative["sheet"], negative["row_number"].astype(int)))


def test_messy_quarantine_is_exactly_the_injected_faults(messy_raw, messy_store):
    store, report = messy_store
    expected = _expected_quarantine(messy_raw)
    quarantine = _quarantine(store)
    found = set(
        zip(quarantine["file"], quarantine["sheet"], quarantine["row_number"].astype(int), quarantine["reason"])
    )
    # The same rows, each for the reason the generator listed.
    assert found == expected
    assert report["tables"] == summary(messy_raw)["expected_stored"]
    # The report's own bookkeeping: rows read = stored + quarantined, per file.
    for entry in report["files"]:
        assert entry["rows_read"] == entry["rows_stored"] + entry["rows_quarantined"]
    json.dumps(report)  # plain data


def test_negative_hours_are_quarantined_as_out_of_range(messy_raw, messy_store):
    store, _ = messy_store
    quarantine = _quarantine(store)
    negative = _negative_hours(messy_raw)
    rows = quarantine[
        [
            (f, s, int(r)) in negative
            for f, s, r in zip(quarantine["file"], quarantine["sheet"], quarantine["row_number"])
        ]
    ]
    assert len(rows) == len(negative)
    assert set(rows["reason"]) == {"out_of_range"}


def test_accepted_variants_are_stored_with_the_right_values(messy_raw, messy_store):
    import voldata

    store, _ = messy_store
    faults = pd.read_csv(messy_raw / "faults.csv", dtype=str, keep_default_na=False)
    records = voldata.load("service_records", store=store)
    text_hours = faults[faults["fault"] == "hours_text"]
    assert len(text_hours)
    values = set(records["hours"].round(2))
    for value in text_hours["value"]:
        hours = float(value.split("小时")[0]) + (
            float(value.split("小时")[1].rstrip("分") or 0) / 60 if value.split("小时")[1] else 0
        )
        assert round(hours, 2) in values


def test_ingest_takes_the_raw_folder_as_synth_wrote_it(messy_raw, tmp_path):
    report = ingest_module.ingest([messy_raw], store=tmp_path / "store", key=KEY, progress=False)
    assert report["tables"] == summary(messy_raw)["expected_stored"]
