"""``voldata build``: build the annual edition (notebooks, HTML, tables) for a year."""
from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, required=True, help="reference year of the edition")
    parser.add_argument("--store", required=True, help="store folder written by `voldata ingest`")
    parser.add_argument("--out", required=True, help="editions folder; the edition goes to OUT/<YEAR>/")
    parser.add_argument("--population", default=None, help="CSV (district_code, population) replacing the bundled table")
    parser.add_argument("--jobs", type=int, default=2, help="chapters run in parallel (default 2)")
    parser.add_argument("--threshold", type=int, default=10, help="small-cell suppression threshold (default 10)")


def run(args: argparse.Namespace) -> int:
    print("voldata build: not implemented yet", file=sys.stderr)
    return 2
