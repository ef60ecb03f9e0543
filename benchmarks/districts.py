"""Time what the district chapter computes beyond the shared indicators: the decision and the eleven profiles.

    python benchmarks/districts.py --store /path/to/store --year 2020 --runs 3

Each run opens the store afresh (a new indicator context, as a chapter's kernel
does) and times, in order:

* ``decision``: :func:`voldata.edition.districts.district_publication` (this year's
  and last year's district and street tables, the profile counts, the decision),
  which chapters 04 and 05 each compute;
* ``profile data``: the profiles' aggregates (teams by district and type, party
  teams and time-bank points, monthly hours, recurring projects);
* ``profile tables``: the eleven headline tables and street, project tables;
* ``profile figures``: the eleven monthly figures drawn and saved (PNG + SVG).

Prints medians (seconds) as a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import voldata  # noqa: E402
from voldata import figures, indicators, reference  # noqa: E402
from voldata.edition import analysis  # noqa: E402
from voldata.edition import districts as d  # noqa: E402


def one_run(store: Path, year: int, out: Path) -> dict[str, float]:
    timings: dict[str, float] = {}
    tables = voldata.tables(store, engine="polars")
    context = indicators.Context(tables)
    city = json.loads(json.dumps(indicators.city_indicators(context, year=year), default=float))

    started = time.perf_counter()
    publication = d.district_publication(context, year=year)
    timings["decision"] = time.perf_counter() - started
    context = indicators.Context(tables)  # the profiles run in chapter 04's kernel, on a context of its own

    started = time.perf_counter()
    teams = analysis.team_types(tables, year, by_district=True)
    activity = d.district_activity(tables, year=year, teams=teams)
    months = d.monthly_hours(context, year=year)
    projects = analysis.recurring_projects(tables, year, volunteers=False)
    timings["profile data"] = time.perf_counter() - started

    started = time.perf_counter()
    d.profile_table(publication, activity)
    streets = d.sorted_streets(publication.street_table())
    d.headline_tables(publication, city)
    for code in reference.district_names():
        streets[streets["district_code"] == code]
        teams[teams["district_code"] == code]
        d.district_projects(projects, code, n=3, threshold=10)
    timings["profile tables"] = time.perf_counter() - started

    started = time.perf_counter()
    figures.set_theme()
    city_share = months[months["district_code"] == "city"].set_index("month")["share"]
    for code, name in reference.district_names().items():
        mine = months[months["district_code"] == code].assign(city_share=lambda f: f["month"].map(city_share))
        figures.save(figures.monthly_pattern(mine, title=name), f"months_{code}", output_dir=out)
    timings["profile figures"] = time.perf_counter() - started
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, allow_abbrev=False)
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(args.runs):
            runs.append(one_run(args.store, args.year, Path(out)))
    print("| step | median (s) | runs |")
    print("|---|---:|---:|")
    for step in runs[0]:
        values = [run[step] for run in runs]
        print(f"| {step} | {statistics.median(values):.2f} | {', '.join(f'{v:.2f}' for v in values)} |")
    profiles = [sum(v for k, v in run.items() if k.startswith("profile")) for run in runs]
    print(f"| profiles in all | {statistics.median(profiles):.2f} | {', '.join(f'{v:.2f}' for v in profiles)} |")


if __name__ == "__main__":
    main()
