"""Measure every stage of voldata at one or more demo scales.

    python benchmarks/run.py --scales 0.1 0.3 1.0 --runs 3      (or: make bench SCALES="0.1 0.3 1.0")
    python benchmarks/run.py --scales 1.0 --stages ingest peers --data /exports --work /tmp/bench

For each scale it makes (or reuses) seeded demo exports under
``data/bench/scale-<S>/`` (or ``--data``; exports found there are only
read, and stores are written under ``--work``), then measures wall time and peak RSS of: generation,
ingest, the indicator suite on the fast engine (Polars, lazy over the store), the
same suite on pandas inputs, a whole edition build, and the time from a fresh
kernel to the first indicator and figure. ``peers`` measures, in the same
run and on the same exports as ``ingest``, what a user would run instead:
an analyst's pandas script and a DuckDB copy of the service records into
typed Parquet (``benchmarks/peers/``; DuckDB comes with the ``bench``
extra). ``ingest_csv`` measures the ingest
of the same exports with every workbook sheet saved as a UTF-8 CSV
(``data/bench/scale-<S>/raw-csv/``): the all-CSV exports the ingest target
is stated for. With ``--baseline DIR`` (a folder holding another version's
``voldata`` package and ``data/reference``, e.g. ``git archive main voldata
data/reference | tar -x -C DIR``) that version's ingest is measured in turn
with this one's, on the same exports (``ingest_baseline``). Each stage runs in a fresh process,
``--runs`` times; the medians are reported. The Polars/pandas ratio is measured
in the same run, alternating the two.

Results are appended to ``benchmarks/results/results.json`` (git-ignored) and
printed as a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
DATA_DIR = PROJECT_DIR / "data" / "bench"
RESULTS_FILE = BENCH_DIR / "results" / "results.json"
YEARS = "2018-2020"
YEAR = 2020
SEED = 2020
# A fixed key for benchmark stores only (demo data, never real exports).
BENCH_KEY = "benchmark-key-for-demo-data-only"

# The indicator suite as the edition runs it: city scalars, the district table
# and the non-scalar tables. Runs in a fresh process; prints its own timings.
SUITE = r"""
import json, sys, time
t0 = time.perf_counter()
import voldata
from voldata import indicators
engine, store, year = sys.argv[1], sys.argv[2], int(sys.argv[3])
t_import = time.perf_counter()
tables = voldata.tables(store, engine=engine)
t_load = time.perf_counter()
indicators.city_indicators(tables, year=year)
indicators.district_indicators(tables, year=year)
for name in indicators.TABLE_FUNCTIONS:
    getattr(indicators, name)(tables, year=year)
t_done = time.perf_counter()
print(json.dumps({"load_s": t_load - t_import, "compute_s": t_done - t_load, "total_s": t_done - t_import}))
"""

# From a fresh kernel to the first indicator and the first figure.
FIRST_FIGURE = r"""
import json, sys, time
import nbformat
from nbclient import NotebookClient
store, year = sys.argv[1], int(sys.argv[2])
cells = [
    "import voldata\nfrom voldata import indicators, figures",
    f"tables = voldata.tables({store!r}, engine='polars')\n"
    f"indicators.city_indicators(tables, year={year})['active_volunteers']",
    f"figures.set_theme()\nax = indicators.monthly_hours(tables, year={year}).plot(x='month', y='hours')",
]
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
t0 = time.perf_counter()
NotebookClient(nb, timeout=600, kernel_name="python3").execute()
print(json.dumps({"total_s": time.perf_counter() - t0}))
"""


def measure(command: list[str], *, env: dict | None = None) -> dict:
    """Run one command in a fresh process; wall time and peak RSS of the largest process in its tree."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stdout = process.stdout.read().decode()
    stderr = process.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr[-3000:]}")
    # CPU seconds (the process and the children it waited for) are less disturbed by a busy machine than wall time.
    cpu = usage.ru_utime + usage.ru_stime
    result = {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": usage.ru_maxrss / 1024, "load_1min": os.getloadavg()[0]}
    last_line = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    if last_line.startswith("{"):
        result.update(json.loads(last_line))
    return result


def csv_copy(raw: Path, target: Path) -> None:
    """``raw`` with every workbook sheet saved as a UTF-8 CSV (header row on), CSV exports linked as they are.

    Cells are written as the ingest reads them (``cell_text``), so both
    folders hold the same rows and values.
    """
    from python_calamine import CalamineWorkbook

    from voldata.ingest.readers import cell_text, discover, plan_source

    building = target.with_name(f"{target.name}.partial")
    shutil.rmtree(building, ignore_errors=True)
    sources, skipped = discover([raw])
    for relpath in skipped:  # (the generator's summary)
        (building / relpath).parent.mkdir(parents=True, exist_ok=True)
        os.link(raw / relpath, building / relpath)
    for source in sources:
        copy = building / source.relpath
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.path.suffix.lower() != ".xlsx":
            os.link(source.path, copy)
            continue
        workbook = CalamineWorkbook.from_path(str(source.path))
        for number, part in enumerate(plan_source(source).parts):
            rows = workbook.get_sheet_by_name(part.sheet).to_python(skip_empty_area=False)
            with open(copy.with_name(f"{copy.stem}_{number}.csv"), "w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerows([cell_text(c) or "" for c in row] for row in rows[part.header_index :])
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)


def median_of(runs: list[dict]) -> dict:
    keys = runs[0].keys()
    return {k: statistics.median(r[k] for r in runs) for k in keys} | {"runs": len(runs)}


def bench_scale(
    scale: float,
    runs: int,
    stages: set[str],
    *,
    data: Path = DATA_DIR,
    work: Path | None = None,
    baseline: Path | None = None,
) -> dict:
    # (Exports made elsewhere may be named scale-1.0 rather than scale-1.)
    folder = next((f for f in (data / f"scale-{scale:g}", data / f"scale-{scale}") if f.exists()), None)
    if folder is None and data != DATA_DIR:
        raise SystemExit(f"no exports for scale {scale:g} in {data}: --data is only read, never generated into")
    folder = folder or data / f"scale-{scale:g}"
    written = folder if work is None else work / f"scale-{scale:g}"
    raw, store, out = folder / "raw", written / "store", written / "editions"
    voldata = str(Path(sys.executable).with_name("voldata"))
    env = os.environ | {"VOLDATA_KEY": BENCH_KEY}
    synth = [voldata, "synth", "--out", str(raw), "--years", YEARS, "--scale", str(scale), "--seed", str(SEED)]
    results: dict = {"scale": scale}

    if "synth" in stages:
        samples = []
        for _ in range(runs):
            shutil.rmtree(raw, ignore_errors=True)
            samples.append(measure(synth, env=env))
        results["synth"] = median_of(samples)
    elif not (raw / "synth_summary.json").exists():
        measure(synth, env=env)
    summary = json.loads((raw / "synth_summary.json").read_text(encoding="utf-8"))
    results["rows"] = summary.get("rows", summary.get("tables"))

    ingest = [voldata, "ingest", str(raw), "--store", str(store)]
    peers = {
        "pandas": [sys.executable, str(BENCH_DIR / "peers" / "pandas_service_records.py"), str(raw)],
        "duckdb": [sys.executable, str(BENCH_DIR / "peers" / "duckdb_service_records.py"), str(raw)],
    }
    if "ingest" in stages or "peers" in stages:
        # The tools are measured in turn, run after run, so a busy spell of the machine hits each alike.
        samples: dict[str, list[dict]] = {"ingest": [], "ingest_baseline": [], **{f"peer_{name}": [] for name in peers}}
        for _ in range(runs):
            if "ingest" in stages:
                samples["ingest"].append(measure(ingest, env=env))
            if "ingest" in stages and baseline is not None:
                other = [
                    sys.executable,
                    "-m",
                    "voldata",
                    "ingest",
                    str(raw),
                    "--store",
                    str(written / "store-baseline"),
                ]
                samples["ingest_baseline"].append(measure(other, env=env | {"PYTHONPATH": str(baseline)}))
            for name, command in peers.items() if "peers" in stages else ():
                peer_out = written / f"peer-{name}"
                samples[f"peer_{name}"].append(measure([*command, str(peer_out)]))
                shutil.rmtree(peer_out, ignore_errors=True)
        results.update({stage: median_of(runs_of) for stage, runs_of in samples.items() if runs_of})
    if not store.exists() and stages & {"indicators", "build", "first_figure"}:
        measure(ingest, env=env)

    if "ingest_csv" in stages:
        raw_csv = written / "raw-csv"
        if "synth" in stages or not raw_csv.exists():
            csv_copy(raw, raw_csv)
        csv_store = written / "store-csv"
        ingest_csv = [voldata, "ingest", str(raw_csv), "--store", str(csv_store)]
        results["ingest_csv"] = median_of([measure(ingest_csv, env=env) for _ in range(runs)])
        shutil.rmtree(csv_store)

    if "indicators" in stages:
        polars_runs, pandas_runs = [], []
        for _ in range(runs):
            polars_runs.append(measure([sys.executable, "-c", SUITE, "polars", str(store), str(YEAR)]))
            pandas_runs.append(measure([sys.executable, "-c", SUITE, "pandas", str(store), str(YEAR)]))
        results["indicators_polars"] = median_of(polars_runs)
        results["indicators_pandas"] = median_of(pandas_runs)
        ratios = [pd["total_s"] / pl["total_s"] for pl, pd in zip(polars_runs, pandas_runs)]
        compute_ratios = [pd["compute_s"] / pl["total_s"] for pl, pd in zip(polars_runs, pandas_runs)]
        results["pandas_over_polars"] = statistics.median(ratios)
        results["pandas_compute_only_over_polars"] = statistics.median(compute_ratios)

    if "build" in stages:
        build = [voldata, "build", "--year", str(YEAR), "--store", str(store), "--out", str(out)]
        results["build"] = median_of([measure(build, env=env) for _ in range(runs)])

    if "first_figure" in stages:
        results["first_figure"] = median_of(
            [measure([sys.executable, "-c", FIRST_FIGURE, str(store), str(YEAR)]) for _ in range(runs)]
        )
    return results


def machine() -> dict:
    from importlib.metadata import version

    memory_kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "versions": {
            p: version(p) for p in ("voldata", "polars", "narwhals", "pandas", "pyarrow", "statsmodels", "papermill")
        },
    }


def markdown(all_results: list[dict]) -> str:
    lines = [
        "| scale | stage | median wall (s) | CPU (s) | median peak RSS (MB) | runs | median load (1 min) | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in all_results:
        for stage in (
            "synth",
            "ingest",
            "ingest_baseline",
            "peer_pandas",
            "peer_duckdb",
            "ingest_csv",
            "indicators_polars",
            "indicators_pandas",
            "build",
            "first_figure",
        ):
            if stage not in r:
                continue
            m = r[stage]
            note = ""
            if stage in ("ingest", "ingest_baseline", "ingest_csv") and r.get("rows"):
                rows = sum(r["rows"].values()) if isinstance(r["rows"], dict) else None
                note = f"{rows / m['wall_s'] / 1e6:.2f} M rows/s ({rows:,} rows)" if rows else ""
            if stage.startswith("peer_"):
                note = f"{m['rows'] / m['wall_s'] / 1e6:.2f} M rows/s ({m['rows']:,.0f} service records)"
                if "ingest" in r:
                    ingest_rate = sum(r["rows"].values()) / r["ingest"]["wall_s"]
                    note += f"; ingest ÷ {stage[5:]} = {ingest_rate / (m['rows'] / m['wall_s']):.2f}× rows/s"
            if stage.startswith("indicators"):
                note = f"load {m['load_s']:.1f} s, compute {m['compute_s']:.1f} s in-process"
            if stage == "indicators_pandas":
                note += (
                    f"; pandas ÷ polars = {r['pandas_over_polars']:.1f}×"
                    f" (compute only: {r['pandas_compute_only_over_polars']:.1f}×)"
                )
            lines.append(
                f"| {r['scale']:g} | {stage} | {m['wall_s']:.1f} | {m.get('cpu_s', float('nan')):.1f} "
                f"| {m['peak_rss_mb']:.0f} | {m['runs']} "
                f"| {m.get('load_1min', float('nan')):.1f} | {note} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0], help="demo scales (1.0 = city scale)")
    parser.add_argument("--runs", type=int, default=3, help="runs per stage; medians are reported (default 3)")
    all_stages = ["synth", "ingest", "peers", "ingest_csv", "indicators", "build", "first_figure"]
    parser.add_argument("--stages", nargs="+", choices=all_stages, default=all_stages, help="stages to measure")
    parser.add_argument(
        "--data", type=Path, default=DATA_DIR, help="folder of scale-<S>/raw exports (made there if missing)"
    )
    parser.add_argument("--work", type=Path, default=None, help="folder for stores and outputs (default: --data)")
    parser.add_argument(
        "--baseline", type=Path, default=None, help="folder holding another version's voldata package, to compare"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or any(s <= 0 for s in args.scales):
        parser.error("--runs must be at least 1 and every scale positive")

    results = []
    for scale in args.scales:
        print(f"scale {scale:g} …", file=sys.stderr, flush=True)
        results.append(
            bench_scale(scale, args.runs, set(args.stages), data=args.data, work=args.work, baseline=args.baseline)
        )
        print(markdown(results[-1:]), file=sys.stderr, flush=True)
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    history = json.loads(RESULTS_FILE.read_text()) if RESULTS_FILE.exists() else []
    history.append(
        {"machine": machine(), "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "results": results}
    )
    RESULTS_FILE.write_text(json.dumps(history, indent=2, ensure_ascii=False))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
