"""Time the parts of the build's shared step at city scale: what disclosure control adds to a build.

    python benchmarks/shared_step.py --store /path/to/store --year 2020

One warm indicator context, the parts in the order the build runs them
(:func:`voldata.edition.build.compute_shared`): the year's city and district
indicators, last year's active volunteers (which last year's city indicators
need), the rest of the chapters' values, then the decision's inputs and the two
decisions. What suppression alone adds is last year's district counts and street
table and the two decisions: this year's tables are published without
suppression too. Prints seconds (one run) as a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import voldata
from voldata import indicators
from voldata.edition import districts, shared
from voldata.publish import DISTRICT_COUNTS, complete_streets, disclosure

SUPPRESSION_ONLY = (
    "last year's district counts",
    "last year's street table",
    "last year's decision",
    "this year's decision",
)


def parts(store: Path, year: int) -> dict[str, float]:
    """Seconds of each part of the shared step on one context."""
    context = indicators.Context(voldata.tables(store, engine="polars"))
    timings: dict[str, float] = {}

    def timed(name, compute):
        started = time.perf_counter()
        result = compute()
        timings[name] = time.perf_counter() - started
        return result

    timed(
        "this year's city and district indicators",
        lambda: shared.compute_indicators(context, year=year, population=None),
    )
    timed("last year's active volunteers", lambda: context.active_people(year - 1).collect())
    timed("the rest of the chapters' values", lambda: shared.chapter_values(context, year=year))
    table = timed(
        "this year's district table with the unknown row",
        lambda: indicators.district_indicators(context, year=year, unknown=True),
    )
    profile = timed("profile counts", lambda: districts.profile_counts(context, year=year))
    table = table.merge(profile, on="district_code", how="left", validate="1:1")
    streets = timed("this year's street table", lambda: indicators.street_table(context, year))
    last_table = timed(
        "last year's district counts",
        lambda: indicators.district_indicators(context, year=year - 1, unknown=True, growth=False),
    )
    last_streets = timed("last year's street table", lambda: indicators.street_table(context, year - 1))
    previous = timed(
        "last year's decision", lambda: disclosure(last_table, streets=complete_streets(last_streets, last_table))
    )
    timed(
        "this year's decision",
        lambda: disclosure(
            table,
            streets=complete_streets(streets, table),
            previous=previous,
            counts=[*DISTRICT_COUNTS, *districts.PROFILE_COUNTS],
        ),
    )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, allow_abbrev=False)
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--year", type=int, default=2020)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    timings = parts(args.store, args.year)
    print(f"load average at the start: {load:.1f}, at the end: {os.getloadavg()[0]:.1f}\n")
    print("| part of the shared step | s |\n|---|---:|")
    for name, seconds in timings.items():
        print(f"| {name} | {seconds:.2f} |")
    print(f"| **suppression only** ({', '.join(SUPPRESSION_ONLY)}) | {sum(timings[p] for p in SUPPRESSION_ONLY):.2f} |")


if __name__ == "__main__":
    main()
