"""The suite's heaviest step alone on Spark and on Polars: valid service records per volunteer and year.

    python benchmarks/spark_step.py --store data/bench/scale-1.0/store --runs 3 --master 'local[2]'

One scan of every year's records with a group-by on (volunteer, year): the
step whose cost grows with the records, and the shuffle that dominates on a
cluster. Each run is a fresh process, the engines alternating; Spark's session
start is timed apart from the step. Prints the medians and the rows per second.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

STEP = r"""
import json, sys, time
import narwhals as nw
import voldata
from voldata.indicators import Context
engine, store, master = sys.argv[1], sys.argv[2], sys.argv[3]
options = {"spark_master": master, "spark_conf": {"spark.driver.memory": "8g"}} if engine == "spark" else {}
t0 = time.perf_counter()
ctx = Context(voldata.tables(store, engine=engine, **options))
t1 = time.perf_counter()
groups = ctx.volunteer_years().select(nw.len()).collect().item()
t2 = time.perf_counter()
records = ctx.table("service_records").select(nw.len()).collect().item()
print(json.dumps({"start_s": t1 - t0, "step_s": t2 - t1, "records": records, "groups": groups}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--store", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    times: dict[str, list[dict]] = {"polars": [], "spark": []}
    for run in range(args.runs):
        for engine in ("polars", "spark") if run % 2 == 0 else ("spark", "polars"):
            done = subprocess.run(
                [sys.executable, "-c", STEP, engine, args.store, args.master], capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"{engine} failed:\n{done.stderr[-3000:]}")
            times[engine].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"run {run + 1} {engine}: {times[engine][-1]}", file=sys.stderr)
    for engine, runs in times.items():
        step = statistics.median(r["step_s"] for r in runs)
        start = statistics.median(r["start_s"] for r in runs)
        records = runs[0]["records"]
        print(
            f"{engine}: step {step:.1f} s (median of {len(runs)}; start {start:.1f} s), "
            f"{records:,} records -> {runs[0]['groups']:,} volunteer-years, {records / step / 1e6:.2f} M records/s"
        )


if __name__ == "__main__":
    main()
