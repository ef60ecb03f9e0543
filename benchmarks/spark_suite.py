"""The indicator suite on Spark against Polars, side by side, on existing stores.

    python benchmarks/spark_suite.py --store 0.1=data/bench/scale-0.1/store \
        --store 1.0=data/bench/scale-1.0/store --runs 3 --master 'local[2]'

(stores made by ``benchmarks/run.py``). Each run computes the suite as the
edition does (city scalars, the district table, the non-scalar tables) in a
fresh process, Polars and Spark alternating, so both see the same machine
load. Spark's time includes starting its local session (``start_s``), as a
user's first call does. After the runs the city and district figures of the
two engines are compared (largest relative difference). Prints a Markdown
table for BENCHMARKS.md and appends the raw timings to
``benchmarks/results/spark.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_FILE = BENCH_DIR / "results" / "spark.json"
YEAR = 2020

SUITE = r"""
import json, sys, time
t0 = time.perf_counter()
import voldata
from voldata import indicators
engine, store, year, master, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
options = {"spark_master": master, "spark_conf": {"spark.driver.memory": "8g"}} if engine == "spark" else {}
t_import = time.perf_counter()
tables = voldata.tables(store, engine=engine, **options)
t_start = time.perf_counter()
city = indicators.city_indicators(tables, year=year)
district = indicators.district_indicators(tables, year=year)
t_suite = time.perf_counter()
for name in indicators.TABLE_FUNCTIONS:
    getattr(indicators, name)(tables, year=year)
t_done = time.perf_counter()
with open(out, "w") as handle:
    json.dump({"city": city, "district": district.to_dict(orient="list")}, handle, default=str)
print(json.dumps({"start_s": t_start - t_import, "city_district_s": t_suite - t_start,
                  "tables_s": t_done - t_suite, "total_s": t_done - t_import}))
"""


def run_once(engine: str, store: str, master: str, out: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", SUITE, engine, store, str(YEAR), master, str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{engine} on {store} failed:\n{done.stderr[-3000:]}")
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    timings["wall_s"] = time.perf_counter() - started
    return timings


def largest_difference(left: Path, right: Path) -> float:
    """Largest relative difference between two runs' city and district numbers (0 when all are equal)."""
    a, b = json.loads(left.read_text()), json.loads(right.read_text())
    pairs = [(a["city"][k], b["city"][k]) for k in a["city"]]
    pairs += [(x, y) for column in a["district"] for x, y in zip(a["district"][column], b["district"][column])]
    worst = 0.0
    for x, y in pairs:
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not (math.isnan(x) and math.isnan(y)):
            worst = max(worst, abs(x - y) / max(abs(x), abs(y), 1e-300))
        elif x != y and not (x is None and y is None):
            return math.inf
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--store", action="append", required=True, metavar="SCALE=PATH")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    rows, raw = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for item in args.store:
            scale, _, store = item.partition("=")
            times: dict[str, list[dict]] = {"polars": [], "spark": []}
            for run in range(args.runs):
                for engine in ("polars", "spark") if run % 2 == 0 else ("spark", "polars"):
                    out = Path(scratch) / f"{scale}-{engine}.json"
                    times[engine].append(run_once(engine, store, args.master, out))
                    print(f"scale {scale} run {run + 1} {engine}: {times[engine][-1]}", file=sys.stderr)
            difference = largest_difference(
                Path(scratch) / f"{scale}-polars.json", Path(scratch) / f"{scale}-spark.json"
            )
            medians = {e: {k: statistics.median(t[k] for t in ts) for k in ts[0]} for e, ts in times.items()}
            raw.append({"scale": scale, "runs": times, "largest_relative_difference": difference})
            ratio = medians["spark"]["wall_s"] / medians["polars"]["wall_s"]
            rows.append(
                f"| {scale} | {medians['polars']['wall_s']:.1f} | {medians['spark']['wall_s']:.1f} "
                f"| {medians['spark']['start_s']:.1f} | {medians['polars']['city_district_s']:.1f} "
                f"| {medians['spark']['city_district_s']:.1f} | {medians['polars']['tables_s']:.1f} "
                f"| {medians['spark']['tables_s']:.1f} | {ratio:.1f}× | {difference:.1e} |"
            )
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"master": args.master, "runs": args.runs, "results": raw}) + "\n")
    print(
        "| scale | Polars, s | Spark, s | Spark session start, s | city + district, Polars | city + district, Spark "
        "| tables, Polars | tables, Spark | Spark ÷ Polars | largest relative difference |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
