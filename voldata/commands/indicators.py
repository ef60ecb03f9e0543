"""``voldata indicators``: print a year's indicators.

City (default): one flat JSON object keyed by the spec's ids (plus ``<id>_yoy``,
the wage and population used), exactly what
:func:`voldata.indicators.city_indicators` returns.

``--by district``: the district table of
:func:`voldata.indicators.district_indicators` as CSV (UTF-8, header row, one
row per district, empty cells for missing values). It is not suppressed: it is
for the analyst's eyes; published tables go through :func:`voldata.publish.suppress`.

``--engine spark`` computes the same figures on a Spark session (``--spark-master``,
``--spark-conf KEY=VALUE``) from a store at any path Spark reads (a local folder,
``hdfs://…``, ``s3a://…``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["add_arguments", "add_spark_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--year", type=int, required=True, help="reference year Y (must have service records in the store)"
    )
    parser.add_argument(
        "--store",
        required=True,
        help="store folder written by `voldata ingest` (with --engine spark: any path Spark reads, e.g. s3a://…)",
    )
    parser.add_argument(
        "--by", choices=["district"], default=None, help="print the district table (CSV) instead of the city JSON"
    )
    parser.add_argument(
        "--engine",
        choices=["polars", "pandas", "spark"],
        default="polars",
        help="polars (lazy, fast; default), pandas, or spark (needs voldata[spark] and Java 17)",
    )
    add_spark_arguments(parser)
    parser.add_argument(
        "--population",
        type=Path,
        default=None,
        help="CSV with columns district_code,population (default: bundled census table)",
    )


def add_spark_arguments(parser: argparse.ArgumentParser) -> None:
    """``--spark-master`` and ``--spark-conf``, as ``voldata indicators`` and ``voldata build`` take them."""
    parser.add_argument(
        "--spark-master",
        default=None,
        metavar="URL",
        help="with --engine spark: master URL of the session (default: spark-submit's, else local[*])",
    )
    parser.add_argument(
        "--spark-conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="with --engine spark: a Spark setting, e.g. spark.driver.memory=8g (repeatable)",
    )


def _fail(message: str) -> int:
    print(f"voldata indicators: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from voldata import reference, store

    # Validate everything before reading any data.
    spark_options = args.spark_master is not None or args.spark_conf
    if spark_options and args.engine != "spark":
        return _fail("--spark-master and --spark-conf need --engine spark")
    population = None
    if args.population is not None:
        if not args.population.is_file():
            return _fail(f"population file {args.population} does not exist")
        try:
            population = reference.population(args.population)
        except (ValueError, KeyError, UnicodeDecodeError) as error:
            return _fail(str(error))
    if args.engine == "spark":
        from voldata import spark

        try:
            conf = spark.parse_conf(args.spark_conf)
        except ValueError as error:
            return _fail(str(error))
        print(f"voldata indicators: starting Spark ({args.spark_master or 'default master'})", file=sys.stderr)
        try:
            session = spark.session(args.spark_master, conf)
            spark.check_store(session, args.store)
        except (spark.SparkUnavailable, FileNotFoundError) as error:
            return _fail(str(error))
        years = spark.store_years(session, args.store)
    else:
        folder = Path(args.store)
        if not folder.is_dir():
            return _fail(f"store folder {folder} does not exist")
        if not (folder / store.REPORT_FILE).is_file():
            return _fail(f"{folder} is not a voldata store (no {store.REPORT_FILE}); build one with `voldata ingest`")
        years = store.store_years(folder)
    if not years:
        return _fail(f"store {args.store} has no service records")
    if args.year not in years:
        return _fail(f"year {args.year} is not in store {args.store}; its years are {', '.join(map(str, years))}")

    from voldata.indicators import city_indicators, district_indicators

    if args.engine == "spark":
        tables = spark.read_tables(session, args.store)
    else:
        tables = store.tables(folder, engine=args.engine)
    if args.by == "district":
        frame = district_indicators(tables, year=args.year, population=population)
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        values = city_indicators(tables, year=args.year, population=population)
        json.dump(values, sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    return 0
