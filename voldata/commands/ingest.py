"""``voldata ingest RAW [RAW ...] --store STORE [--key-file F]``: platform exports → canonical store."""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("raw", nargs="+", metavar="RAW", help="export files (.csv, .xlsx) or folders holding them")
    parser.add_argument("--store", required=True, metavar="STORE", help="store folder to (re)build atomically")
    parser.add_argument(
        "--key-file",
        default=None,
        metavar="F",
        help="file whose text is the pseudonymisation key (default: the VOLDATA_KEY environment variable)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    from voldata.ingest import IngestError, ingest, load_key

    try:
        key = load_key(args.key_file)
    except ValueError as error:
        print(f"voldata ingest: {error}", file=sys.stderr)
        return 2
    try:
        report = ingest(args.raw, store=args.store, key=key, progress=not args.quiet)
    except IngestError as error:
        print(f"voldata ingest: {error}", file=sys.stderr)
        return 2
    totals = report["totals"]
    print(
        f"{totals['files']} file(s): {totals['rows_read']} rows read, {totals['rows_stored']} stored, "
        f"{totals['rows_quarantined']} quarantined; report in {args.store}/ingest_report.json"
    )
    return 0
