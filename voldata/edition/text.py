"""Chinese number formatting and the phrases the chapters' sentences are built from.

The chapters never type a number into prose: their sentences (in the
notebooks) interpolate the indicators through these functions, so the text is
right for every year and every store. A missing value (None or NaN) is
written as "—" (or said to be unavailable), never as 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import pandas as pd

__all__ = [
    "MISSING",
    "is_missing",
    "count",
    "number",
    "share",
    "change",
    "hours",
    "money",
    "ratio",
    "growth",
    "ranked",
    "extremes",
]

MISSING = "—"


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return str(value) in {"<NA>", "nan", "NaT"}


def count(value: object, *, unit: str = "") -> str:
    """A count the way Chinese reports write it: 1,925 · 26.1万 · 1.65亿.

    Parameters
    ----------
    value : number or None
    unit : str
        Appended after the number, e.g. ``"人"``, ``"支"``, ``"场"``.
    """
    if is_missing(value):
        return MISSING
    value = float(value)
    magnitude = abs(value)
    if magnitude >= 1e8:
        text = f"{value / 1e8:,.2f}亿"
    elif magnitude >= 1e5:
        text = f"{value / 1e4:,.1f}万"
    elif magnitude >= 1e4:
        text = f"{value / 1e4:,.2f}万"
    elif value == round(value):
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.1f}"
    return text + unit


def number(value: object, *, digits: int = 1, unit: str = "") -> str:
    """A plain number with ``digits`` decimals and thousands separators."""
    if is_missing(value):
        return MISSING
    return f"{float(value):,.{digits}f}{unit}"


def share(value: object, *, digits: int = 1) -> str:
    """A proportion (0–1) as a percentage: 0.1234 → 12.3%."""
    if is_missing(value):
        return MISSING
    return f"{float(value) * 100:.{digits}f}%"


def change(value: object, *, digits: int = 1) -> str:
    """A relative change (year on year) in words: 增长12.3% · 下降4.0% · 与上年持平.

    A missing change (no previous year in the store) says so.
    """
    if is_missing(value):
        return "（上年数据不在库中，无法计算增长）"
    value = float(value)
    if round(value * 100, digits) == 0:
        return "与上年持平"
    return f"{'增长' if value > 0 else '下降'}{abs(value) * 100:.{digits}f}%"


def hours(value: object) -> str:
    """Service hours: 12,345小时 · 65.4万小时."""
    return count(value, unit="小时")


def money(value: object) -> str:
    """Yuan: 3.52亿元 · 87.6万元 · 9,800元."""
    if is_missing(value):
        return MISSING
    value = float(value)
    if abs(value) >= 1e8:
        return f"{value / 1e8:,.2f}亿元"
    if abs(value) >= 1e4:
        return f"{value / 1e4:,.1f}万元"
    return f"{value:,.0f}元"


def ratio(value: object, *, digits: int = 2) -> str:
    """A ratio such as 1.35倍."""
    if is_missing(value):
        return MISSING
    return f"{float(value):.{digits}f}倍"


def growth(indicators: Mapping[str, object], key: str) -> str:
    """The year-on-year change of indicator ``key``: 比上年增长12.3% (下降/持平).

    无上年数据可比 when the store has no previous year.
    """
    value = indicators.get(f"{key}_yoy")
    return "无上年数据可比" if is_missing(value) else "比上年" + change(value)


def ranked(frame: pd.DataFrame, *, label: str, value: str, n: int = 3) -> str:
    """The ``n`` largest rows by ``value`` with their share of its total: 甲（45.0%）、乙（30.0%）、丙（5.0%）.

    Empty when the total is zero.
    """
    total = float(frame[value].sum())
    if total == 0:
        return ""
    top = frame.sort_values(value, ascending=False).head(n)
    return "、".join(f"{name}（{share(amount / total)}）" for name, amount in zip(top[label], top[value]))


def extremes(frame: pd.DataFrame, *, label: str, value: str, fmt: Callable[[object], str]) -> str:
    """Highest and lowest row by ``value``: 最高为甲（…），最低为乙（…）; 无数据 when every value is missing."""
    values = frame.dropna(subset=[value])
    if values.empty:
        return "无数据"
    numbers = values[value].astype(float)
    high, low = values.loc[numbers.idxmax()], values.loc[numbers.idxmin()]
    return f"最高为{high[label]}（{fmt(high[value])}），最低为{low[label]}（{fmt(low[value])}）"
