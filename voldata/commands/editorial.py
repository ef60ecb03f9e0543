"""``voldata editorial --year Y --out DIR``: write the template of the editors' text for a year."""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, required=True, help="reference year of the edition")
    parser.add_argument("--out", required=True, help="folder to write the template into (no file in it is replaced)")


def run(args: argparse.Namespace) -> int:
    from voldata.editorial import EditorialError, write_template

    if not 1900 <= args.year <= 2100:
        print(f"voldata editorial: --year must be between 1900 and 2100, not {args.year}", file=sys.stderr)
        return 2
    try:
        written = write_template(args.out, year=args.year)
    except EditorialError as error:
        print(f"voldata editorial: {error}", file=sys.stderr)
        return 2
    print(
        f"voldata editorial: wrote {len(written)} files to {args.out}; fill the slots, then "
        f"`voldata build --year {args.year} … --editorial {args.out}`",
        file=sys.stderr,
    )
    return 0
