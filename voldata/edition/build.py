"""Build an annual edition: indicators once, the chapters in parallel, assemble, scan, publish.

Layout of ``OUT/<year>/``::

    index.html                     front page: highlights, headline figures, table of contents
    01_general_report.html …       one code-free page per chapter
    notebooks/*.ipynb              the executed chapter notebooks
    figures/*.png, *.svg           every figure
    tables/*.csv                   every published table (small cells suppressed)
    tables/voldata_<year>_tables.xlsx   the same tables, one sheet each, and a 目录 sheet
    opendata/                      the tables in long form, data dictionary, licence, datapackage.json
    en/                            the English edition (``--lang zh,en``): pages, notebooks, figures, tables
    indicators.json                voldata.indicators.city_indicators for the year
    manifest.json                  parameters, store generation, input checksums, package versions, git commit

The sequence, in a private work folder beside the edition while holding the
edition's writer lock (:mod:`voldata.folders`):

1. note the store's generation (sha256 of its ingest report);
2. compute the year's city and district indicators once and write them to a
   file (:mod:`voldata.edition.shared`), with what the chapters compute beyond
   them (last year's values, each year's scale …) and the decision of what district and
   street numbers are published (:mod:`voldata.edition.districts`; it holds true
   values of hidden cells, so it stays in the work folder);
3. execute the chapter notebooks with papermill, two at a time, each given
   that file as its ``indicators_file`` parameter, and render each chapter's page;
4. assemble the index, the workbook, ``indicators.json`` and the manifest;
5. scan everything with the privacy gate (:mod:`voldata.edition.privacy`);
6. check that the store is still the generation the build started from;
7. swap the new edition in for ``OUT/<year>/`` in one step.

When a chapter fails, the build stops and keeps that attempt in
``OUT/<year>.failed/`` (the executed notebooks and kernel logs) for inspection.
When the privacy gate finds a personal number, ``OUT/<year>.failed/`` holds
only the gate's report (which file, what kind; never the number). Either way,
and when the build is killed at any point, the previous ``OUT/<year>/`` is left
as it was; the next successful build removes ``OUT/<year>.failed/``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import papermill
from tqdm.auto import tqdm

from voldata import indicators, paths, reference
from voldata import store as store_module
from voldata.demo import is_demo_store
from voldata.edition import districts, html, privacy, shared
from voldata.edition.manifest import write_manifest
from voldata.edition.opendata import LICENCES, write_open_data
from voldata.edition.output import FIGURE_META_DIR
from voldata.edition.parameters import (
    CHAPTERS,
    MAX_JOBS,
    PARAMETERS,
    ParameterError,
    chapter_parameters,
    parse_languages,
    validate_parameters,
)
from voldata.edition.workbook import TABLE_META_DIR, write_workbook
from voldata.folders import FolderBusy, private_work, replace_folder, writer_lock

__all__ = ["BuildError", "ChapterFailure", "build_edition", "compute_shared", "editorial_summary", "validate_build"]

# Chapters that take longest go first, so two workers finish together.
RUN_ORDER = (
    "02_professional_development",
    "03_practice_and_cases",
    "01_general_report",
    "04_district_development",
    "05_appendix",
)
KERNEL = "python3"
# Engines of the shared indicators (``voldata build --engine``).
ENGINES = ("polars", "spark")
LOG_DIR = ".logs"
PRIVACY_REPORT = "privacy_report.json"


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
    language: str = "zh"

    def __str__(self) -> str:
        if self.cell_index is None:
            where = "before any cell ran"
        else:
            where = f"In [{self.exec_count}]" if self.exec_count is not None else f"cell {self.cell_index}"
            first_line = self.source.strip().splitlines()[0] if self.source.strip() else ""
            if first_line:
                where += f", which starts `{first_line[:80]}`"
        edition = "" if self.language == "zh" else f", {self.language} edition"
        return f"chapter {self.key} ({CHAPTERS[self.key]}{edition}) failed in {where}: {self.error}"


def validate_build(
    *,
    year,
    store,
    out,
    population=None,
    jobs=2,
    threshold=None,
    engine="polars",
    spark_master=None,
    spark_conf=(),
    editorial=None,
    languages="zh",
    licence="CC-BY-4.0",
) -> dict:
    """Check the build's configuration before doing any work; :class:`ParameterError` names the problem."""
    chosen = parse_languages(languages)
    if licence not in LICENCES:
        raise ParameterError(f"--licence must be one of {', '.join(LICENCES)}, not {licence!r}")
    if str(store) == "":
        raise ParameterError("--store must name a store folder")
    if engine not in ENGINES:
        raise ParameterError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine != "spark" and (spark_master is not None or spark_conf):
        raise ParameterError("--spark-master and --spark-conf need --engine spark")
    if threshold is None:
        threshold = PARAMETERS["suppression_threshold"].default
    resolved = validate_parameters(
        year=year,
        store=store,
        suppression_threshold=threshold,
        population=population or "",
        editorial=str(editorial or ""),
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
    resolved["engine"] = engine
    resolved["languages"] = chosen
    resolved["language"] = ",".join(chosen)  # as the manifest records it
    resolved["licence"] = licence
    if engine == "spark":
        # Deferred: voldata[spark] is optional; parse_conf itself needs no Spark.
        from voldata.spark import parse_conf

        try:
            resolved["spark"] = {"spark_master": spark_master, "spark_conf": parse_conf(spark_conf)}
        except ValueError as error:
            raise ParameterError(str(error)) from None
    return resolved


def editorial_summary(editorial) -> str:
    """The build summary's line on the editors' text: supplied or not, and the slots left empty."""
    if not editorial.supplied:
        return "editors' text: not supplied (--editorial); the appendix says so"
    filled = editorial.summary()["filled"]
    empty = "、".join(editorial.empty) if editorial.empty else "none"
    empty_en = "、".join(editorial.empty_en) if editorial.empty_en else "none"
    return (
        f"editors' text from {editorial.folder}: {len(filled)} slots filled; left empty (not shown): {empty}; "
        f"English text left empty (left out of the English edition with a note): {empty_en}"
    )


def _store_generation(store_path: Path) -> str:
    """The store's generation: sha256 of its ingest report, which every ingest rewrites."""
    return hashlib.sha256((store_path / store_module.REPORT_FILE).read_bytes()).hexdigest()


def compute_shared(config: dict, folder: Path) -> tuple[dict, Path]:
    """The build's shared step, into ``folder`` (private: the decision holds hidden cells' true values).

    The year's city and district indicators (on the configured engine), what the chapters
    compute beyond them (:func:`voldata.edition.shared.chapter_values`) and the decision of
    what district and street numbers are published (:mod:`voldata.edition.districts`), each
    computed once for every chapter. Returns the city indicators and the indicators file.
    """
    year, population = config["year"], config["population"]
    context = indicators.Context(store_module.tables(config["store"], engine="polars"))
    if config["engine"] == "spark":
        spark_context = indicators.Context(store_module.tables(str(config["store"]), engine="spark", **config["spark"]))
        city, district = shared.compute_indicators(spark_context, year=year, population=population)
        spark_context.release()
    else:
        city, district = shared.compute_indicators(context, year=year, population=population)
    values = shared.chapter_values(context, year=year, population=population)
    publication = districts.district_publication(
        context, year=year, threshold=config["suppression_threshold"], population=population
    )
    districts.write_publication(folder, publication)
    return city, shared.write_indicators(folder, city, district, values)


def _run_chapter(
    key: str, notebooks: str, staging: str, parameters: dict, demo: bool, languages: tuple[str, ...] = ("zh",)
) -> ChapterFailure | float:
    """Execute one chapter notebook with papermill and render its page (runs in a worker process).

    The worker's stderr, and so the kernel's, goes to ``staging/.logs/<key>.log``
    (kept with a failed build) rather than the terminal of the build.
    Returns the seconds taken, or the failure.
    """
    language = parameters.get("language", "zh")
    folder = Path(parameters["output_dir"])  # the edition (zh) or its en/ folder
    logs = Path(staging) / LOG_DIR
    logs.mkdir(exist_ok=True)
    log = os.open(logs / f"{key}{_suffix(language)}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 2)
    started = time.perf_counter()
    target = folder / "notebooks" / f"{key}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(Path(notebooks) / f"{key}.ipynb"),
            str(target),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=False,
            cwd=notebooks,
            log_output=False,
            # A busy machine can take longer than papermill's 60 s to start a kernel.
            start_timeout=300,
        )
    except papermill.PapermillExecutionError as error:
        return ChapterFailure(
            key, error.cell_index, error.exec_count, f"{error.ename}: {error.evalue}", error.source, language
        )
    except Exception as error:  # a kernel that died or would not start: report it as the chapter's failure
        return ChapterFailure(key, None, None, f"{type(error).__name__}: {error}", language=language)
    try:
        page = html.render_chapter_page(
            target, key=key, year=parameters["year"], demo=demo, language=language, languages=languages
        )
    except Exception as error:
        return ChapterFailure(
            key, None, None, f"HTML conversion failed: {type(error).__name__}: {error}", language=language
        )
    (folder / f"{key}.html").write_text(page, encoding="utf-8")
    return time.perf_counter() - started


def _suffix(language: str) -> str:
    """How a language's files are told apart in the build's logs and timings: "" for Chinese, ".en"."""
    return "" if language == "zh" else f".{language}"


def language_folder(edition: Path, language: str) -> Path:
    """Where a language's pages, figures and tables go: the edition itself (zh) or its ``en/`` folder."""
    return edition if language == "zh" else edition / language


def _run_chapters(
    staging: Path, common: dict, *, jobs: int, demo: bool, progress: bool, languages: tuple[str, ...] = ("zh",)
) -> tuple[dict[str, float], list[ChapterFailure]]:
    """Every chapter in every language, ``jobs`` at a time; stops at the first failure."""
    durations: dict[str, float] = {}
    failures: list[ChapterFailure] = []
    context = multiprocessing.get_context("spawn")  # no fork: the parent holds Polars' thread pool
    with ProcessPoolExecutor(max_workers=min(jobs, len(CHAPTERS)), mp_context=context) as pool:
        futures = {
            pool.submit(
                _run_chapter,
                key,
                str(paths.NOTEBOOKS_DIR),
                str(staging),
                chapter_parameters(key)
                | common
                | {"language": language, "output_dir": str(language_folder(staging, language))},
                demo,
                languages,
            ): key + _suffix(language)
            for language in languages
            for key in RUN_ORDER
        }
        bar = tqdm(
            total=len(futures), desc=f"edition {common['year']}", unit="chapter", disable=not progress, file=sys.stderr
        )
        pending = set(futures)
        while pending and not failures:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                bar.update(1)
                if isinstance(result, ChapterFailure):
                    failures.append(result)
                else:
                    durations[futures[future]] = round(result, 2)
        for future in pending:
            future.cancel()
        bar.close()
    return durations, failures


def _assemble(staging: Path, config: dict, city: dict, *, demo: bool, population_source: str) -> None:
    """Everything after the chapters (whose pages the workers wrote): index, workbook, indicators.json."""
    year = config["year"]
    for language in config["languages"]:
        folder = language_folder(staging, language)
        (folder / "index.html").write_text(
            html.render_index(
                year=year,
                indicators=city,
                figures=html.headline_figures(folder, language),
                demo=demo,
                population_source=population_source,
                language=language,
                languages=config["languages"],
            ),
            encoding="utf-8",
        )
        tables_dir = folder / "tables"
        write_workbook(tables_dir, tables_dir / f"voldata_{year}_tables.xlsx", language=language)
    write_open_data(staging, year=year, languages=config["languages"], demo=demo, licence=config["licence"])
    for language in config["languages"]:
        folder = language_folder(staging, language)
        shutil.rmtree(folder / "tables" / TABLE_META_DIR)
        shutil.rmtree(folder / "figures" / FIGURE_META_DIR, ignore_errors=True)
    (staging / "indicators.json").write_text(json.dumps(city, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def build_edition(
    *,
    year: int,
    store: str | Path,
    out: str | Path,
    population: str | Path | None = None,
    jobs: int = 2,
    threshold: int | None = None,
    engine: str = "polars",
    spark_master: str | None = None,
    spark_conf: Iterable[str] = (),
    editorial: str | Path | None = None,
    languages: str | Iterable[str] = "zh",
    licence: str = "CC-BY-4.0",
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
    threshold : int, optional
        Small-cell suppression threshold for every table below city level
        (default: the ``suppression_threshold`` parameter's).
    engine : {"polars", "spark"}
        Engine of the year's shared city and district indicators; the chapters
        read the store with Polars either way.
    spark_master : str, optional
        ``engine="spark"``: master URL of a new session (default: the active
        session, else spark-submit's master, else ``local[*]``).
    spark_conf : iterable of str
        ``engine="spark"``: Spark settings as ``KEY=VALUE``.
    editorial : str or Path, optional
        Folder of the editors' text (:mod:`voldata.editorial`), checked before
        anything runs; without it the appendix says the editors' text was not supplied.
    languages : str or iterable of str
        The edition's languages, ``"zh"``, ``"en"`` or ``"zh,en"``: Chinese pages in ``OUT/<year>/``,
        English ones in ``OUT/<year>/en/``, from the same notebooks and numbers.
    licence : {"CC-BY-4.0", "CC0-1.0", "ODC-By-1.0"}
        The open data's licence (``OUT/<year>/opendata/``).
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
        Another build holds the edition, a chapter failed, the privacy gate
        found personal numbers, or the store changed during the build; the
        message says which and where to look. The previous edition is unchanged.
    """
    started = time.perf_counter()
    config = validate_build(
        year=year,
        store=store,
        out=out,
        population=population,
        jobs=jobs,
        threshold=threshold,
        engine=engine,
        spark_master=spark_master,
        spark_conf=spark_conf,
        editorial=editorial,
        languages=languages if isinstance(languages, str) else tuple(languages),
        licence=licence,
    )
    target = config["out"] / str(year)
    failed = config["out"] / f"{year}.failed"
    unchanged = f"the previous edition {target} is unchanged"
    try:
        with writer_lock(target, command="voldata build"), private_work(target) as work:
            generation = _store_generation(config["store"])
            report = store_module.ingest_report(config["store"])
            demo = is_demo_store(report)
            population_source = reference.population(config["population"]).attrs["source"]
            staging = work / "edition"
            (staging / "notebooks").mkdir(parents=True)
            try:
                city, indicators_file = compute_shared(config, work / "shared")
            except Exception as error:
                raise BuildError(f"computing the indicators failed: {type(error).__name__}: {error}") from error
            common = {
                "year": year,
                "store": str(config["store"]),
                "output_dir": str(staging),
                "language": config["language"],
                "suppression_threshold": config["suppression_threshold"],
                "population": str(config["population"] or ""),
                "indicators_file": str(indicators_file),
                "editorial": str(config["editorial"].folder or ""),
            }
            durations, failures = _run_chapters(
                staging, common, jobs=config["jobs"], demo=demo, progress=progress, languages=config["languages"]
            )
            if failures:
                first = failures[0]
                replace_folder(staging, failed)
                raise BuildError(
                    f"{first}; the failed notebook is kept at "
                    f"{language_folder(failed, first.language) / 'notebooks' / (first.key + '.ipynb')} "
                    f"(kernel log: {failed / LOG_DIR / (first.key + _suffix(first.language) + '.log')}); {unchanged}"
                )
            shutil.rmtree(staging / LOG_DIR, ignore_errors=True)
            _assemble(staging, config, city, demo=demo, population_source=population_source)
            write_manifest(
                staging,
                config=config,
                report=report,
                store_generation=generation,
                population_source=population_source,
                demo=demo,
                build_seconds=time.perf_counter() - started,
                chapter_seconds=durations,
                editorial=config["editorial"].summary(),
            )
            findings = privacy.scan_folder(staging)
            if findings:
                rejected = work / "rejected"
                rejected.mkdir()
                listing = [{"finding": str(f), **dataclasses.asdict(f)} for f in findings]
                (rejected / PRIVACY_REPORT).write_text(
                    json.dumps(listing, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
                )
                replace_folder(rejected, failed)
                raise BuildError(
                    f"privacy gate: personal numbers found in the built edition ({'; '.join(map(str, findings))}); "
                    f"nothing was published and the files were removed; where they were: {failed / PRIVACY_REPORT}; "
                    f"{unchanged}"
                )
            if _store_generation(config["store"]) != generation:
                raise BuildError(
                    f"the store {config['store']} was changed (ingested again) during the build; nothing was "
                    f"published; build again when the ingest has finished; {unchanged}"
                )
            replace_folder(staging, target)
            # A failed attempt kept from an earlier build no longer describes the edition.
            shutil.rmtree(failed, ignore_errors=True)
    except FolderBusy as error:
        raise BuildError(str(error)) from None
    if log:
        log(f"edition {year} written to {target} in {time.perf_counter() - started:.1f} s")
        log(editorial_summary(config["editorial"]))
    return target
