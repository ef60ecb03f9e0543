"""Dates as integers, and the seasonal calendar of volunteering in Guangzhou.

Dates are days since 1970-01-01 (int64) and times seconds since then (int64,
local wall-clock time), so millions of them are drawn and compared as plain
numpy arrays.
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = [
    "day",
    "year_bounds",
    "year_of",
    "month_of",
    "day_weights",
    "to_date_text",
    "to_datetime_text",
    "to_polars_date",
    "to_polars_datetime",
    "EPIDEMIC_START_YEAR",
]

EPIDEMIC_START_YEAR = 2020
DAY_SECONDS = 86_400

# Relative monthly volume of ordinary activities: Spring Festival dip in February,
# 学雷锋日 (5 March) peak, summer youth volunteering, 国际志愿者日 (5 December) peak.
MONTH_WEIGHTS = np.array([0.9, 0.6, 1.6, 1.0, 1.0, 0.95, 1.05, 1.0, 0.95, 0.85, 1.0, 1.3])
# Early 2020: ordinary activities stopped for the epidemic ...
EPIDEMIC_ORDINARY_DAMPING = {2: 0.15, 3: 0.45, 4: 0.7}
# ... while epidemic prevention (疫情防控) volunteering peaked.
EPIDEMIC_MONTH_WEIGHTS = np.array([2.0, 6.0, 6.0, 4.0, 1.0, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8])


def day(text: str) -> int:
    """``"2020-03-05"`` -> days since 1970-01-01."""
    return int(np.datetime64(text, "D").astype(np.int64))


def year_bounds(year: int) -> tuple[int, int]:
    """First and last day of ``year``."""
    return day(f"{year}-01-01"), day(f"{year}-12-31")


def year_of(days: np.ndarray) -> np.ndarray:
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def month_of(days: np.ndarray) -> np.ndarray:
    """Month 1-12."""
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1


def day_weights(year: int, kind: str = "ordinary") -> tuple[np.ndarray, np.ndarray]:
    """Days of ``year`` and the probability of an activity starting on each.

    Parameters
    ----------
    kind : {"ordinary", "epidemic", "registration"}
        Ordinary activities, epidemic prevention activities (from 2020), or
        volunteer registrations (the seasons without the epidemic damping).
    """
    first, last = year_bounds(year)
    days = np.arange(first, last + 1, dtype=np.int64)
    months = month_of(days)
    dates = days.astype("datetime64[D]")
    month_length = np.bincount(months, minlength=13)[months]
    if kind == "epidemic":
        weights = EPIDEMIC_MONTH_WEIGHTS[months - 1] / month_length
    else:
        weights = MONTH_WEIGHTS[months - 1] / month_length
        day_of_month = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
        weights = weights * np.where(((months == 3) | (months == 12)) & (day_of_month == 5), 5.0, 1.0)
        if kind == "ordinary" and year == EPIDEMIC_START_YEAR:
            for month, damping in EPIDEMIC_ORDINARY_DAMPING.items():
                weights = np.where(months == month, weights * damping, weights)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weights = weights * np.where(weekday >= 5, 1.6, 1.0)
    return days, weights / weights.sum()


def to_polars_date(days: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(days, dtype=np.int64).astype("datetime64[D]"))


def to_polars_datetime(seconds: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(seconds, dtype=np.int64) * 1_000_000).cast(pl.Datetime("us"))


def to_date_text(days: np.ndarray, fmt: str = "%Y-%m-%d") -> pl.Series:
    return to_polars_date(days).dt.to_string(fmt)


def to_datetime_text(seconds: np.ndarray, fmt: str = "%Y-%m-%d %H:%M:%S") -> pl.Series:
    return to_polars_datetime(seconds).dt.to_string(fmt)
