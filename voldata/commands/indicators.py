"""``voldata indicators``: print a year's indicators.

City (default): one flat JSON object keyed by the spec's ids (plus ``<id>_yoy``,
the wage and population used), exactly what
:func:`voldata.indicators.city_indicators` returns.

``--by district``: the district table of
:func:`voldata.indicators.district_indicators` as CSV (UTF-8, header row, one
row per district, empty cells for missing values). It is not suppressed: it is
for the analyst's eyes; published tables go through :func:`voldata.publish.suppress`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--year", type=int, required=True, help="reference year Y (must have service records in the store)"
    )
    parser.add_argument("--store", required=True, type=Path, help="store folder written by `voldata ingest`")
    parser.add_argument(
        "--by", choices=["district"], default=None, help="print the district table (CSV) instead of the city JSON"
    )
    parser.add_argument(
        "--engine", choices=["polars", "pandas"], default="polars", help="polars (lazy, fast; default) or pandas"
    )
    parser.add_argument(
        "--population",
        type=Path,
        default=None,
        help="CSV with columns district_code,population (default: bundled census table)",
    )


def _fail(message: str) -> int:
    print(f"voldata indicators: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from voldata import reference, store

    # Validate everything before reading any data.
    if not args.store.is_dir():
        return _fail(f"store folder {args.store} does not exist")
    if not (args.store / store.REPORT_FILE).is_file():
        return _fail(f"{args.store} is not a voldata store (no {store.REPORT_FILE}); build one with `voldata ingest`")
    years = store.store_years(args.store)
    if not years:
        return _fail(f"store {args.store} has no service records")
    if args.year not in years:
        return _fail(f"year {args.year} is not in store {args.store}; its years are {', '.join(map(str, years))}")
    population = None
    if args.population is not None:
        if not args.population.is_file():
            return _fail(f"population file {args.population} does not exist")
        try:
            population = reference.population(args.population)
        except (ValueError, KeyError, UnicodeDecodeError) as error:
            return _fail(str(error))

    from voldata.indicators import city_indicators, district_indicators

    tables = store.tables(args.store, engine=args.engine)
    if args.by == "district":
        frame = district_indicators(tables, year=args.year, population=population)
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        values = city_indicators(tables, year=args.year, population=population)
        json.dump(values, sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    return 0
