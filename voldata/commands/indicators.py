"""``voldata indicators``: print a year's indicators as JSON."""
from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, required=True, help="reference year Y")
    parser.add_argument("--store", required=True, help="store folder written by `voldata ingest`")
    parser.add_argument("--by", choices=["district"], default=None, help="print the district table instead")
    parser.add_argument("--engine", choices=["polars", "pandas"], default="polars")
    parser.add_argument("--population", default=None, help="CSV with district_code,population")


def run(args: argparse.Namespace) -> int:
    print("voldata indicators: not implemented yet", file=sys.stderr)
    return 2
