"""Build an annual edition: run the five chapters, assemble HTML and tables, check privacy, publish atomically.

Layout of ``OUT/<year>/``::

    index.html                     front page: highlights, headline figures, table of contents
    01_general_report.html …       one code-free page per chapter
    notebooks/*.ipynb              the executed chapter notebooks
    figures/*.png, *.svg           every figure
    tables/*.csv                   every published table (small cells suppressed)
    tables/voldata_<year>_tables.xlsx   the same tables, one sheet each, and a 目录 sheet
    indicators.json                voldata.indicators.city_indicators for the year
    manifest.json                  parameters, input checksums, package versions, git commit, build time

Everything is written into a temporary folder next to the edition first; only a
complete, privacy-checked edition replaces ``OUT/<year>/``. When a chapter
fails (or the privacy gate finds a personal number), the build stops, the
partial edition is kept in ``OUT/<year>.failed/`` for inspection, and the
previous ``OUT/<year>/`` is left as it was; the next successful build removes
``OUT/<year>.failed/``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from voldata import paths
from voldata.edition.chapter import (
    CACHE_DIR,
    CHAPTERS,
    ParameterError,
    clear_cache_pending,
    is_demo_store,
    mark_cache_pending,
    validate_parameters,
)

__all__ = ["BuildError", "ChapterFailure", "build_edition", "validate_build", "write_workbook", "PACKAGES"]

# Chapters that take longest go first, so two workers finish together.
RUN_ORDER = (
    "02_professional_development",
    "03_practice_and_cases",
    "01_general_report",
    "04_district_development",
    "05_appendix",
)
CHAPTER_PARAMETERS: dict[str, dict[str, int]] = {
    "02_professional_development": {"model_sample": 30_000},
    "03_practice_and_cases": {"featured_projects": 5},
}
PACKAGES = (
    "voldata",
    "numpy",
    "pandas",
    "polars",
    "pyarrow",
    "narwhals",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "mplfonts",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "xlsxwriter",
    "python-calamine",
    "tqdm",
)
KERNEL = "python3"
LOG_DIR = ".logs"
MAX_JOBS = 16


class BuildError(RuntimeError):
    """The build could not produce an edition; the message says why and where to look."""


@dataclass(frozen=True)
class ChapterFailure:
    """Where a chapter failed: the cell (index and execution count) and the error, without the traceback."""

    key: str
    cell_index: int | None
    exec_count: int | None
    error: str
    source: str = ""

    def __str__(self) -> str:
        if self.cell_index is None:
            where = "before any cell ran"
        else:
            where = f"In [{self.exec_count}]" if self.exec_count is not None else f"cell {self.cell_index}"
            first_line = self.source.strip().splitlines()[0] if self.source.strip() else ""
            if first_line:
                where += f", which starts `{first_line[:80]}`"
        return f"chapter {self.key} ({CHAPTERS[self.key]}) failed in {where}: {self.error}"


def _run_chapter(key: str, source: str, staging: str, parameters: dict, cwd: str, demo: bool) -> ChapterFailure | float:
    """Execute one chapter notebook with papermill and render its HTML page (runs in a worker process).

    The worker's stderr (and so the kernel's) goes to ``staging/.logs/<key>.log``,
    kept with a failed build. Returns the seconds taken, or the failure.
    """
    import os

    logs = Path(staging) / LOG_DIR
    logs.mkdir(exist_ok=True)
    log = os.open(logs / f"{key}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 2)
    import papermill

    started = time.perf_counter()
    target = Path(staging) / "notebooks" / f"{key}.ipynb"
    try:
        papermill.execute_notebook(
            source,
            str(target),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=False,
            cwd=cwd,
            log_output=False,
        )
    except papermill.PapermillExecutionError as error:
        return ChapterFailure(key, error.cell_index, error.exec_count, f"{error.ename}: {error.evalue}", error.source)
    except Exception as error:  # a kernel that died or would not start: report it as the chapter's failure
        return ChapterFailure(key, None, None, f"{type(error).__name__}: {error}")
    # The page is rendered here, so it overlaps with the chapters still running.
    from voldata.edition import html

    try:
        page = html.render_chapter_page(target, key=key, year=parameters["year"], demo=demo)
    except Exception as error:
        return ChapterFailure(key, None, None, f"HTML conversion failed: {type(error).__name__}: {error}")
    (Path(staging) / f"{key}.html").write_text(page, encoding="utf-8")
    return time.perf_counter() - started


def validate_build(*, year, store, out, population=None, jobs=2, threshold=10) -> dict:
    """Check the build's configuration before doing any work; :class:`ParameterError` names the problem."""
    if str(store) == "":
        raise ParameterError("--store must name a store folder")
    resolved = validate_parameters(
        year=year, store=store, output_dir=out, suppression_threshold=threshold, population=population or ""
    )
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        raise ParameterError(f"--jobs must be a whole number between 1 and {MAX_JOBS}, not {jobs!r}")
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out {out} exists and is not a folder")
    missing = [key for key in CHAPTERS if not (paths.NOTEBOOKS_DIR / f"{key}.ipynb").is_file()]
    if missing:
        raise ParameterError(f"chapter notebooks missing from {paths.NOTEBOOKS_DIR}: {missing}")
    resolved["store"] = resolved["store"].resolve()
    resolved["out"] = out.resolve()
    resolved["jobs"] = jobs
    return resolved


def _versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(paths.PROJECT_DIR), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def _json_ready(value):
    """Numbers as plain JSON (NaN → null), containers recursively."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _typed_csv(path: Path):
    """A published CSV read back for the workbook: numbers as numbers cell by cell, so a column of
    counts stays numeric around its ``<10`` cells; codes, text and blanks unchanged."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")

    def cell(value: str):
        if value == "":
            return None
        try:
            return float(value)
        except ValueError:
            return value

    for column in frame.columns:
        if "代码" in column or "code" in column.lower():
            continue
        frame[column] = pd.Series([cell(v) for v in frame[column]], index=frame.index, dtype=object)
    return frame


def write_workbook(tables_dir: Path, target: Path, *, titles: dict[str, str]) -> Path:
    """All published CSVs of ``tables_dir`` as one XLSX workbook: a 目录 sheet, then one sheet per table."""
    import pandas as pd

    csvs = sorted(tables_dir.glob("*.csv"))
    contents = pd.DataFrame(
        {
            "工作表": [p.stem[:31] for p in csvs],
            "表名": [titles.get(p.stem, p.stem) for p in csvs],
            "文件": [p.name for p in csvs],
        }
    )
    with pd.ExcelWriter(target, engine="xlsxwriter") as writer:
        contents.to_excel(writer, sheet_name="目录", index=False)
        for path in csvs:
            _typed_csv(path).to_excel(writer, sheet_name=path.stem[:31], index=False)
    return target


def _replace_folder(source: Path, target: Path) -> None:
    """Put ``source`` at ``target``; an existing ``target`` survives until the new one is in place."""
    previous = None
    if target.exists():
        previous = target.with_name(f".{target.name}.previous-{int(time.time() * 1000)}")
        target.rename(previous)
    try:
        source.rename(target)
    except OSError:
        if previous is not None:
            previous.rename(target)
        raise
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def _keep_failed(staging: Path, out: Path, year: int) -> Path:
    failed = out / f"{year}.failed"
    if failed.exists():
        shutil.rmtree(failed)
    staging.rename(failed)
    return failed


def build_edition(
    *,
    year: int,
    store: str | Path,
    out: str | Path,
    population: str | Path | None = None,
    jobs: int = 2,
    threshold: int = 10,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> Path:
    """Build the edition of ``year`` into ``OUT/<year>/`` (see the module docstring for the layout).

    Parameters
    ----------
    year : int
        Reference year; must be in the store.
    store : str or Path
        Store folder written by ``voldata ingest``.
    out : str or Path
        Editions folder.
    population : str or Path, optional
        CSV (``district_code``, ``population``) replacing the bundled population table.
    jobs : int
        Chapters executed in parallel (1–16).
    threshold : int
        Small-cell suppression threshold for every table below city level.
    progress : bool
        Show a progress bar on stderr.
    log : callable, optional
        Receives one-line progress messages.

    Returns
    -------
    Path
        ``OUT/<year>``.

    Raises
    ------
    ParameterError
        A bad configuration (nothing was run).
    BuildError
        A chapter failed or the privacy gate found personal numbers; the message
        names the chapter and cell or the file, and where the partial edition was kept.
    """
    from tqdm.auto import tqdm

    started = time.perf_counter()
    config = validate_build(year=year, store=store, out=out, population=population, jobs=jobs, threshold=threshold)
    out = config["out"]
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{year}.building-", dir=out))
    (staging / "notebooks").mkdir()
    parameters = {
        "year": year,
        "store": str(config["store"]),
        "output_dir": str(staging),
        "language": "zh",
        "suppression_threshold": config["suppression_threshold"],
        "population": str(config["population"] or ""),
    }
    durations: dict[str, float] = {}
    failures: list[ChapterFailure] = []
    from voldata import store as store_module

    demo = is_demo_store(store_module.ingest_report(config["store"]))
    context = multiprocessing.get_context("spawn")  # no fork: the parent may hold Polars' thread pool
    # Chapters wait for the indicators computed below rather than computing them again.
    mark_cache_pending(staging)
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(CHAPTERS)), mp_context=context) as pool:
            futures = {
                pool.submit(
                    _run_chapter,
                    key,
                    str(paths.NOTEBOOKS_DIR / f"{key}.ipynb"),
                    str(staging),
                    {**parameters, **CHAPTER_PARAMETERS.get(key, {})},
                    str(paths.NOTEBOOKS_DIR),
                    demo,
                ): key
                for key in RUN_ORDER
            }
            # The indicators are computed once, here, while the chapters' kernels start;
            # the chapters wait for them (and for the aggregates behind them).
            try:
                indicators = _shared_indicators(config, staging)
            except Exception as error:
                clear_cache_pending(staging)
                pool.shutdown(wait=True, cancel_futures=True)
                raise BuildError(f"computing the indicators failed: {type(error).__name__}: {error}") from error
            finally:
                clear_cache_pending(staging)
            bar = tqdm(
                total=len(futures), desc=f"edition {year}", unit="chapter", disable=not progress, file=sys.stderr
            )
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    result = future.result()
                    bar.update(1)
                    if isinstance(result, ChapterFailure):
                        failures.append(result)
                    else:
                        durations[futures[future]] = round(result, 2)
                if failures:
                    for future in pending:
                        future.cancel()
                    break
            bar.close()
        if failures:
            failed = _keep_failed(staging, out, year)
            first = failures[0]
            raise BuildError(
                f"{first}; the failed notebook is kept at {failed / 'notebooks' / (first.key + '.ipynb')} "
                f"(kernel log: {failed / LOG_DIR / (first.key + '.log')}); "
                f"the previous edition {out / str(year)} is unchanged"
            )
        shutil.rmtree(staging / LOG_DIR, ignore_errors=True)
        shutil.rmtree(staging / CACHE_DIR, ignore_errors=True)
        _assemble(staging, config, indicators, durations, started, demo=demo)
        from voldata.edition import privacy

        findings = privacy.scan_folder(staging)
        if findings:
            failed = _keep_failed(staging, out, year)
            listed = "; ".join(str(f) for f in findings)
            raise BuildError(
                f"privacy gate: personal numbers found in the built edition ({listed}); nothing was published, "
                f"the rejected build is in {failed} for inspection; the previous edition {out / str(year)} is unchanged"
            )
        _replace_folder(staging, out / str(year))
        # A failed attempt kept from an earlier build no longer describes the edition.
        shutil.rmtree(out / f"{year}.failed", ignore_errors=True)
    except BaseException:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        raise
    if log:
        log(f"edition {year} written to {out / str(year)} in {time.perf_counter() - started:.1f} s")
    return out / str(year)


def _shared_indicators(config: dict, staging: Path) -> dict:
    """City and district indicators of the year, written to the chapters' cache with the
    aggregates behind them; returns the city ones."""
    from voldata import indicators, store
    from voldata.edition.chapter import CONTEXT_CACHE, indicator_cache_key, write_indicator_cache

    context = indicators.Context(store.tables(config["store"], engine="polars"))
    year, population = config["year"], config["population"]
    city = _json_ready(indicators.city_indicators(context, year=year, population=population))
    district = indicators.district_indicators(context, year=year, population=population)
    # The aggregates the chapters use again (models, growth series, tables by category), so that
    # no chapter scans the service records for them a second time.
    context.save(staging / CACHE_DIR / CONTEXT_CACHE, frames=["volunteer_years", ("activity_months", year)])
    write_indicator_cache(
        staging, indicator_cache_key(config["store"], year=year, population=population), city, district
    )
    return city


def _assemble(
    staging: Path, config: dict, indicators: dict, durations: dict[str, float], started: float, *, demo: bool
) -> None:
    """Everything after the chapters (whose pages the workers wrote): index, workbook, indicators.json, manifest."""
    from voldata import reference, store
    from voldata.edition import html
    from voldata.edition.output import TABLE_META_DIR, read_table_meta

    year = config["year"]
    report = store.ingest_report(config["store"])
    population_source = reference.population(config["population"]).attrs["source"]
    headline_figures = [
        (staging / "figures" / "01_growth.png", "注册志愿者与服务时长的年度变化"),
        (staging / "figures" / "04_map_per_10k.png", "各区每万常住人口注册志愿者数"),
    ]
    (staging / "index.html").write_text(
        html.render_index(
            year=year, indicators=indicators, figures=headline_figures, demo=demo, population_source=population_source
        ),
        encoding="utf-8",
    )
    tables_dir = staging / "tables"
    tables_dir.mkdir(exist_ok=True)
    titles = {name: meta["title"] for name, meta in read_table_meta(tables_dir).items()}
    write_workbook(tables_dir, tables_dir / f"voldata_{year}_tables.xlsx", titles=titles)
    shutil.rmtree(tables_dir / TABLE_META_DIR, ignore_errors=True)
    (staging / "figures").mkdir(exist_ok=True)
    (staging / "indicators.json").write_text(
        json.dumps(indicators, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    outputs = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    manifest = {
        "edition": f"广州市社区志愿服务发展报告（{year}）",
        "year": year,
        "demo_data": demo,
        "parameters": {
            "year": year,
            "store": str(config["store"]),
            "population": population_source,
            "suppression_threshold": config["suppression_threshold"],
            "language": config["language"],
            "jobs": config["jobs"],
        },
        "inputs": [
            {"file": f.get("file"), "table": f.get("table"), "sha256": f.get("sha256"), "rows_read": f.get("rows_read")}
            for f in report.get("files", [])
        ],
        "store": {"voldata_version": report.get("voldata_version"), "key_fingerprint": report.get("key_fingerprint")},
        "packages": _versions(),
        "git_commit": _git_commit(),
        "built_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "build_seconds": round(time.perf_counter() - started, 1),
        "chapter_seconds": durations,
        "outputs": outputs + ["manifest.json"],
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
