"""Reading the store on Spark: the session, and the canonical tables as PySpark DataFrames.

The indicator functions are written with narwhals, so the same code runs on the
DataFrames returned here (``voldata.tables(store, engine="spark")``). The store
path is whatever Spark reads: a local folder, ``hdfs://…`` or ``s3a://…``; it is
joined with ``/`` and never touched by the local file system.

PySpark is an optional dependency (``pip install 'voldata[spark]'``) and needs
Java 17 or newer; :func:`session` says so in one line when either is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any

from voldata.schema import TABLE_ORDER, TABLES
from voldata.store import REPORT_FILE

__all__ = [
    "SparkUnavailable",
    "session",
    "check_store",
    "parse_conf",
    "read_table",
    "read_tables",
    "store_years",
    "DEFAULT_MASTER",
    "DEFAULT_CONF",
]

DEFAULT_MASTER = "local[*]"
#: Settings of a session voldata starts itself (an existing session is used as it is).
#: Store datetimes are wall-clock times without a zone: UTC keeps Spark from shifting them.
DEFAULT_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
}
INSTALL_PYSPARK = "pip install 'voldata[spark]'"
INSTALL_JAVA = "apt-get install openjdk-17-jre-headless"

_YEAR_DIR = re.compile(r"/year=(\d{4})/")
_SPARK_TYPES = {
    "str": "string",
    "code": "string",
    "bool": "boolean",
    "int": "bigint",
    "year": "smallint",
    "float": "double",
    "date": "date",
    "datetime": "timestamp_ntz",
}


class SparkUnavailable(RuntimeError):
    """Spark cannot run here (PySpark not installed, no Java); the message says how to fix it."""


def _java_found() -> bool:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(os.path.join(java_home, "bin", "java"), os.X_OK):
        return True
    return shutil.which("java") is not None


def parse_conf(pairs: Iterable[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings (as ``--spark-conf`` gives them) as a dict; a pair without ``=`` is an error."""
    conf = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"Spark setting {pair!r} is not KEY=VALUE")
        conf[key.strip()] = value.strip()
    return conf


def session(master: str | None = None, conf: Mapping[str, str] | None = None):
    """The Spark session to compute on.

    Parameters
    ----------
    master : str, optional
        Spark master URL (``local[*]``, ``local[2]``, ``spark://host:7077``, ``yarn``…).
        Default: the active session if there is one (as in a notebook attached to
        a cluster); under ``spark-submit``, the master it was given; else a new
        ``local[*]`` session.
    conf : mapping of str to str, optional
        Spark settings for a new session (e.g. ``{"spark.driver.memory": "8g"}``),
        on top of :data:`DEFAULT_CONF`. Of an existing session only the settings
        that may change at run time (``spark.sql.*``) are applied.

    Raises
    ------
    SparkUnavailable
        PySpark is not installed or no Java runtime is found.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable(f"PySpark is not installed; install it with: {INSTALL_PYSPARK}") from None
    # PySpark warns about pandas 3 on every collect; results here go through Arrow and are checked against Polars.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    conf = dict(conf or {})
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        for key, value in conf.items():
            if key.startswith("spark.sql."):
                active.conf.set(key, value)
        return active
    if "PYSPARK_GATEWAY_PORT" not in os.environ and not _java_found():
        raise SparkUnavailable(f"Spark needs Java 17 or newer and none was found; install it with: {INSTALL_JAVA}")
    builder = SparkSession.builder.appName("voldata")
    # Under spark-submit (which starts the JVM and sets the gateway port) its --master stands.
    if master is not None or "PYSPARK_GATEWAY_PORT" not in os.environ:
        builder = builder.master(master or DEFAULT_MASTER)
    for key, value in {**DEFAULT_CONF, **conf}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    return spark


def check_store(spark, store: str | os.PathLike) -> None:
    """Raise FileNotFoundError unless ``store`` holds a voldata store (its ingest report), on any file system."""
    from pyspark.errors import AnalysisException

    try:
        spark.read.text(_join(store, REPORT_FILE))
    except AnalysisException as error:
        if "PATH_NOT_FOUND" not in str(error):
            raise
        raise FileNotFoundError(
            f"{store} is not a voldata store (no {REPORT_FILE}); build one with `voldata ingest RAW --store STORE`"
        ) from None


def _join(store: str | os.PathLike, *parts: str) -> str:
    """A path inside the store as Spark reads it (URIs are kept as they are: no local path handling)."""
    root = os.fspath(store) if isinstance(store, PurePath) else str(store)
    return "/".join([root.rstrip("/"), *parts])


def _schema(name: str) -> str:
    return ", ".join(f"`{c.name}` {_SPARK_TYPES[c.kind]}" for c in TABLES[name].columns)


def read_table(spark, store: str | os.PathLike, name: str, *, years: Iterable[int] | None = None):
    """One canonical table of the store as a PySpark DataFrame (nothing is read until it is used).

    The schema is the store's own, so no file footer is read to plan the query
    and a table without files is an empty DataFrame. The ``year=YYYY`` folders
    become a partition column only long enough to prune the years not asked for.
    """
    from pyspark.errors import AnalysisException

    try:
        frame = spark.read.schema(_schema(name)).parquet(_join(store, name))
    except AnalysisException as error:
        if "PATH_NOT_FOUND" not in str(error):
            raise
        return spark.createDataFrame([], _schema(name))
    if "year" not in frame.columns:
        return frame
    if years is not None:
        frame = frame.where(frame["year"].isin(sorted({int(y) for y in years})))
    return frame.drop("year")


def read_tables(spark, store: str | os.PathLike, *, years: Iterable[int] | None = None) -> dict[str, Any]:
    """Every canonical table of the store as a PySpark DataFrame, as the indicator functions take them."""
    return {name: read_table(spark, store, name, years=years) for name in TABLE_ORDER}


def store_years(spark, store: str | os.PathLike, table_name: str = "service_records") -> list[int]:
    """Years present in a partitioned table of the store, from its file listing (no data is read)."""
    frame = read_table(spark, store, table_name)
    return sorted({int(m.group(1)) for f in frame.inputFiles() if (m := _YEAR_DIR.search(f))})
