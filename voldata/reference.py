"""Guangzhou reference facts: districts, aliases, populations, categories, wages.

The tables live in ``data/reference/`` with their sources and caveats
(``data/reference/SOURCES.md``). A user can replace the population table with
their own (``population(path=...)``); everything that uses a population says
which table it used.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from voldata.paths import REFERENCE_DIR
from voldata.personal import compact

__all__ = [
    "districts",
    "district_lookup",
    "district_names",
    "district_names_en",
    "population",
    "categories",
    "target_groups",
    "wages",
    "wage_bases",
    "boundaries_path",
    "normalise_text",
]

POPULATION_COLUMNS = ("district_code", "population")


def normalise_text(value: str) -> str:
    """NFKC-normalise (full-width digits and punctuation to half-width) and strip spaces."""
    return compact(value)


@lru_cache
def districts() -> pd.DataFrame:
    """The 11 districts: code, Chinese and English name, aliases, 2020 population, streets and towns.

    The district populations are provisional (see SOURCES.md): they do not sum to
    the verified city total.
    """
    return pd.read_csv(REFERENCE_DIR / "guangzhou_districts.csv", dtype={"district_code": str})


@lru_cache
def district_lookup() -> dict[str, str]:
    """Every accepted spelling of a district (full name, name without 区, English
    name, historical names) mapped to today's 6-digit code. Keys are normalised
    with :func:`normalise_text`; English names are also keyed in lower case."""
    lookup: dict[str, str] = {}
    for row in districts().itertuples(index=False):
        names = [row.name_zh, row.name_zh.removesuffix("区"), row.name_en, row.name_en.lower(), row.district_code]
        names += str(row.aliases).split("|")
        for name in names:
            lookup[normalise_text(name)] = row.district_code
    return lookup


@lru_cache
def district_names() -> dict[str, str]:
    """6-digit code -> today's Chinese district name."""
    return dict(zip(districts()["district_code"], districts()["name_zh"]))


@lru_cache
def district_names_en() -> dict[str, str]:
    """6-digit code -> the district's official English name (``"440106"`` -> ``"Tianhe District"``)."""
    return {code: f"{name} District" for code, name in zip(districts()["district_code"], districts()["name_en"])}


def population(path: str | Path | None = None) -> pd.DataFrame:
    """Resident population by district.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with columns ``district_code`` and ``population`` to use instead of
        the bundled 7th-census table (whose district figures are provisional).

    Returns
    -------
    DataFrame
        ``district_code``, ``population``; ``attrs["source"]`` names the table used.
    """
    if path is None:
        table = districts()[["district_code", "population_2020"]].rename(columns={"population_2020": "population"})
        source = "data/reference/guangzhou_districts.csv (7th census 2020; district figures provisional)"
    else:
        path = Path(path)
        table = pd.read_csv(path, dtype={"district_code": str})
        missing = [c for c in POPULATION_COLUMNS if c not in table.columns]
        if missing:
            raise ValueError(f"{path}: population table needs columns {POPULATION_COLUMNS}; missing {missing}")
        unknown = sorted(set(table["district_code"]) - set(districts()["district_code"]))
        if unknown:
            raise ValueError(f"{path}: unknown district codes {unknown}")
        table = table[list(POPULATION_COLUMNS)]
        source = str(path)
    table = table.reset_index(drop=True)
    table.attrs["source"] = source
    return table


@lru_cache
def categories() -> pd.DataFrame:
    """The 22 service categories: ``code``, ``name_zh``."""
    return pd.read_csv(REFERENCE_DIR / "service_categories.csv")


@lru_cache
def target_groups() -> pd.DataFrame:
    """Service target groups: ``code``, ``name_zh``."""
    return pd.read_csv(REFERENCE_DIR / "target_groups.csv")


@lru_cache
def wages() -> pd.DataFrame:
    """Average monthly wage of urban non-private employees by year, with source and whether verified."""
    return pd.read_csv(REFERENCE_DIR / "wages.csv")


@lru_cache
def wage_bases() -> pd.DataFrame:
    """Other monthly wages for the contribution value's sensitivity: ``basis``, ``year``, ``monthly_wage_yuan``,
    ``source``, ``verified`` (``basis`` is {"minimum_wage", "community_services"}; see SOURCES.md)."""
    return pd.read_csv(REFERENCE_DIR / "wage_bases.csv")


def boundaries_path() -> Path:
    """GeoJSON of the 11 district outlines (property ``district_code``; see SOURCES.md for attribution)."""
    return REFERENCE_DIR / "guangzhou_districts.geojson"
