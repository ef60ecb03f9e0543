"""A chapter's parameters, checked once, and the data every chapter shares.

Each notebook's papermill ``parameters`` cell holds literals only; the next cell
calls :func:`open_chapter` with them, which resolves the defaults (``store=""``
is the demo store, ``output_dir=""`` a scratch folder under ``reports/``),
raises :class:`ParameterError` with a plain message for anything wrong, and
returns a :class:`Chapter` that loads the store lazily (Polars) and caches the
indicators so a chapter computes each of them once.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from voldata import paths
from voldata import store as store_module

__all__ = [
    "CHAPTERS",
    "LANGUAGES",
    "DEMO_MARK",
    "ParameterError",
    "Chapter",
    "validate_parameters",
    "open_chapter",
    "resolve_store",
    "is_demo_store",
    "indicator_cache_key",
    "write_indicator_cache",
    "read_indicator_cache",
    "mark_cache_pending",
    "clear_cache_pending",
]

# Notebook stem -> Chinese part title, in the order of the printed report.
CHAPTERS: dict[str, str] = {
    "01_general_report": "总报告",
    "02_professional_development": "专业发展篇",
    "03_practice_and_cases": "实务经验篇",
    "04_district_development": "区域发展篇",
    "05_appendix": "附录",
}
LANGUAGES: tuple[str, ...] = ("zh",)
DEMO_MARK = "示例数据"
MAX_THRESHOLD = 1000
# Chapter-specific parameters: name -> (smallest, largest) allowed whole number.
COUNT_PARAMETERS: dict[str, tuple[int, int]] = {
    "featured_projects": (1, 50),
    "top_streets": (1, 500),
    "model_sample": (1_000, 10_000_000),
}
# Where the build leaves the indicators it computed once for all chapters (removed before publishing).
CACHE_DIR = ".cache"
CITY_CACHE = "city_indicators.json"
DISTRICT_CACHE = "district_indicators.parquet"
# The shared aggregates behind them (voldata.indicators.Context.save), and the marker the build
# leaves while it is still computing all this: a chapter waits for the cache instead of
# computing the same indicators a second time on the same cores.
CONTEXT_CACHE = "context"
PENDING_CACHE = "pending"
PENDING_TIMEOUT = 900.0


class ParameterError(ValueError):
    """A chapter or build parameter is wrong; the message says which and why."""


def resolve_store(store: str | Path) -> Path:
    """``""`` → the demo store (``data/demo/store``); anything else as given."""
    return paths.DEMO_DIR / "store" if str(store) == "" else Path(store).expanduser()


def _whole_number(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{name} must be a whole number, not {value!r}")
    if not low <= int(value) <= high:
        raise ParameterError(f"{name} must be between {low} and {high}, not {value}")
    return int(value)


def is_demo_store(report: dict) -> bool:
    """True when the store was ingested from the demo generator's files (their names carry 示例数据)."""
    return any(DEMO_MARK in str(entry.get("file", "")) for entry in report.get("files", []))


def validate_parameters(
    *,
    year: Any,
    store: Any = "",
    output_dir: Any = "",
    language: Any = "zh",
    suppression_threshold: Any = 10,
    population: Any = "",
    **chapter_parameters: Any,
) -> dict[str, Any]:
    """Check a chapter's (or the build's) parameters and resolve their defaults.

    Parameters
    ----------
    year : int
        Reference year; must have service records in the store.
    store : str or Path
        Store folder; ``""`` is the demo store.
    output_dir : str or Path
        Where figures and tables go; ``""`` is ``reports/notebooks/<year>``.
    language : {"zh"}
        Language of the edition (Chinese only for now).
    suppression_threshold : int
        Small-cell threshold, 1–1000.
    population : str or Path
        CSV replacing the bundled population table; ``""`` uses the bundled one.
    **chapter_parameters
        Chapter-specific whole numbers such as ``featured_projects`` (1–50).

    Returns
    -------
    dict
        The resolved values (paths as ``Path``, ``population`` None or a Path).

    Raises
    ------
    ParameterError
        With a message naming the parameter.
    """
    year = _whole_number("year", year, 1900, 2100)
    threshold = _whole_number("suppression_threshold", suppression_threshold, 1, MAX_THRESHOLD)
    if language not in LANGUAGES:
        raise ParameterError(f"language must be one of {list(LANGUAGES)}, not {language!r}")
    store_path = resolve_store(store)
    if not store_path.is_dir():
        hint = " (build the demo store with `make demo-store`)" if str(store) == "" else ""
        raise ParameterError(f"store {store_path} does not exist{hint}")
    if not (store_path / store_module.REPORT_FILE).is_file():
        raise ParameterError(
            f"{store_path} is not a voldata store (no {store_module.REPORT_FILE}); run `voldata ingest` first"
        )
    years = store_module.store_years(store_path, "service_records")
    if year not in years:
        have = f"{years[0]}–{years[-1]}" if years else "none"
        raise ParameterError(f"year {year} is not in the store {store_path} (years with service records: {have})")
    population_path = None
    if str(population) != "":
        population_path = Path(population).expanduser()
        if not population_path.is_file():
            raise ParameterError(f"population table {population_path} does not exist")
        from voldata import reference

        try:
            reference.population(population_path)
        except ValueError as error:
            raise ParameterError(str(error)) from None
    output = paths.REPORTS_DIR / "notebooks" / str(year) if str(output_dir) == "" else Path(output_dir).expanduser()
    resolved = {
        "year": year,
        "store": store_path,
        "output_dir": output,
        "language": language,
        "suppression_threshold": threshold,
        "population": population_path,
    }
    for name, value in chapter_parameters.items():
        if name not in COUNT_PARAMETERS:
            raise ParameterError(f"unknown parameter {name!r}; chapter parameters are {sorted(COUNT_PARAMETERS)}")
        resolved[name] = _whole_number(name, value, *COUNT_PARAMETERS[name])
    return resolved


@dataclass
class Chapter:
    """One chapter's resolved parameters and lazily loaded, cached data.

    Create it with :func:`open_chapter`.
    """

    key: str
    year: int
    store: Path
    output_dir: Path
    language: str
    threshold: int
    population_path: Path | None
    options: dict[str, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return CHAPTERS[self.key]

    @property
    def number(self) -> str:
        return self.key[:2]

    @cached_property
    def tables(self) -> dict:
        """All canonical tables as Polars lazy frames (nothing read until asked)."""
        return store_module.tables(self.store, engine="polars")

    @cached_property
    def years(self) -> list[int]:
        """Years with service records in the store."""
        return store_module.store_years(self.store, "service_records")

    @cached_property
    def ingest_report(self) -> dict:
        return store_module.ingest_report(self.store)

    @property
    def is_demo(self) -> bool:
        return is_demo_store(self.ingest_report)

    @cached_property
    def population(self) -> pd.DataFrame:
        from voldata import reference

        return reference.population(self.population_path)

    @cached_property
    def context(self):
        """The indicator suite's context over :attr:`tables`: pass it as ``tables`` to any
        indicator function, so shared aggregates are computed once per chapter (or taken
        from the build, which computed them once for all chapters)."""
        from voldata import indicators

        saved = self.output_dir / CACHE_DIR / CONTEXT_CACHE
        if self._shared_cache is None or not (saved / "frames.json").is_file():
            saved = None
        return indicators.Context(self.tables, saved=saved)

    @cached_property
    def _shared_cache(self) -> tuple[dict, pd.DataFrame] | None:
        return read_indicator_cache(self.output_dir, self.cache_key)

    @cached_property
    def cache_key(self) -> dict:
        """What the shared indicators depend on: store (and its ingest report), year, population table."""
        return indicator_cache_key(self.store, year=self.year, population=self.population_path)

    @cached_property
    def indicators(self) -> dict:
        """``voldata.indicators.city_indicators`` for the reference year (growth included).

        Taken from the build's shared cache when it was computed for the same
        store, year and population; computed here otherwise.
        """
        cached = self._shared_cache
        if cached is not None:
            return cached[0]
        from voldata import indicators

        return indicators.city_indicators(self.context, year=self.year, population=self.population_path)

    @cached_property
    def district_indicators(self) -> pd.DataFrame:
        """``voldata.indicators.district_indicators`` for the reference year (not yet suppressed; cached like :attr:`indicators`)."""
        cached = self._shared_cache
        if cached is not None:
            return cached[1]
        from voldata import indicators

        return indicators.district_indicators(self.context, year=self.year, population=self.population_path)

    @property
    def years_to_date(self) -> list[int]:
        """Store years up to and including the reference year."""
        return [y for y in self.years if y <= self.year]

    def table(
        self,
        frame: pd.DataFrame,
        name: str,
        *,
        title: str,
        counts=(),
        rates=None,
        labels=None,
        city_level: bool = False,
        show: bool | int = True,
    ) -> pd.DataFrame:
        """Publish a table (suppressed, CSV in ``tables/``) and show it; ``show`` = an int shows the first rows."""
        from voldata.edition.output import publish_table, show_table

        published = publish_table(
            frame,
            name,
            output_dir=self.output_dir,
            title=title,
            counts=counts,
            rates=rates,
            threshold=self.threshold,
            labels=labels,
            city_level=city_level,
        )
        if show:
            rows = published if show is True else published.head(int(show))
            show_table(
                rows,
                f"表 {title}"
                + (
                    ""
                    if show is True or len(published) <= int(show)
                    else f"（前{int(show)}行，共{len(published)}行，全表见 tables/{name}.csv）"
                ),
            )
        return published

    def figure(self, fig, name: str, caption: str):
        """Save a figure (PNG + SVG in ``figures/``) and show it with its caption."""
        from voldata.edition.output import show_figure

        return show_figure(self, fig, name, caption)

    def path(self, *parts: str) -> Path:
        return self.output_dir.joinpath(*parts)


def indicator_cache_key(store: Path, *, year: int, population: Path | None) -> dict:
    """The identity of a store's indicators: store path, sha256 of its ingest report, year, population table."""
    import hashlib

    report = Path(store) / store_module.REPORT_FILE
    return {
        "store": str(Path(store).resolve()),
        "ingest_report_sha256": hashlib.sha256(report.read_bytes()).hexdigest(),
        "year": int(year),
        "population": None if population is None else str(Path(population).resolve()),
    }


def write_indicator_cache(output_dir: Path, key: dict, city: dict, district: pd.DataFrame) -> None:
    """Leave the indicators computed once by the build for the chapters (written atomically)."""
    import json
    import os

    folder = Path(output_dir) / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{DISTRICT_CACHE}.partial"
    district.to_parquet(partial, index=False)
    os.replace(partial, folder / DISTRICT_CACHE)
    partial = folder / f"{CITY_CACHE}.partial"
    partial.write_text(json.dumps({"key": key, "values": city}, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, folder / CITY_CACHE)


def mark_cache_pending(output_dir: Path) -> None:
    """Tell the chapters that the build is computing the shared indicators: they wait for them."""
    folder = Path(output_dir) / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PENDING_CACHE).touch()


def clear_cache_pending(output_dir: Path) -> None:
    """The shared indicators are written (or will not be): chapters stop waiting."""
    (Path(output_dir) / CACHE_DIR / PENDING_CACHE).unlink(missing_ok=True)


def read_indicator_cache(
    output_dir: Path, key: dict, *, timeout: float = PENDING_TIMEOUT
) -> tuple[dict, pd.DataFrame] | None:
    """The cached (city, district) indicators when they were computed for ``key``; None otherwise.

    While the build is still computing them (:func:`mark_cache_pending`), waits up to
    ``timeout`` seconds for them.
    """
    import json
    import time

    folder = Path(output_dir) / CACHE_DIR
    deadline = time.monotonic() + timeout
    while (folder / PENDING_CACHE).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    city_file, district_file = folder / CITY_CACHE, folder / DISTRICT_CACHE
    if not (city_file.is_file() and district_file.is_file()):
        return None
    content = json.loads(city_file.read_text(encoding="utf-8"))
    if content.get("key") != key:
        return None
    return content["values"], pd.read_parquet(district_file)


def open_chapter(key: str, **parameters: Any) -> Chapter:
    """Validate a notebook's parameters and return its :class:`Chapter`.

    Parameters
    ----------
    key : {"01_general_report", "02_professional_development", "03_practice_and_cases", "04_district_development", "05_appendix"}
        The notebook's stem.
    **parameters
        The literals of the notebook's ``parameters`` cell (see :func:`validate_parameters`).
    """
    if key not in CHAPTERS:
        raise ParameterError(f"unknown chapter {key!r}; the chapters are {list(CHAPTERS)}")
    resolved = validate_parameters(**parameters)
    base = {"year", "store", "output_dir", "language", "suppression_threshold", "population"}
    chapter = Chapter(
        key=key,
        year=resolved["year"],
        store=resolved["store"],
        output_dir=resolved["output_dir"],
        language=resolved["language"],
        threshold=resolved["suppression_threshold"],
        population_path=resolved["population"],
        options={k: v for k, v in resolved.items() if k not in base},
    )
    for folder in ("figures", "tables"):
        chapter.path(folder).mkdir(parents=True, exist_ok=True)
    return chapter
