"""Time disclosure control on edition-sized tables: what suppression adds to a build.

    python benchmarks/disclosure.py --runs 7                      (made-up tables of a city-scale edition)
    python benchmarks/disclosure.py --store data/demo/store --year 2020    (the tables of a real store)

Made-up tables have the shape of a city-scale edition: 11 districts and the
unknown row, 176 streets (the districts' 2023 counts) and the unknown street of
each district, the 10 counts of people of the district table and 2 of the street
table, this year and last year. Three cases are timed: ``city`` (people
per street in the hundreds to thousands, star volunteers and the unknown rows
small, as at city scale) and ``sparse`` (a few people per street, most cells
small, as in the 0.001 demo), and city scale with every street written 10 ways
(free text on a real export: 1,760 streets, many small). The district and
street tables themselves are computed before the clock starts; the clock covers
the decisions for Y−1 and Y and publishing both tables, text and numeric, as a
build does. ``cell by cell`` times the former primary-only ``suppress`` of the
same two tables side by side, the baseline the decision replaces.

Prints medians (seconds) and the cells hidden, as a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from voldata import reference
from voldata.publish import (
    DISTRICT_COUNTS,
    DISTRICT_RATES,
    STREET_RATES,
    UNKNOWN_DISTRICT,
    UNKNOWN_STREET,
    disclosure,
    suppress,
)

SHARES = {
    "new_volunteers": 0.25,
    "party_member_volunteers": 0.08,
    "star_1": 0.03,
    "star_2": 0.01,
    "star_3": 0.004,
    "star_4": 0.002,
    "star_5": 0.001,
}


def made_up_streets(rng: np.random.Generator, *, people_per_street: float, spellings: int = 1) -> pd.DataFrame:
    """Every count of people per street: 176 streets (each written ``spellings`` ways, as free text can be)
    and one unknown street per district (fewer people)."""
    districts = reference.districts()
    rows = [
        (code, street)
        for code, n in zip(districts["district_code"], districts["streets_towns_2023"], strict=True)
        for street in [*(f"街道{i + 1}-{j}" for i in range(int(n)) for j in range(spellings)), UNKNOWN_STREET]
    ]
    streets = pd.DataFrame([*rows, (UNKNOWN_DISTRICT, UNKNOWN_STREET)], columns=["district_code", "street"])
    size = np.where(streets["street"] == UNKNOWN_STREET, people_per_street / 50, people_per_street)
    streets["registered_volunteers"] = rng.poisson(size * rng.lognormal(0, 0.8, len(streets)))
    streets["active_volunteers"] = rng.binomial(streets["registered_volunteers"], 0.3)
    for name, share in SHARES.items():
        streets[name] = rng.binomial(streets["registered_volunteers"], share)
    streets["party_member_active"] = rng.binomial(streets["active_volunteers"], 0.1)
    streets["service_hours"] = streets["active_volunteers"] * 20.0
    return streets


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator / denominator.where(denominator > 0)


def tables_of(streets: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The district table (sums of the streets) and the street table as the edition publishes them."""
    districts = streets.drop(columns="street").groupby("district_code", sort=False).sum().reset_index()
    for table, mean in ((districts, "hours_per_active_mean"), (streets, "hours_per_active")):
        table["active_rate"] = _ratio(table["active_volunteers"], table["registered_volunteers"])
        table[mean] = _ratio(table["service_hours"], table["active_volunteers"])
    street_columns = ["district_code", "street", "registered_volunteers", "active_volunteers", "service_hours"]
    return districts, streets[[*street_columns, "active_rate", "hours_per_active"]]


def made_up_edition(seed: int, *, people_per_street: float, spellings: int = 1):
    """Last year's and this year's tables; registered at Y = registered at Y−1 + new in Y, street by street."""
    rng = np.random.default_rng(seed)
    current = made_up_streets(rng, people_per_street=people_per_street, spellings=spellings)
    previous = current.copy()
    for name in ["active_volunteers", "party_member_active", *SHARES]:
        previous[name] = rng.binomial(current[name], 0.8)
    previous["registered_volunteers"] = current["registered_volunteers"] - current["new_volunteers"]
    previous, current = tables_of(previous), tables_of(current)
    districts = current[0]
    for count in DISTRICT_COUNTS:
        before = previous[0][count].astype("float64")
        districts[f"{count}_yoy"] = (districts[count] - before) / before.where(before > 0)
    return previous, current


def store_edition(store: str, year: int):
    import voldata
    from voldata.indicators import district_indicators, street_table
    from voldata.publish import complete_streets

    tables = voldata.tables(store, engine="polars")
    out = []
    for y in (year - 1, year):
        districts = district_indicators(tables, year=y, unknown=True)
        out.append((districts, complete_streets(street_table(tables, y), districts)))
    return out[0], out[1]


def decide_and_publish(previous, current):
    last_year = disclosure(previous[0], streets=previous[1])
    decision = disclosure(current[0], streets=current[1], previous=last_year)
    for numeric in (False, True):
        decision.publish_districts(current[0], numeric=numeric)
        decision.publish_streets(current[1], numeric=numeric)
    return decision


def cell_by_cell(previous, current):
    districts, streets = current
    counts = [c for c in DISTRICT_COUNTS if c in districts.columns]
    rates = {r: [s for s in src if s in counts] for r, src in DISTRICT_RATES.items() if r in districts.columns}
    suppress(districts, counts=counts, rates={r: s for r, s in rates.items() if s})
    suppress(streets, counts=["registered_volunteers", "active_volunteers"], rates=STREET_RATES)


def median_time(function, runs: int, *args) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--store", help="time on the tables of this store instead of made-up ones")
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args(argv)

    if args.store:
        cases = {f"store {args.store}": store_edition(args.store, args.year)}
    else:
        cases = {
            "city (made up)": made_up_edition(args.seed, people_per_street=1500),
            "sparse (made up)": made_up_edition(args.seed, people_per_street=4),
            "city, each street spelt 10 ways (made up)": made_up_edition(
                args.seed, people_per_street=150, spellings=10
            ),
        }
    print("| tables | streets | decision + publishing (s) | cell by cell (s) | hidden: primary | secondary |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (previous, current) in cases.items():
        decision = decide_and_publish(previous, current)
        seconds = median_time(decide_and_publish, args.runs, previous, current)
        baseline = median_time(cell_by_cell, args.runs, previous, current)
        now = decision.cells[decision.cells["period"] == "current"]
        primary = int((now["reason"] == "primary").sum())
        secondary = int((now["reason"] == "secondary").sum())
        print(f"| {name} | {len(current[1])} | {seconds:.3f} | {baseline:.3f} | {primary} | {secondary} |")


if __name__ == "__main__":
    main()
