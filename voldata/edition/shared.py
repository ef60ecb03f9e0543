"""The year's indicators computed once for every chapter: one file the build writes and the chapters read.

``<folder>/indicators.json`` holds the city indicators (``city``), the name
of a Parquet file beside it with the district indicators (``district``), so
the district frame keeps its column types, and the other values the chapters
compute from their indicator context (``chapter_values``: last year's city
indicators, the contribution value's change, each year's scale, the data
window, the district hours by month; see :func:`chapter_values`). The build passes the JSON file's path to each chapter
as its ``indicators_file`` parameter; the chapter's context takes those values
(:func:`chapter_context`), so the library functions a notebook calls return
them without computing them again. A chapter run on its own computes them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from voldata import indicators
from voldata.edition import analysis, districts, series

__all__ = [
    "SharedIndicators",
    "json_ready",
    "compute_indicators",
    "chapter_values",
    "write_indicators",
    "read_indicators",
    "chapter_context",
]

DISTRICT_FILE = "district_indicators.parquet"
MONTHLY_HOURS_FILE = "district_monthly_hours.parquet"


def json_ready(value: Any) -> Any:
    """Numbers as plain JSON (NaN → null), containers recursively."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (int, float)):
        return value
    if pd.isna(value):
        return None
    return str(value)


SharedIndicators = tuple[dict, pd.DataFrame]


def compute_indicators(context: indicators.Context, *, year: int, population: Path | None) -> SharedIndicators:
    """City (JSON-ready) and district indicators of ``year`` over an indicator context of the store."""
    city = json_ready(indicators.city_indicators(context, year=year, population=population))
    district = indicators.district_indicators(context, year=year, population=population)
    return city, district


def chapter_values(context: indicators.Context, *, year: int, population: Path | None = None) -> dict[str, Any]:
    """What the chapters compute from their indicator context beyond the city and district indicators,
    computed once here (over the build's context they reuse the aggregates the indicators computed).

    :func:`voldata.indicators.previous_city_indicators` and :func:`voldata.indicators.value_change`
    of Y, :func:`voldata.edition.analysis.year_scale` of every store year up to Y,
    :func:`voldata.indicators.data_window` and :func:`voldata.edition.districts.monthly_hours` of Y,
    and the city indicators of every earlier store year (the series of 总报告 and 附录).
    """
    return {
        "year": year,
        "previous_city_indicators": indicators.previous_city_indicators(context, year=year),
        "value_change": indicators.value_change(context, year=year),
        "year_scale": {y: analysis.year_scale(context, y) for y in context.store_years() if y <= year},
        "data_window": indicators.data_window(context),
        "district_monthly_hours": districts.monthly_hours(context, year=year),
        "earlier_city_indicators": {
            y: json_ready(series.city_indicators_of(context, year=y, population=population))
            for y in context.store_years()
            if y < year
        },
        "population": None if population is None else str(population),
    }


def write_indicators(folder: Path, city: dict, district: pd.DataFrame, values: dict | None = None) -> Path:
    """Write the shared indicators (and :func:`chapter_values`) into ``folder``; returns the path of the JSON file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    district.to_parquet(folder / DISTRICT_FILE, index=False)
    content = {"city": city, "district": DISTRICT_FILE}
    if values is not None:
        values = dict(values)
        values["district_monthly_hours"].to_parquet(folder / MONTHLY_HOURS_FILE, index=False)
        values["district_monthly_hours"] = MONTHLY_HOURS_FILE
        window = values["data_window"]
        values["data_window"] = None if window is None else {key: moment.isoformat() for key, moment in window.items()}
        content["chapter_values"] = json_ready(values)
    target = folder / "indicators.json"
    target.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return target


def read_indicators(path: Path) -> SharedIndicators:
    """The (city, district) indicators written by :func:`write_indicators`."""
    path = Path(path)
    content = json.loads(path.read_text(encoding="utf-8"))
    return content["city"], pd.read_parquet(path.parent / content["district"])


def chapter_context(tables: dict, indicators_file: Path | None) -> indicators.Context:
    """A chapter's indicator context over ``tables``, holding the :func:`chapter_values` of ``indicators_file``.

    Each value is kept under the key the function computing it uses in a context.
    """
    context = indicators.Context(tables)
    if indicators_file is None:
        return context
    path = Path(indicators_file)
    values = json.loads(path.read_text(encoding="utf-8")).get("chapter_values")
    if values is None:
        return context
    year = values["year"]
    context.remember(("previous_city_indicators", year), values["previous_city_indicators"])
    context.remember(("value_change", year), values["value_change"])
    for y, row in values["year_scale"].items():
        context.remember(("year_scale", int(y)), row)
    window = values["data_window"]
    context.remember(
        "data_window", None if window is None else {key: dt.datetime.fromisoformat(t) for key, t in window.items()}
    )
    context.remember(("district_monthly_hours", year), pd.read_parquet(path.parent / values["district_monthly_hours"]))
    for y, city in values["earlier_city_indicators"].items():
        context.remember(series.city_indicators_key(int(y), values["population"]), city)
    return context
