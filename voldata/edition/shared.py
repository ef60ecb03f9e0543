"""The year's indicators computed once for every chapter: one file the build writes and the chapters read.

``<folder>/indicators.json`` holds the city indicators (``city``) and the name
of a Parquet file beside it with the district indicators (``district``), so
the district frame keeps its column types. The build passes the JSON file's
path to each chapter as its ``indicators_file`` parameter.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from voldata import indicators

__all__ = ["SharedIndicators", "json_ready", "compute_indicators", "write_indicators", "read_indicators"]

DISTRICT_FILE = "district_indicators.parquet"


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


def write_indicators(folder: Path, city: dict, district: pd.DataFrame) -> Path:
    """Write the shared indicators into ``folder``; returns the path of the JSON file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    district.to_parquet(folder / DISTRICT_FILE, index=False)
    target = folder / "indicators.json"
    content = {"city": city, "district": DISTRICT_FILE}
    target.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return target


def read_indicators(path: Path) -> SharedIndicators:
    """The (city, district) indicators written by :func:`write_indicators`."""
    path = Path(path)
    content = json.loads(path.read_text(encoding="utf-8"))
    return content["city"], pd.read_parquet(path.parent / content["district"])
