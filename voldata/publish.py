"""Small-cell suppression: the one function every published table below city level goes through.

Rule (spec/indicators.md, Publication rules): in any published table below city
level, a count of people below the threshold (default 10) is shown as ``<10``
and every rate or share derived from it is blank. City totals are not suppressed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["suppress", "DISTRICT_COUNTS", "DISTRICT_RATES", "suppress_district_indicators"]

#: Counts of people in :func:`voldata.indicators.district_indicators`
#: (teams and activities are not people and are never suppressed).
DISTRICT_COUNTS = [
    "registered_volunteers",
    "new_volunteers",
    "active_volunteers",
    "party_member_volunteers",
    "party_member_active",
    "star_1",
    "star_2",
    "star_3",
    "star_4",
    "star_5",
]

#: Which counts each derived column of ``district_indicators`` follows: blank
#: when any of them is suppressed. Hours are a sum over the active volunteers,
#: so they follow that count too.
DISTRICT_RATES: dict[str, list[str]] = {
    "active_rate": ["active_volunteers", "registered_volunteers"],
    "service_hours": ["active_volunteers"],
    "hours_per_active_mean": ["active_volunteers"],
    "hours_per_active_median": ["active_volunteers"],
    "volunteers_per_10k": ["registered_volunteers"],
    "party_share_of_active": ["party_member_active", "active_volunteers"],
    **{f"{count}_yoy": [count] for count in DISTRICT_COUNTS},
    "service_hours_yoy": ["active_volunteers"],
    "volunteers_per_10k_yoy": ["registered_volunteers"],
}


def suppress(
    frame: pd.DataFrame,
    *,
    counts: Sequence[str],
    rates: Mapping[str, str | Iterable[str]],
    threshold: int = 10,
    keep_rows: Sequence[bool] | pd.Series | None = None,
) -> pd.DataFrame:
    """Suppress small cells of a table below city level.

    Parameters
    ----------
    frame : DataFrame
        The table to publish (one row per district, street, category ...).
    counts : sequence of str
        Columns holding counts of people. A value below ``threshold``
        (including 0) is shown as ``"<{threshold}"``.
    rates : mapping of str to str or iterable of str
        Derived column -> the count column(s) it is computed from. The derived
        value is blanked (missing) in every row where any of those counts is
        suppressed. Every count named here must be in ``counts``.
    threshold : int, default 10
        Smallest count that is shown.
    keep_rows : sequence of bool, optional
        Rows left untouched (e.g. a city-total row: city totals are not suppressed).

    Returns
    -------
    DataFrame
        A copy. Count columns become text (``str``): whole numbers as digits,
        small cells as ``"<10"``, missing as missing. Rate columns stay float64
        with blanks (NaN) where suppressed. Other columns are unchanged.

    Examples
    --------
    >>> suppress(table, counts=["active_volunteers"], rates={"hours_per_active_mean": "active_volunteers"})
    """
    counts = list(counts)
    rates = {rate: [sources] if isinstance(sources, str) else list(sources) for rate, sources in rates.items()}
    missing = [c for c in counts + list(rates) if c not in frame.columns]
    if missing:
        raise KeyError(f"suppress: columns not in the table: {missing}")
    unknown = sorted({s for sources in rates.values() for s in sources} - set(counts))
    if unknown:
        raise ValueError(f"suppress: rates follow {unknown}, which are not listed in counts")
    if threshold < 1:
        raise ValueError("suppress: threshold must be at least 1")

    keep = np.zeros(len(frame), dtype=bool) if keep_rows is None else np.asarray(keep_rows, dtype=bool)
    out = frame.copy()
    small: dict[str, np.ndarray] = {}
    for column in counts:
        values = pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy()
        small[column] = (values < threshold) & ~np.isnan(values) & ~keep
        text = np.array([None if np.isnan(v) else str(int(round(v))) for v in values], dtype=object)
        text[small[column]] = f"<{threshold}"
        out[column] = pd.array(text, dtype="str")
    for rate, sources in rates.items():
        blank = np.zeros(len(frame), dtype=bool)
        for source in sources:
            blank |= small[source]
        values = pd.to_numeric(frame[rate], errors="coerce").astype("float64").to_numpy().copy()
        values[blank] = np.nan
        out[rate] = values
    return out


def suppress_district_indicators(frame: pd.DataFrame, *, threshold: int = 10) -> pd.DataFrame:
    """:func:`suppress` with the counts and rates of :func:`voldata.indicators.district_indicators`.

    Only the columns present in ``frame`` are used, so a selection of columns works too.
    """
    counts = [c for c in DISTRICT_COUNTS if c in frame.columns]
    rates = {
        rate: [s for s in sources if s in counts]
        for rate, sources in DISTRICT_RATES.items()
        if rate in frame.columns and any(s in counts for s in sources)
    }
    return suppress(frame, counts=counts, rates=rates, threshold=threshold)
