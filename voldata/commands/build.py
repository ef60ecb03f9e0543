"""``voldata build``: build the annual edition (notebooks, HTML, tables) for a year."""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, required=True, help="reference year of the edition")
    parser.add_argument("--store", required=True, help="store folder written by `voldata ingest`")
    parser.add_argument("--out", required=True, help="editions folder; the edition goes to OUT/<YEAR>/")
    parser.add_argument(
        "--population", default=None, help="CSV (district_code, population) replacing the bundled population table"
    )
    parser.add_argument("--jobs", type=int, default=2, help="chapters executed in parallel (default 2)")
    parser.add_argument("--threshold", type=int, default=10, help="small-cell suppression threshold (default 10)")


def run(args: argparse.Namespace) -> int:
    from voldata.build import BuildError, build_edition
    from voldata.edition import ParameterError

    try:
        build_edition(
            year=args.year,
            store=args.store,
            out=args.out,
            population=args.population,
            jobs=args.jobs,
            threshold=args.threshold,
            log=lambda message: print(message, file=sys.stderr),
        )
    except ParameterError as error:
        print(f"voldata build: {error}", file=sys.stderr)
        return 2
    except BuildError as error:
        print(f"voldata build: {error}", file=sys.stderr)
        return 1
    return 0
