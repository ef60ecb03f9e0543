"""Fixtures of the indicator tests: a small hand-made store, read by both engines.

The input CSVs in tests/fixtures/indicators/ hold canonical store values (one file
per table); they are written into a real store layout (partitioned Parquet with
the store's Arrow schema) so the tests read them through ``voldata.store.load``
and ``voldata.store.scan`` exactly as the CLI does.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from voldata import store as store_module
from voldata.schema import TABLE_ORDER, TABLES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "indicators"


def read_fixture_table(name: str) -> pa.Table:
    """One fixture CSV as an Arrow table with the store schema of ``name``."""
    spec = TABLES[name]
    raw = pd.read_csv(FIXTURES / f"{name}.csv", dtype=str, keep_default_na=False)
    columns = {}
    for column in spec.columns:
        texts = [None if text == "" else text for text in raw[column.name].tolist()]
        if column.kind == "datetime":
            values = [None if t is None else pd.Timestamp(t).to_pydatetime() for t in texts]
        elif column.kind == "date":
            values = [None if t is None else pd.Timestamp(t).date() for t in texts]
        elif column.kind == "bool":
            values = [None if t is None else t == "true" for t in texts]
        elif column.kind in ("int", "year"):
            values = [None if t is None else int(t) for t in texts]
        elif column.kind == "float":
            values = [None if t is None else float(t) for t in texts]
        else:
            values = texts
        columns[column.name] = pa.array(values, type=store_module.ARROW_TYPES[column.kind])
    return pa.table(columns, schema=store_module.arrow_schema(spec))


def write_store(folder: Path, tables: dict[str, pa.Table]) -> Path:
    """Write Arrow tables into the store layout (partitioned by year where the schema says so)."""
    for name in TABLE_ORDER:
        spec = TABLES[name]
        table = tables[name]
        if spec.partition_by is None:
            target = store_module.partition_dir(folder, name)
            target.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, target / store_module.PART_FILE)
            continue
        years = pd.to_datetime(table.column(spec.partition_by).to_pandas()).dt.year
        for year in sorted(years.unique()):
            target = store_module.partition_dir(folder, name, int(year))
            target.mkdir(parents=True, exist_ok=True)
            pq.write_table(table.filter(pa.array((years == year).tolist())), target / store_module.PART_FILE)
    (folder / store_module.REPORT_FILE).write_text(json.dumps({"files": [], "totals": {}, "tables": {}}))
    return folder


def make_store(folder: Path, volunteers: pd.DataFrame, records: pd.DataFrame) -> Path:
    """A store of simulated volunteers and their valid records, with one team and one activity.

    Volunteer columns not given get defaults (male, born 1980, masses, 荔湾, street "s");
    records need volunteer_id and service_date (a date) and become approved 2-hour QR records.
    """
    volunteers = volunteers.assign(
        id_type="resident_id",
        person_key=lambda v: "P" + v["volunteer_id"],
        id_valid=True,
        education="bachelor",
        street=volunteers.get("street", "s"),
        community="c",
    )
    for column, default in (("gender", "M"), ("birth_year", 1980), ("political_status", "masses")):
        if column not in volunteers:
            volunteers[column] = default
    if "district_code" not in volunteers:
        volunteers["district_code"] = "440103"
    records = records.assign(
        record_id=[f"R{i:07d}" for i in range(len(records))],
        activity_id="A1",
        sign_in_at=None,
        sign_out_at=None,
        hours=records.get("hours", 2.0),
        record_method="qr",
        status="approved",
    )
    frames = {
        "volunteers": volunteers,
        "service_records": records,
        "teams": pd.DataFrame(
            [
                {
                    "team_id": "T1",
                    "team_name": "t",
                    "team_type": "community",
                    "district_code": "440103",
                    "street": "s",
                    "community": "c",
                    "founded_on": dt.date(2010, 1, 1),
                }
            ]
        ),
        "activities": pd.DataFrame(
            [
                {
                    "activity_id": "A1",
                    "title": "a",
                    "team_id": "T1",
                    "category": "health",
                    "target_group": "elderly",
                    "district_code": "440103",
                    "street": "s",
                    "community": "c",
                    "start_at": dt.datetime(2018, 1, 1),
                    "end_at": None,
                    "social_work_partner": False,
                    "charity_partner": False,
                    "planned_volunteers": 10,
                }
            ]
        ),
    }
    tables = {}
    for name in TABLE_ORDER:
        schema = store_module.arrow_schema(TABLES[name])
        if name in frames:
            tables[name] = pa.Table.from_pandas(frames[name][schema.names], schema=schema, preserve_index=False)
        else:
            tables[name] = schema.empty_table()
    return write_store(folder, tables)


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory) -> Path:
    """The hand-made store (years 2019 and 2020 of service records; a few 2021 rows elsewhere)."""
    return write_store(
        tmp_path_factory.mktemp("indicator_store"), {name: read_fixture_table(name) for name in TABLE_ORDER}
    )


@pytest.fixture(scope="session")
def only_2020_store(tmp_path_factory) -> Path:
    """The same data without the 2019 partitions of service records: Y−1 is not in the store."""
    tables = {name: read_fixture_table(name) for name in TABLE_ORDER}
    records = tables["service_records"]
    years = pd.to_datetime(records.column("service_date").to_pandas()).dt.year
    tables["service_records"] = records.filter(pa.array((years != 2019).tolist()))
    return write_store(tmp_path_factory.mktemp("indicator_store_2020"), tables)


@pytest.fixture(params=["pandas", "polars"])
def engine(request) -> str:
    return request.param


@pytest.fixture
def tables(fixture_store, engine):
    """The fixture store's tables on one engine (pandas DataFrames or polars LazyFrames)."""
    return store_module.tables(fixture_store, engine=engine)


#: A small local session: one core (the suite runs on two workers), yet two partitions per shuffle so that
#: results that depend on how rows are split across partitions show up (adaptive execution off: it would
#: coalesce them into one); no UI. The tests' data are tiny, so each query's fixed cost is what counts: the
#: JVM compiles with its quick compiler only, one GC thread, and Spark interprets its plans instead of
#: generating and compiling code for each (measured on the fixture store's city and district indicators:
#: JVM CPU 83 → 33 s in a new session, 47 → 19 s in a warm one).
SPARK_TEST_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    "spark.ui.enabled": "false",
    "spark.driver.memory": "1g",
}


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark session for the whole test session (starting one takes seconds).

    PySpark comes with ``make test`` (``.[dev,spark]``); where it is missing the
    Spark tests are skipped with the install command, except in CI, where they fail.
    """
    import os

    if not os.environ.get("CI"):
        pytest.importorskip("pyspark", reason="PySpark is not installed: pip install -e '.[spark]'")
    from voldata import spark

    session = spark.session("local[1]", SPARK_TEST_CONF)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def synth_store(made_once) -> Path:
    """A small demo store (scale 0.001, 2018-2020) made by the real generator and ingest."""
    from voldata.ingest import ingest
    from voldata.synth import generate

    def make(root):
        generate(root / "raw", years=range(2018, 2021), scale=0.001, seed=2020, progress=False)
        ingest(root / "raw", store=root / "store", key="test-key-for-demo-data-only-not-secret", progress=False)

    return made_once("synth_store", make) / "store"
