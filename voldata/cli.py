"""The ``voldata`` command: synth, ingest, indicators, editorial, build.

Each sub-command lives in ``voldata/commands/<name>.py`` with
``add_arguments(parser)`` and ``run(args) -> int``. Option names are never
prefix-matched (``allow_abbrev=False``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

__all__ = ["main"]

COMMANDS = {
    "synth": "generate seeded demo platform exports",
    "ingest": "read platform exports into the pseudonymised Parquet store",
    "indicators": "print a year's indicators as JSON",
    "editorial": "write the template folder of the editors' text for a year",
    "build": "build the annual edition (notebooks, HTML, tables) for a year",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voldata", description=__doc__.splitlines()[0], allow_abbrev=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        command = importlib.import_module(f"voldata.commands.{name}")
        sub_parser = sub.add_parser(name, help=help_text, description=help_text, allow_abbrev=False)
        command.add_arguments(sub_parser)
        sub_parser.set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        status = args.run(args)
        sys.stdout.flush()  # (a closed pipe shows here, not at exit)
        return status
    except KeyboardInterrupt:
        print("voldata: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`voldata indicators ... | head`): stop quietly, as a
        # command killed by SIGPIPE would. Output still buffered goes nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
