"""``voldata ingest RAW [RAW ...] --store STORE [--key-file F]``: platform exports → canonical store."""
from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("raw", nargs="+", metavar="RAW", help="export files (.csv, .xlsx) or folders holding them")
    parser.add_argument("--store", required=True, help="store folder to (re)build")
    parser.add_argument("--key-file", default=None, help="file holding the pseudonymisation key (else $VOLDATA_KEY)")


def run(args: argparse.Namespace) -> int:
    print("voldata ingest: not implemented yet", file=sys.stderr)
    return 2
