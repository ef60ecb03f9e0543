"""``voldata build``: build the annual edition (notebooks, HTML, tables) for a year."""

from __future__ import annotations

import argparse
import sys

from voldata.commands.indicators import add_spark_arguments
from voldata.edition.parameters import MAX_JOBS, PARAMETERS, ParameterError

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, required=True, help=PARAMETERS["year"].meaning)
    parser.add_argument("--store", required=True, help=PARAMETERS["store"].meaning.split(";")[0])
    parser.add_argument("--out", required=True, help="editions folder; the edition goes to OUT/<YEAR>/")
    parser.add_argument("--population", default=None, help=PARAMETERS["population"].meaning.split(";")[0])
    parser.add_argument("--jobs", type=int, default=2, help=f"chapters executed in parallel, 1-{MAX_JOBS} (default 2)")
    threshold = PARAMETERS["suppression_threshold"]
    parser.add_argument(
        "--threshold", type=int, default=threshold.default, help=f"{threshold.meaning} (default {threshold.default})"
    )
    parser.add_argument(
        "--engine",
        choices=["polars", "spark"],
        default="polars",
        help="engine of the year's shared indicators: polars (default) or spark (needs voldata[spark] and Java 17); "
        "the chapters read the store with Polars",
    )
    parser.add_argument(
        "--editorial",
        default=None,
        metavar="DIR",
        help=PARAMETERS["editorial"].meaning + " (checked before anything runs)",
    )
    parser.add_argument(
        "--lang",
        default="zh",
        help="the edition's languages, separated by commas: zh (default), en, or zh,en "
        "(English pages in OUT/<YEAR>/en/)",
    )
    parser.add_argument(
        "--licence",
        default="CC-BY-4.0",
        help="licence of the open data in OUT/<YEAR>/opendata/: CC-BY-4.0 (default), CC0-1.0 or ODC-By-1.0",
    )
    add_spark_arguments(parser)


def run(args: argparse.Namespace) -> int:
    # Deferred: the build's libraries (papermill, nbconvert, Polars) load only when a build runs,
    # not for `voldata --help` or the other commands, which build this parser too.
    from voldata.edition.build import BuildError, build_edition

    try:
        build_edition(
            year=args.year,
            store=args.store,
            out=args.out,
            population=args.population,
            jobs=args.jobs,
            threshold=args.threshold,
            engine=args.engine,
            spark_master=args.spark_master,
            spark_conf=args.spark_conf,
            editorial=args.editorial,
            languages=args.lang,
            licence=args.licence,
            log=lambda message: print(message, file=sys.stderr),
        )
    except ParameterError as error:
        print(f"voldata build: {error}", file=sys.stderr)
        return 2
    except BuildError as error:
        print(f"voldata build: {error}", file=sys.stderr)
        return 1
    return 0
