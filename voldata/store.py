"""The canonical store: layout, and reading it back (eagerly for people, lazily for the engine).

Layout of a store folder ``STORE``::

    STORE/<table>/year=<YYYY>/part-0.parquet   tables with a partition date
    STORE/<table>/part-0.parquet               tables without one (teams, timebank_accounts)
    STORE/quarantine/part-0.parquet            rows that could not be stored, with reasons
    STORE/ingest_report.json                   per input file: rows read, stored, quarantined

Every ``STORE/<table>/**/*.parquet`` file is plain Parquet that any reader opens;
the year lives in the folder name only (no hive column inside the files).
Read in name order, a table's files give its rows in key order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from voldata import reference
from voldata.schema import TABLE_ORDER, VOCABULARY_LEVELS, Table
from voldata.schema import table as get_table

__all__ = [
    "load",
    "scan",
    "tables",
    "table_files",
    "store_years",
    "ingest_report",
    "quarantine",
    "category_levels",
    "arrow_schema",
    "ARROW_TYPES",
    "partition_dir",
    "QUARANTINE",
    "REPORT_FILE",
    "PART_FILE",
]

QUARANTINE = "quarantine"
REPORT_FILE = "ingest_report.json"
PART_FILE = "part-0.parquet"
_YEAR_DIR = re.compile(r"^year=(\d{4})$")


def partition_dir(store: str | Path, table_name: str, year: int | None = None) -> Path:
    """Folder of one table (and one year, for partitioned tables) in a store."""
    folder = Path(store) / table_name
    return folder if year is None else folder / f"year={year}"


def _check_store(store: str | Path) -> Path:
    store = Path(store)
    if not (store / REPORT_FILE).is_file():
        raise FileNotFoundError(
            f"{store} is not a voldata store (no {REPORT_FILE}); build one with `voldata ingest RAW --store {store}`"
        )
    return store


def store_years(store: str | Path, table_name: str = "service_records") -> list[int]:
    """Years present in a partitioned table of the store, ascending."""
    folder = partition_dir(_check_store(store), table_name)
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.iterdir() if (m := _YEAR_DIR.match(p.name)))


def table_files(store: str | Path, table_name: str, *, years: Iterable[int] | None = None) -> list[Path]:
    """The Parquet files holding ``table_name``, restricted to ``years`` for partitioned tables.

    Unpartitioned tables ignore ``years``: they are small and always read whole.
    """
    store = _check_store(store)
    spec = get_table(table_name)
    folder = partition_dir(store, table_name)
    if spec.partition_by is None or years is None:
        return sorted(folder.rglob("*.parquet"))
    return sorted(f for y in sorted(set(years)) for f in partition_dir(store, table_name, y).glob("*.parquet"))


def category_levels(vocabulary: str) -> list[str]:
    """The categorical levels of a vocabulary (district codes, categories and target groups from reference data)."""
    if vocabulary == "district_code":
        return list(reference.districts()["district_code"])
    if vocabulary == "category":
        return list(reference.categories()["code"])
    if vocabulary == "target_group":
        return list(reference.target_groups()["code"])
    return VOCABULARY_LEVELS[vocabulary]


ARROW_TYPES = {
    "str": pa.string(),
    "code": pa.string(),
    "bool": pa.bool_(),
    "int": pa.int64(),
    "year": pa.int16(),
    "float": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
}


def arrow_schema(spec: Table) -> pa.Schema:
    """The Parquet schema of a canonical table: every store file of the table has exactly this schema."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.kind]) for c in spec.columns])


def _empty_arrow_schema(spec: Table, columns: Sequence[str]) -> pa.Table:
    return arrow_schema(spec).empty_table().select(list(columns))


def _to_pandas_dtypes(frame: pd.DataFrame, spec: Table) -> pd.DataFrame:
    for col in frame.columns:
        if col not in spec.column_names:
            continue
        column = spec.column(col)
        if column.kind == "code":
            frame[col] = pd.Categorical(frame[col], categories=category_levels(column.vocabulary))
        elif column.kind == "date":
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ms]")
        elif column.kind == "bool":
            frame[col] = frame[col].astype("boolean")
        elif column.kind == "int":
            frame[col] = frame[col].astype("Int64")
        elif column.kind == "year":
            frame[col] = frame[col].astype("Int16")
        elif column.kind == "float":
            frame[col] = frame[col].astype("float64")
    return frame


def load(
    table_name: str,
    *,
    store: str | Path,
    years: Iterable[int] | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read one canonical table from the store into pandas.

    Parameters
    ----------
    table_name : {"volunteers", "party_reports", "teams", "activities", "service_records", \
                  "timebank_accounts", "timebank_transactions"}
        The canonical table.
    store : str or Path
        The store folder written by ``voldata ingest``.
    years : iterable of int, optional
        Read only these years' partitions (partitioned tables only; the year of
        the table's partition date). Default: all years.
    columns : sequence of str, optional
        Read only these columns. Default: all.

    Returns
    -------
    DataFrame
        Vocabulary columns as categoricals, dates and datetimes as
        ``datetime64``, hours as float64, nullable integers and booleans.
    """
    spec = get_table(table_name)
    columns = list(columns) if columns is not None else spec.column_names
    unknown = [c for c in columns if c not in spec.column_names]
    if unknown:
        raise KeyError(f"table {table_name!r} has no column(s) {unknown}; it has {spec.column_names}")
    files = table_files(store, table_name, years=years)
    if files:
        arrow = pq.ParquetDataset([str(f) for f in files]).read(columns=columns)
    else:
        arrow = _empty_arrow_schema(spec, columns)
    return _to_pandas_dtypes(arrow.to_pandas(), spec)


def scan(
    table_name: str,
    *,
    store: str | Path,
    years: Iterable[int] | None = None,
) -> pl.LazyFrame:
    """Read one canonical table lazily with Polars (the fast engine of the indicator suite).

    Parameters are as for :func:`load`; columns are chosen by the query itself
    (projection pushdown), so there is no ``columns`` argument.
    """
    spec = get_table(table_name)
    files = table_files(store, table_name, years=years)
    if not files:
        return pl.from_arrow(_empty_arrow_schema(spec, spec.column_names)).lazy()
    return pl.scan_parquet([str(f) for f in files], hive_partitioning=False)


def tables(
    store: str | Path,
    *,
    engine: str = "polars",
    years: Iterable[int] | None = None,
    spark_master: str | None = None,
    spark_conf: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """All canonical tables of a store, as the indicator functions take them.

    Parameters
    ----------
    store : str or Path
        The store folder. For ``engine="spark"`` any path Spark reads, given as
        a string: a local folder, ``hdfs://…``, ``s3a://…``.
    engine : {"polars", "pandas", "spark"}
        ``"polars"``: lazy frames (nothing is read until an indicator asks);
        ``"pandas"``: DataFrames read now; ``"spark"``: PySpark DataFrames
        (lazy, computed on the session's cluster; needs ``voldata[spark]``).
    years : iterable of int, optional
        Restrict partitioned tables to these years. Default: all years (the
        indicators need earlier years for cumulative figures and growth).
    spark_master : str, optional
        ``engine="spark"`` only: the master URL of a new session (see
        :func:`voldata.spark.session`). Default: the active session if any,
        else ``local[*]``.
    spark_conf : mapping of str to str, optional
        ``engine="spark"`` only: Spark settings, e.g. ``{"spark.driver.memory": "8g"}``.

    Raises
    ------
    voldata.spark.SparkUnavailable
        ``engine="spark"`` where PySpark or Java is missing (the message says what to install).
    """
    if engine == "spark":
        from voldata import spark

        session = spark.session(spark_master, spark_conf)
        spark.check_store(session, store)
        return spark.read_tables(session, store, years=years)
    if spark_master is not None or spark_conf:
        raise ValueError(f"spark_master and spark_conf are for engine='spark', not {engine!r}")
    if engine == "polars":
        return {name: scan(name, store=store, years=years) for name in TABLE_ORDER}
    if engine == "pandas":
        return {name: load(name, store=store, years=years) for name in TABLE_ORDER}
    raise ValueError(f"engine must be 'polars', 'pandas' or 'spark', not {engine!r}")


def ingest_report(store: str | Path) -> dict:
    """The store's ingest report (per input file: rows read, stored, quarantined, reasons)."""
    return json.loads((_check_store(store) / REPORT_FILE).read_text(encoding="utf-8"))


def quarantine(store: str | Path) -> pd.DataFrame:
    """The store's quarantine: one row per rejected input row, with file, sheet, row number and reason."""
    files = sorted((_check_store(store) / QUARANTINE).rglob("*.parquet"))
    if not files:
        return pd.DataFrame(columns=["table", "file", "sheet", "row_number", "reason", "values"])
    return pq.ParquetDataset([str(f) for f in files]).read().to_pandas()
