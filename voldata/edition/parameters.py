"""The edition's parameters, defined once: name, type, default, allowed values, meaning.

The chapter notebooks' papermill ``parameters`` cells hold the same names as
literals (a test checks that their defaults are the ones below); the chapter's
first cell passes them to :func:`voldata.edition.open_chapter`, which calls
:func:`validate_parameters`. ``voldata build`` takes its defaults and help
texts from here and passes every chapter the parameters it declares.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voldata import paths, reference
from voldata import store as store_module
from voldata.editorial import EditorialError, read_editorial

__all__ = [
    "CHAPTERS",
    "CHAPTERS_EN",
    "LANGUAGES",
    "parse_languages",
    "MAX_JOBS",
    "Parameter",
    "PARAMETERS",
    "COMMON",
    "ParameterError",
    "chapter_parameters",
    "resolve_store",
    "validate_parameters",
]

# Notebook stem -> Chinese part title, in the order of the printed report.
CHAPTERS: dict[str, str] = {
    "01_general_report": "总报告",
    "02_professional_development": "专业发展篇",
    "03_practice_and_cases": "实务经验篇",
    "04_district_development": "区域发展篇",
    "05_appendix": "附录",
}
#: The same parts in the English edition.
CHAPTERS_EN: dict[str, str] = {
    "01_general_report": "General Report",
    "02_professional_development": "Professional Development",
    "03_practice_and_cases": "Practice and Cases",
    "04_district_development": "District Development",
    "05_appendix": "Appendix",
}
#: The edition's languages: Chinese (the edition's own folder) and English (its ``en/`` folder).
LANGUAGES: tuple[str, ...] = ("zh", "en")
# Chapters a build executes at once, at most (``voldata build --jobs``).
MAX_JOBS = 16


class ParameterError(ValueError):
    """A chapter or build parameter is wrong; the message says which and why."""


@dataclass(frozen=True)
class Parameter:
    """One parameter of the edition.

    ``kind`` is {"int", "text", "path"}; ``low``/``high`` bound whole numbers;
    ``chapters`` names the notebooks that declare it (empty: every chapter).
    """

    name: str
    kind: str
    default: Any
    meaning: str
    low: int | None = None
    high: int | None = None
    chapters: tuple[str, ...] = ()


PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter(
            "year", "int", 2020, "reference year of the edition; must have service records in the store", 1900, 2100
        ),
        Parameter(
            "store", "path", "", "store folder written by `voldata ingest`; empty: the demo store data/demo/store"
        ),
        Parameter("output_dir", "path", "", "where figures and tables go; empty: reports/notebooks/<year>"),
        Parameter("language", "text", "zh", "language of the chapter's text: zh (Chinese) or en (English)"),
        Parameter("suppression_threshold", "int", 10, "small-cell suppression threshold below city level", 1, 1000),
        Parameter(
            "population",
            "path",
            "",
            "CSV (district_code, population) replacing the bundled 7th-census table; empty: bundled",
        ),
        Parameter(
            "indicators_file",
            "path",
            "",
            "file of the year's city and district indicators written by the build; empty: computed in the notebook",
        ),
        Parameter(
            "editorial",
            "path",
            "",
            "folder of the editors' text (template: `voldata editorial`); empty: none supplied",
        ),
        Parameter(
            "model_sample",
            "int",
            30_000,
            "at most this many volunteers (a seeded sample) per model fit",
            1_000,
            10_000_000,
            ("02_professional_development",),
        ),
        Parameter(
            "featured_projects", "int", 5, "how many featured projects to list", 1, 50, ("03_practice_and_cases",)
        ),
        Parameter(
            "regular_min_sessions",
            "int",
            12,
            "常态化 rule: a project held at least this many times in the year",
            1,
            366,
            ("03_practice_and_cases",),
        ),
        Parameter(
            "regular_min_months",
            "int",
            6,
            "常态化 rule: in at least this many different months",
            1,
            12,
            ("03_practice_and_cases",),
        ),
    )
}
COMMON: tuple[str, ...] = tuple(name for name, p in PARAMETERS.items() if not p.chapters)


def parse_languages(languages: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The languages of a build (``voldata build --lang``): ``"zh,en"`` → ``("zh", "en")``.

    Each must be one of :data:`LANGUAGES`, none twice, at least one; Chinese first when both are given.
    """
    given = languages.split(",") if isinstance(languages, str) else list(languages)
    given = [str(language).strip() for language in given]
    unknown = [language for language in given if language not in LANGUAGES]
    if not given or unknown or "" in given:
        raise ParameterError(
            f"--lang must be languages among {', '.join(LANGUAGES)} separated by commas, not {languages!r}"
        )
    if len(set(given)) != len(given):
        raise ParameterError(f"--lang names a language twice: {languages!r}")
    return tuple(language for language in LANGUAGES if language in given)


def chapter_parameters(key: str) -> dict[str, Any]:
    """The parameters chapter ``key`` declares, with their defaults (common ones first)."""
    if key not in CHAPTERS:
        raise ParameterError(f"unknown chapter {key!r}; the chapters are {list(CHAPTERS)}")
    return {name: p.default for name, p in PARAMETERS.items() if not p.chapters or key in p.chapters}


def resolve_store(store: str | Path) -> Path:
    """``""`` → the demo store (``data/demo/store``); anything else as given."""
    return paths.DEMO_DIR / "store" if str(store) == "" else Path(store).expanduser()


def _whole_number(parameter: Parameter, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{parameter.name} must be a whole number, not {value!r}")
    if not parameter.low <= int(value) <= parameter.high:
        raise ParameterError(f"{parameter.name} must be between {parameter.low} and {parameter.high}, not {value}")
    return int(value)


def _store(store: Any) -> Path:
    store_path = resolve_store(store)
    if not store_path.is_dir():
        hint = " (build the demo store with `make demo-store`)" if str(store) == "" else ""
        raise ParameterError(f"store {store_path} does not exist{hint}")
    if not (store_path / store_module.REPORT_FILE).is_file():
        raise ParameterError(
            f"{store_path} is not a voldata store (no {store_module.REPORT_FILE}); run `voldata ingest` first"
        )
    return store_path


def _population(population: Any) -> Path | None:
    if str(population) == "":
        return None
    path = Path(population).expanduser()
    if not path.is_file():
        raise ParameterError(f"population table {path} does not exist")
    try:
        reference.population(path)
    except ValueError as error:
        raise ParameterError(str(error)) from None
    return path


def validate_parameters(**given: Any) -> dict[str, Any]:
    """Check a chapter's (or the build's) parameters and resolve their defaults.

    Parameters
    ----------
    **given
        Any of :data:`PARAMETERS` (``year`` is required); missing ones take
        their default.

    Returns
    -------
    dict
        Every common parameter and the given chapter ones, resolved: ``store``
        and ``output_dir`` as ``Path``; ``population`` and ``indicators_file`` None
        or a ``Path``; ``editorial`` the checked :class:`voldata.editorial.Editorial`
        (empty when none was given).

    Raises
    ------
    ParameterError
        With a message naming the parameter.
    """
    unknown = sorted(set(given) - set(PARAMETERS))
    if unknown:
        raise ParameterError(f"unknown parameter {unknown[0]!r}; the parameters are {sorted(PARAMETERS)}")
    if "year" not in given:
        raise ParameterError("year is required")
    values = {name: given.get(name, PARAMETERS[name].default) for name in COMMON} | {
        name: value for name, value in given.items() if name not in COMMON
    }
    resolved: dict[str, Any] = {}
    for name, value in values.items():
        if PARAMETERS[name].kind == "int":
            resolved[name] = _whole_number(PARAMETERS[name], value)
    if values["language"] not in LANGUAGES:
        raise ParameterError(f"language must be one of {list(LANGUAGES)}, not {values['language']!r}")
    resolved["language"] = values["language"]
    store_path = resolved["store"] = _store(values["store"])
    year = resolved["year"]
    years = store_module.store_years(store_path, "service_records")
    if year not in years:
        have = f"{years[0]}–{years[-1]}" if years else "none"
        raise ParameterError(f"year {year} is not in the store {store_path} (years with service records: {have})")
    resolved["population"] = _population(values["population"])
    indicators_file = values["indicators_file"]
    resolved["indicators_file"] = None if str(indicators_file) == "" else Path(indicators_file).expanduser()
    if resolved["indicators_file"] is not None and not resolved["indicators_file"].is_file():
        raise ParameterError(f"indicators_file {resolved['indicators_file']} does not exist")
    try:
        resolved["editorial"] = read_editorial(values["editorial"])
    except EditorialError as error:
        raise ParameterError(f"editorial: {error}") from None
    output_dir = values["output_dir"]
    resolved["output_dir"] = (
        paths.REPORTS_DIR / "notebooks" / str(year) if str(output_dir) == "" else Path(output_dir).expanduser()
    )
    return {name: resolved[name] for name in values}
