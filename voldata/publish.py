"""Disclosure control: what of a table of people may be published.

Two rules (spec/indicators.md, Publication rules):

* **Primary suppression (小数抑制).** Below city level, a count of people under the
  threshold (default 10; 0 included) is shown as ``<10``, and every mean, median,
  rate, share or growth computed from it is blank. City totals are published.
* **Secondary suppression (二次抑制).** Published counts are tied together by sums:
  the city is the sum of its districts (with the row of those with no district,
  :data:`UNKNOWN_DISTRICT`), a district the sum of its streets (with its row of
  those with no street), and a district's registered volunteers at the end of Y
  are those at the end of Y−1 plus the new ones of Y. Wherever such a sum would
  let a hidden count be worked out exactly by subtraction, more cells are hidden
  (shown as :data:`SECONDARY_MARK`), the smallest first, until no hidden count can
  be, and the union of the hidden cells of a sum is not itself a small group. A
  cell so hidden that readers can bound from the published sums to a narrow range
  anyway (:data:`RANGE_WIDTH`) is shown as that range: e.g. the district hidden
  beside a tiny unknown row, known to within the threshold from the city total.

:func:`disclosure` makes the decision once, for all the tables that share these
sums; the :class:`Disclosure` it returns applies the same decision to every
table, figure and sentence (:meth:`Disclosure.publish_districts`,
:meth:`Disclosure.publish_streets`, :meth:`Disclosure.status`). :func:`suppress`
is primary suppression alone, for a table that shares no total with another
published table (projects, months).

Which sums are real: a count of people adds up over units only when every person
belongs to exactly one unit. Volunteers belong to one district and one street (the
volunteer's own), so registered, new, active, party-member and star volunteers add
up from streets to districts to the city. Counts of teams, activities and hours
are not people and are never suppressed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from voldata import reference
from voldata.indicators._engine import as_context
from voldata.indicators.suite import UNKNOWN_DISTRICT, UNKNOWN_NAME, district_indicators, street_table

__all__ = [
    "suppress",
    "suppress_parts",
    "disclosure",
    "edition_disclosure",
    "Disclosure",
    "complete_streets",
    "appendix_text",
    "DISTRICT_COUNTS",
    "DISTRICT_RATES",
    "STREET_COUNTS",
    "STREET_RATES",
    "IDENTITIES",
    "UNKNOWN_DISTRICT",
    "UNKNOWN_NAME",
    "UNKNOWN_STREET",
    "SECONDARY_MARK",
    "RANGE_WIDTH",
    "DISTRICT_RATIOS",
    "STREET_RATIOS",
    "count_bounds",
    "APPENDIX_ZH",
    "APPENDIX_EN",
    "suppress_district_indicators",
]

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

#: Which counts each derived column of ``district_indicators`` follows: blank where
#: any of them is hidden. A growth column (``*_yoy``) also follows them in Y−1.
#: Hours (and their growth) are not people: published as they are.
DISTRICT_RATES: dict[str, list[str]] = {
    "active_rate": ["active_volunteers", "registered_volunteers"],
    "hours_per_active_mean": ["active_volunteers"],
    "hours_per_active_median": ["active_volunteers"],
    "volunteers_per_10k": ["registered_volunteers"],
    "party_share_of_active": ["party_member_active", "active_volunteers"],
    **{f"{count}_yoy": [count] for count in DISTRICT_COUNTS},
    "volunteers_per_10k_yoy": ["registered_volunteers"],
}

#: Derived columns that are ratios of counts: column -> (counts above the line, counts below it).
#: A ratio over a count shown as a range (:data:`RANGE_WIDTH`) is computed with the range's
#: midpoint, so it tells no more than the range; a derived column not listed here (a median) is
#: blank. A growth column (``*_yoy``) is this year's count over last year's.
DISTRICT_RATIOS: dict[str, tuple[list[str], list[str]]] = {
    "active_rate": (["active_volunteers"], ["registered_volunteers"]),
    "hours_per_active_mean": ([], ["active_volunteers"]),
    "volunteers_per_10k": (["registered_volunteers"], []),
    "party_share_of_active": (["party_member_active"], ["active_volunteers"]),
}

#: Counts of people of the street table (:func:`voldata.indicators.street_table`).
STREET_COUNTS = ["registered_volunteers", "active_volunteers"]
#: Derived columns of the street table and the counts they follow.
STREET_RATES: dict[str, list[str]] = {
    "active_rate": ["active_volunteers", "registered_volunteers"],
    "hours_per_active": ["active_volunteers"],
}
#: The ratios of the street table (see :data:`DISTRICT_RATIOS`).
STREET_RATIOS: dict[str, tuple[list[str], list[str]]] = {
    "active_rate": (["active_volunteers"], ["registered_volunteers"]),
    "hours_per_active": ([], ["active_volunteers"]),
}

#: Sums that hold by definition between the counts of one unit (district or city):
#: total -> parts; ``"name@previous"`` is the count at Y−1. Registered by the end
#: of Y = registered by the end of Y−1 + registered in Y.
IDENTITIES: dict[str, list[str]] = {"registered_volunteers": ["registered_volunteers@previous", "new_volunteers"]}

#: The street of the people of a district whose street is blank or cannot be placed.
UNKNOWN_STREET = UNKNOWN_NAME
#: How a cell hidden by secondary suppression is shown (it is not below the threshold).
SECONDARY_MARK = "x"

#: A cell hidden by secondary suppression is shown as the range readers can work out for it from the
#: published totals anyway (``"47549–47558"``) when that range is no wider than this share of its lower
#: end: e.g. the one district hidden beside a small unknown row is known to within the threshold.
RANGE_WIDTH = 0.01
#: Between the two ends of a range.
RANGE_DASH = "–"

_PUBLISHED, _PRIMARY, _SECONDARY, _RANGE = "published", "primary", "secondary", "range"
_BLANK_STREETS = ("（未填写）", "", UNKNOWN_STREET)
# Rounds of narrowing in Reader bounds: sums of a hierarchy settle in a few; the cap only stops a cycle.
_MAX_PASSES = 50


# The chapter gives the section its heading (小数抑制与二次抑制 / Small-cell and secondary suppression).
APPENDIX_ZH = "\n\n".join(
    [
        (
            "本报告的数据是志愿服务信息平台的全部记录，区、街道（镇）一级的人数可能很小，小到可以认出具体的人。为"
            "保护个人隐私，所有区以下的统计表、图、地图和文字都按同一规则发布："
        ),
        (
            "1. **小数抑制。** 区以下任何一格人数（注册、新增、活跃、党员、星级志愿者等）少于{thres"
            "hold}人（包括0人）时，显示为“<{threshold}”；由这一格计算的人均服务时长、中位数、"
            "活跃率、占比、每万人口志愿者数和增长率一律留空。增长率在本年或上年人数少于{threshold}人（"
            "或被隐藏）时留空。全市合计不作抑制。\n2. **二次抑制。** 只隐藏小格并不够：全市合计减去其余各"
            "区、某区合计减去其余街道、本年注册人数减去本年新增人数（上年人数可由增长率推出），都能把隐藏的数算回"
            "来。因此，凡是一个合计及其各组成部分都已发布、而隐藏的格能被减法算出（或被隐藏的几格加起来仍不足{t"
            "hreshold}人）时，再隐藏同组中最小的一格（显示为“{mark}”，表示该格不少于{thres"
            "hold}人，为防止推算而隐藏），反复进行，直到没有任何隐藏的人数能被精确算出。这样隐藏的格，读者"
            "本来就能由已发布的合计算出它落在一个范围内；范围很窄（宽度不超过其下限的{width}）时，直接显示这个范"
            "围（如“47549–47558”），而不显示“{mark}”。例如全市只有几名志愿者未填所属区时，全市合计减去各区"
            "就能算出与“未填/无法识别”同组隐藏的那个区在哪个范围内；显示这个范围不比合计本身透露更多，却保住了"
            "该区几乎全部的数值，地图和图表也不必把它留空。由这样的格计算的活跃率、人均服务时长、占比、每万人口志"
            "愿者数和增长率按范围的中点计算（误差不超过{half}），中位数留空。同一格在所有表（含C"
            "SV和Excel工作簿）、图、地图和文字中都同样隐藏；文字中的排名（“最高”“最低”）只在已发布的数"
            "值之间比较。\n3. **未填/无法识别。** 没有填写所属区（或区名无法识别）的志愿者单列一行“未填"
            "/无法识别”，同样按上述规则抑制，使各区相加等于全市；各区的街道表也单列该区未填或无法识别街道的一行"
            "。\n4. **不作抑制的数。** 队伍数、活动数和服务时长不是人数，不作抑制。"
        ),
        "上年数值按上年报告的同一规则判断：上年被隐藏的格（显示为范围的除外），本年的增长率也留空。",
    ]
)

APPENDIX_EN = "\n\n".join(
    [
        (
            "The report's data are the platform's complete records, so counts of people by district and street "
            "can be small enough to point to individuals. Every table, figure, map and sentence below city level "
            "follows one rule:"
        ),
        (
            "1. **Small cells (primary suppression).** A count of people below city level (registered, new, "
            "active, party-member, star volunteers …) under {threshold}, zero included, is shown as "
            '"<{threshold}", and every mean, median, rate, share, per-10,000 figure and growth rate computed from'
            " it is blank. A growth rate is blank when either year's count is under {threshold} (or hidden). City"
            " totals are not suppressed.\n"
            "2. **Secondary suppression.** Hiding the small cells alone is not "
            "enough: the city total minus the other districts, a district total minus its other streets, or this "
            "year's registered volunteers minus this year's new ones (last year's count follows from the growth "
            "rate) would give a hidden count back. So wherever a published total and its parts would let a hidden"
            " count be worked out exactly by subtraction (or the hidden cells of a total together hold fewer than"
            ' {threshold} people), the smallest other cell of that total is hidden too (shown as "{mark}": at '
            "least {threshold}, hidden so the small cell cannot be derived), repeating until no hidden count can "
            "be recovered. Readers can already work out from the published totals a range for each cell hidden "
            "this way; where that range is narrow (no wider than {width} of its lower end) the cell is shown as "
            'the range (e.g. "47549–47558") instead of "{mark}". When only a handful of volunteers have no '
            "district, for instance, the city total minus the districts tells readers within a few people the "
            "count of the district hidden beside the unknown row; showing that range tells no more than the total "
            "does and keeps nearly all of the district's value, so maps and charts need not leave it blank. Rates, "
            "means, shares, per-10,000 figures and growth rates of such a cell are computed from the range's "
            "midpoint (off by at most {half}); its median is blank. A cell hidden once is hidden in every table "
            "(CSV and Excel workbook included), figure,"
            ' map and sentence; rankings in the text ("highest", "lowest") compare published values only.\n'
            "3. **Unknown district.** Volunteers with no district (or one that cannot be recognised) have their own "
            'row, "Not given / not recognised", suppressed like any other, so the districts add up to the'
            " city; each district's street table likewise has a row for those whose street is not given or not "
            "recognised.\n"
            "4. **Not suppressed.** Counts of teams, activities and hours of service are not counts "
            "of people and are not suppressed."
        ),
        (
            "Last year's values follow last year's decision under the same rule: a cell hidden last year (other "
            "than one shown as a range) leaves this year's growth rate blank."
        ),
    ]
)


def appendix_text(*, threshold: int = 10, language: str = "zh") -> str:
    """The appendix section 小数抑制与二次抑制 (Markdown, without its heading), for ``language`` {"zh", "en"}."""
    if language not in ("zh", "en"):
        raise ValueError(f"language must be one of zh, en; not {language!r}")
    template = APPENDIX_ZH if language == "zh" else APPENDIX_EN
    return template.format(
        threshold=threshold, mark=SECONDARY_MARK, width=f"{RANGE_WIDTH:.0%}", half=f"{RANGE_WIDTH / 2:.1%}"
    )


# -- one table, primary suppression only ---------------------------------------


def _count_text(
    values: np.ndarray,
    status: np.ndarray,
    threshold: int,
    low: np.ndarray | None = None,
    high: np.ndarray | None = None,
) -> pd.arrays.ArrowStringArray:
    """Counts as published text: digits, ``<threshold`` (primary), the secondary mark, a range
    ``low–high`` (``low`` and ``high`` given), missing as missing."""
    text = np.array([None if np.isnan(v) else str(int(round(v))) for v in values], dtype=object)
    text[status == _PRIMARY] = f"<{threshold}"
    text[status == _SECONDARY] = SECONDARY_MARK
    for i in np.flatnonzero(status == _RANGE):
        text[i] = f"{int(low[i])}{RANGE_DASH}{int(high[i])}"
    return pd.array(text, dtype="str")


def count_bounds(text: object, *, threshold: int = 10) -> tuple[float, float] | None:
    """What a published count tells a reader: its smallest and largest value (None for text that is no count).

    ``"12"`` → (12, 12); ``"<10"`` → (0, 9); ``"x"`` → (10, inf); ``"47549–47558"`` → (47549, 47558).
    """
    if not isinstance(text, str):
        return None
    if text.isdigit():
        return float(text), float(text)
    if text == f"<{threshold}":
        return 0.0, threshold - 1.0
    if text == SECONDARY_MARK:
        return float(threshold), math.inf
    low, dash, high = text.partition(RANGE_DASH)
    if dash and low.isdigit() and high.isdigit() and int(low) <= int(high):
        return float(low), float(high)
    return None


def _numbers(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan).copy()


def _sources(rates: Mapping[str, str | Iterable[str]]) -> dict[str, list[str]]:
    return {rate: [sources] if isinstance(sources, str) else list(sources) for rate, sources in rates.items()}


def suppress(
    frame: pd.DataFrame,
    *,
    counts: Sequence[str],
    rates: Mapping[str, str | Iterable[str]],
    threshold: int = 10,
    keep_rows: Sequence[bool] | pd.Series | None = None,
) -> pd.DataFrame:
    """Primary suppression of one table that shares no total with another published table.

    A table whose rows add up to a published total (districts, streets) goes
    through :func:`disclosure` instead, so that hidden cells cannot be rebuilt.

    Parameters
    ----------
    frame : DataFrame
        The table to publish (one row per project, month, category ...).
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
    rates = _sources(rates)
    missing = [c for c in counts + list(rates) if c not in frame.columns]
    if missing:
        raise KeyError(f"suppress: columns not in the table: {missing}")
    unknown = sorted({s for sources in rates.values() for s in sources} - set(counts))
    if unknown:
        raise ValueError(f"suppress: rates follow {unknown}, which are not listed in counts")
    _check_threshold(threshold)

    keep = np.zeros(len(frame), dtype=bool) if keep_rows is None else np.asarray(keep_rows, dtype=bool)
    out = frame.copy()
    small: dict[str, np.ndarray] = {}
    for column in counts:
        values = _numbers(frame[column])
        small[column] = (values < threshold) & ~np.isnan(values) & ~keep
        out[column] = _count_text(values, np.where(small[column], _PRIMARY, _PUBLISHED), threshold)
    for rate, sources in rates.items():
        values = _numbers(frame[rate])
        values[np.logical_or.reduce([small[s] for s in sources])] = np.nan
        out[rate] = values
    return out


def suppress_parts(
    frame: pd.DataFrame,
    *,
    counts: Sequence[str],
    rates: Mapping[str, str | Iterable[str]],
    threshold: int = 10,
) -> pd.DataFrame:
    """Primary and secondary suppression of a table whose rows may add up to a published total.

    For a breakdown of the city below city level other than districts and
    streets (e.g. months): each count column is taken to sum to a total that
    readers know (the city's, or last year's total subtracted from this year's),
    so that a single small month cannot be worked out from the others. Cells are
    hidden as :func:`disclosure` hides them: ``<threshold`` for small cells, then
    :data:`SECONDARY_MARK` on the smallest others until no hidden count can be
    worked out exactly and the hidden cells together are not a small group; a
    cell hidden only to protect another is shown as the range readers can work
    out for it anyway where that range is narrow (:data:`RANGE_WIDTH`), as in
    :func:`disclosure`. Rates over a hidden or range cell are blank.

    Parameters
    ----------
    frame : DataFrame
        One row per part (month, category ...).
    counts : sequence of str
        Columns holding counts of people; each is decided on its own sum.
    rates : mapping of str to str or iterable of str
        Derived column -> the count column(s) it follows: blank where any is hidden
        (whole-number columns stay whole, as Int64).
    threshold : int, default 10
        Smallest count that is shown.

    Returns
    -------
    DataFrame
        A copy; count columns as text (digits, ``<10``, ``x``, a range ``low–high``), rates float64 with blanks.
    """
    counts = list(counts)
    rates = _sources(rates)
    missing = [c for c in counts + list(rates) if c not in frame.columns]
    if missing:
        raise KeyError(f"suppress_parts: columns not in the table: {missing}")
    _check_threshold(threshold)
    out = frame.copy()
    hidden: dict[str, np.ndarray] = {}
    for column in counts:
        values = _numbers(frame[column])
        cells = _Cells(threshold)
        total = cells.add(("city", "", "", column, "current"), float(np.nansum(values)), fixed=True)
        parts = [cells.add(("part", str(i), "", column, "current"), v) for i, v in enumerate(values)]
        cells.add_sum(total, parts)
        cells.solve()
        cells.show_ranges(RANGE_WIDTH)
        status = np.array([cells.status[i] for i in parts], dtype=object)
        low, high = (np.asarray(bound)[parts] for bound in cells._marks())
        hidden[column] = status != _PUBLISHED
        out[column] = _count_text(values, status, threshold, low, high)
    for rate, sources in rates.items():
        values = _numbers(frame[rate])
        values[np.logical_or.reduce([hidden[s] for s in sources])] = np.nan
        # a whole-number column (a count of reports) stays whole, with blanks
        out[rate] = pd.array(values, dtype="Int64") if pd.api.types.is_integer_dtype(frame[rate]) else values
    return out


def suppress_district_indicators(frame: pd.DataFrame, *, threshold: int = 10) -> pd.DataFrame:
    """:func:`suppress` with the counts and rates of :func:`voldata.indicators.district_indicators`.

    Primary suppression only: a published district table goes through
    :meth:`Disclosure.publish_districts`. Only the columns present in ``frame`` are used.
    """
    counts = [c for c in DISTRICT_COUNTS if c in frame.columns]
    rates = {
        rate: [s for s in sources if s in counts]
        for rate, sources in DISTRICT_RATES.items()
        if rate in frame.columns and any(s in counts for s in sources)
    }
    return suppress(frame, counts=counts, rates=rates, threshold=threshold)


def _check_threshold(threshold: int) -> None:
    if threshold < 1:
        raise ValueError("suppress: threshold must be at least 1")


# -- tables that share totals: the decision ------------------------------------

_Key = tuple[str, str, str, str, str]  # (level, district_code, street, measure, period)


class _Cells:
    """The cells of the decision: value, whether they may be hidden, status; and the sums tying them."""

    def __init__(self, threshold: int):
        self.threshold = threshold
        self.index: dict[_Key, int] = {}
        self.keys: list[_Key] = []
        self.values: list[float] = []
        self.fixed: list[bool] = []  # published elsewhere (city totals, last year's edition): never hidden here
        self.status: list[str] = []
        self.ranges: dict[int, tuple[float, float]] = {}  # the range shown for a cell of status range
        self.sums: list[list[tuple[int, int]]] = []  # members (cell, sign): sum of sign × value = 0

    def add(
        self,
        key: _Key,
        value: float,
        *,
        fixed: bool = False,
        status: str | None = None,
        shown: tuple[float, float] | None = None,
    ) -> int:
        if key in self.index:
            return self.index[key]
        if math.isnan(value):
            raise ValueError(f"disclosure: the count {key[3]} of {key[1]} {key[2]} is missing".rstrip())
        self.index[key] = len(self.keys)
        self.keys.append(key)
        self.values.append(float(value))
        self.fixed.append(fixed)
        if status is None:
            status = _PRIMARY if (value < self.threshold and not fixed) else _PUBLISHED
        self.status.append(status)
        if status == _RANGE:
            self.ranges[self.index[key]] = shown
        return self.index[key]

    def add_sum(self, total: int, parts: Iterable[int]) -> None:
        self.sums.append([(total, 1), *((part, -1) for part in parts)])

    def _marks(self) -> tuple[list[float], list[float]]:
        """What each cell's mark tells a reader: its value if published, else the range the mark says."""
        low, high = [], []
        for cell, (value, status) in enumerate(zip(self.values, self.status, strict=True)):
            if status == _PUBLISHED:
                low.append(value), high.append(value)
            elif status == _PRIMARY:
                low.append(0.0), high.append(self.threshold - 1.0)
            elif status == _RANGE:
                low.append(self.ranges[cell][0]), high.append(self.ranges[cell][1])
            else:
                low.append(float(self.threshold)), high.append(math.inf)
        return low, high

    def reader_bounds(self) -> tuple[list[float], list[float]]:
        """What a reader can work out of each cell from the marks and every published sum together.

        Each sum narrows the range of each of its members to what the other members'
        ranges leave (whole numbers), over and over until nothing narrows.
        """
        low, high = self._marks()
        for _ in range(_MAX_PASSES):
            narrowed = False
            for members in self.sums:
                # ranges of sign × value of each member
                term_low = [sign * low[c] if sign > 0 else -high[c] for c, sign in members]
                term_high = [sign * high[c] if sign > 0 else -low[c] for c, sign in members]
                low_sum, low_inf = _finite_sum(term_low)
                high_sum, high_inf = _finite_sum(term_high)
                for i, (cell, sign) in enumerate(members):
                    if low[cell] == high[cell]:
                        continue
                    # sign × value = −(the others), the others within [others_low, others_high]
                    others_low = _without(low_sum, low_inf, term_low[i], -math.inf)
                    others_high = _without(high_sum, high_inf, term_high[i], math.inf)
                    lo, hi = (-others_high, -others_low) if sign > 0 else (others_low, others_high)
                    # counts are whole numbers
                    lo = math.ceil(lo - 1e-6) if lo > -math.inf else lo
                    hi = math.floor(hi + 1e-6) if hi < math.inf else hi
                    if lo > low[cell]:
                        low[cell], narrowed = float(lo), True
                    if hi < high[cell]:
                        high[cell], narrowed = float(hi), True
            if not narrowed:
                break
        return low, high

    def _unsafe(self, members: list[tuple[int, int]], low: list[float], high: list[float]) -> bool:
        """True when a hidden member of this sum can be worked out exactly, or its hidden parts form a small group."""
        hidden = [(cell, sign) for cell, sign in members if self.status[cell] != _PUBLISHED]
        if not hidden:
            return False
        if any(high[cell] - low[cell] < 1 for cell, _ in hidden):
            return True
        signs = {sign for _, sign in hidden}
        known = sum(sign * self.values[cell] for cell, sign in hidden)  # what the published members give away
        return len(signs) == 1 and abs(known) < self.threshold  # the hidden cells together: a small group

    def solve(self) -> None:
        """Hide more cells, round after round, until every sum is safe.

        A round first mends the sums with exactly one hidden cell (the plain
        subtraction); only when there are none, the sums that give a cell away
        together with the others (or whose hidden cells form a small group). Each
        mended sum hides its smallest published cell that may be hidden.
        """
        while True:
            low, high = self.reader_bounds()
            single, unsafe = [], []
            for members in self.sums:
                hidden = sum(1 for c, _ in members if self.status[c] != _PUBLISHED)
                if hidden == 1:
                    single.append(members)
                elif hidden and self._unsafe(members, low, high):
                    unsafe.append(members)
            hide = {c for members in single for c in self._smallest(members)}
            if not hide:
                hide = {c for members in unsafe for c in self._smallest(members)}
            if not hide:
                return
            for cell in hide:
                self.status[cell] = _SECONDARY

    def show_ranges(self, width: float) -> None:
        """Show each secondary cell as the range readers can work out for it, where that range is narrow.

        The ranges come from the marks and the published sums alone, so showing them
        instead of the mark tells a reader nothing new: the decision stays as safe as it
        was, and a large cell hidden only to protect a small one keeps nearly all its value.
        """
        low, high = self.reader_bounds()
        for cell, status in enumerate(self.status):
            if status == _SECONDARY and high[cell] - low[cell] <= width * low[cell]:
                self.status[cell] = _RANGE
                self.ranges[cell] = (low[cell], high[cell])

    def _smallest(self, members: list[tuple[int, int]]) -> list[int]:
        """The smallest published cell of a sum that may be hidden (none when its totals are published elsewhere)."""
        candidates = [c for c, _ in members if self.status[c] == _PUBLISHED and not self.fixed[c]]
        return [min(candidates, key=lambda c: (self.values[c], c))] if candidates else []

    def frame(self) -> pd.DataFrame:
        levels, districts, streets, measures, periods = zip(*self.keys, strict=True) if self.keys else ([],) * 5
        status = pd.array(self.status, dtype="str")
        low, high = self._marks()
        return pd.DataFrame(
            {
                "level": pd.array(levels, dtype="str"),
                "district_code": pd.array(districts, dtype="str"),
                "street": pd.array([s or None for s in streets], dtype="str"),
                "measure": pd.array(measures, dtype="str"),
                "period": pd.array(periods, dtype="str"),
                "value": np.asarray(self.values, dtype="float64"),
                "hidden": np.asarray([s != _PUBLISHED for s in self.status], dtype=bool),
                "reason": status,
                "low": np.asarray(low, dtype="float64"),
                "high": np.asarray(high, dtype="float64"),
            }
        )


@dataclass(frozen=True)
class Disclosure:
    """The decision of :func:`disclosure`: for every cell, published or hidden, and why.

    Attributes
    ----------
    cells : DataFrame
        One row per cell: ``level`` {"city", "district", "street"},
        ``district_code``, ``street`` (missing above street level), ``measure``
        (the count's column name), ``period`` {"current", "previous"}, ``value``
        (the true count), ``hidden`` (bool), ``reason`` {"published",
        "primary", "secondary", "range"} ("range": hidden by secondary
        suppression and shown as the narrow range readers can work out anyway)
        and ``low``, ``high`` (what the publication states of the cell: its
        value, 0 to threshold − 1, threshold to infinity, or the range). City
        cells are always published; "previous" cells carry last year's decision
        (read only for growth rates). It holds the true values of hidden cells:
        it is never itself published.
    threshold : int
        The threshold the decision was made with.
    """

    cells: pd.DataFrame
    threshold: int

    def status(self, measure: str, *, level: str = "district", period: str = "current") -> pd.Series:
        """``reason`` of one count's cells, indexed by district_code (streets: by district_code and street)."""
        rows = self.cells[
            (self.cells["level"] == level) & (self.cells["measure"] == measure) & (self.cells["period"] == period)
        ]
        if rows.empty:
            raise KeyError(f"no {period} {level} cells of {measure!r} in this decision")
        keys = ["district_code", "street"] if level == "street" else ["district_code"]
        return rows.set_index(keys)["reason"]

    def hidden(self, measure: str, *, level: str = "district", period: str = "current") -> pd.Series:
        """True where a count is hidden (for any reason), indexed as :meth:`status`."""
        return self.status(measure, level=level, period=period) != _PUBLISHED

    def publish_districts(
        self,
        frame: pd.DataFrame,
        *,
        rates: Mapping[str, str | Iterable[str]] | None = None,
        numeric: bool = False,
    ) -> pd.DataFrame:
        """A district table (any of its columns, rows in any order) as published.

        Parameters
        ----------
        frame : DataFrame
            Rows keyed by ``district_code``; columns any selection of the
            decided counts, their derived columns and other columns.
        rates : mapping, optional
            Derived column -> the counts it follows (default :data:`DISTRICT_RATES`).
            A ``*_yoy`` column follows its counts in both years.
        numeric : bool, default False
            False: counts as text (digits, ``<10``, ``x``, a range ``low–high``), for tables and files.
            True: hidden counts as NaN (a range as its midpoint), numbers kept, for figures, maps and prose.

        Returns
        -------
        DataFrame
            A copy with hidden counts marked (or NaN) and their derived columns blank.
        """
        return self._publish(
            frame,
            "district",
            ["district_code"],
            DISTRICT_RATES if rates is None else rates,
            DISTRICT_RATIOS,
            numeric,
        )

    def publish_streets(
        self,
        frame: pd.DataFrame,
        *,
        rates: Mapping[str, str | Iterable[str]] | None = None,
        numeric: bool = False,
    ) -> pd.DataFrame:
        """A street table keyed by ``district_code`` and ``street`` as published (see :meth:`publish_districts`)."""
        return self._publish(
            frame,
            "street",
            ["district_code", "street"],
            STREET_RATES if rates is None else rates,
            STREET_RATIOS,
            numeric,
        )

    @cached_property
    def _reasons(self) -> dict[str, dict[tuple[str, str], dict[tuple[str, ...], tuple[str, float, float, float]]]]:
        """level -> (measure, period) -> row key (district_code, or district_code and street)
        -> (reason, true value, lowest and highest value the publication states)."""
        reasons: dict[str, dict[tuple[str, str], dict[tuple[str, ...], tuple[str, float, float, float]]]] = {}
        columns = ["level", "district_code", "street", "measure", "period", "reason"]
        cells = self.cells[columns].astype("object").where(self.cells[columns].notna(), "")
        numbers = self.cells.reindex(columns=["value", "low", "high"]).to_numpy(dtype="float64")
        for (level, district, street, measure, period, reason), (value, low, high) in zip(
            cells.itertuples(index=False), numbers, strict=True
        ):
            key = (district, street) if level == "street" else (district,)
            reasons.setdefault(level, {}).setdefault((measure, period), {})[key] = (reason, value, low, high)
        return reasons

    def _publish(self, frame, level: str, keys: list[str], rates, ratios, numeric: bool) -> pd.DataFrame:
        missing = [k for k in keys if k not in frame.columns]
        if missing:
            raise KeyError(f"the table needs the key column(s) {missing} to be published")
        row_keys = _row_keys(frame, keys)
        out = frame.copy()
        cells: dict[tuple[str, str], _RowCells] = {}
        if level not in self._reasons:
            raise KeyError(f"no {level} table was decided: pass it to disclosure() to publish it")
        for (measure, period), lookup in self._reasons[level].items():
            found = [lookup.get(key) for key in row_keys]
            if measure in frame.columns and period == "current" and None in found:
                absent = row_keys[found.index(None)]
                raise KeyError(f"{level} {absent} is not in the decision: decide on every table that is published")
            cells[(measure, period)] = _RowCells(found)
        for (measure, period), found in cells.items():
            if measure in frame.columns and period == "current":
                values = _numbers(frame[measure])
                if numeric:
                    # a range: its midpoint, off by at most half its width (RANGE_WIDTH)
                    values = np.where(found.marks == _RANGE, found.midpoint, values)
                    values[(found.marks != _PUBLISHED) & (found.marks != _RANGE)] = np.nan
                    out[measure] = values
                else:
                    out[measure] = _count_text(values, found.marks, self.threshold, found.low, found.high)
        for rate, sources in _sources(rates).items():
            if rate not in frame.columns:
                continue
            growth = rate.endswith("_yoy")
            above, below = ratios.get(rate, ([], []))
            if {*above, *below} != set(sources):
                above, below = [], []  # not a ratio of its counts as listed: blank where a count is a range
            blank = np.zeros(len(frame), dtype=bool)
            factor = np.ones(len(frame))
            for source in sources:
                for period in ("current", "previous") if growth else ("current",):
                    found = cells.get((source, period))
                    if found is None:
                        # no decision on last year: the growth cannot be shown safely
                        blank |= period == "previous"
                        continue
                    ranged = found.marks == _RANGE
                    blank |= (found.marks != _PUBLISHED) & ~ranged
                    # a ratio over a range is computed with its midpoint: it tells no more than the range
                    if growth:
                        power = 1 if period == "current" else -1
                    else:
                        power = int(source in above) - int(source in below)
                    blank |= ranged & (power == 0)
                    with np.errstate(divide="ignore", invalid="ignore"):
                        factor = np.where(ranged, factor * (found.midpoint / found.value) ** power, factor)
            values = _numbers(frame[rate])
            values = (1 + values) * factor - 1 if growth else values * factor
            values[blank] = np.nan
            out[rate] = values
        return out


class _RowCells:
    """One count's cells for the rows of a table being published: marks, true values, stated ranges."""

    def __init__(self, found: list[tuple[str, float, float, float] | None]):
        cells = [cell or (_PUBLISHED, np.nan, np.nan, np.nan) for cell in found]
        self.marks = np.array([cell[0] for cell in cells], dtype=object)
        self.value, self.low, self.high = (np.array([cell[i] for cell in cells], dtype="float64") for i in (1, 2, 3))
        self.midpoint = (self.low + self.high) / 2


def _finite_sum(terms: list[float]) -> tuple[float, int]:
    """The sum of the finite terms and how many are infinite."""
    finite = [t for t in terms if not math.isinf(t)]
    return math.fsum(finite), len(terms) - len(finite)


def _without(total: float, infinite: int, term: float, infinity: float) -> float:
    """A sum (as :func:`_finite_sum` gives it, its infinite terms all ``infinity``) less one of its terms."""
    if math.isinf(term):
        infinite -= 1
        rest = total
    else:
        rest = total - term
    return infinity if infinite else rest


def _row_keys(frame: pd.DataFrame, keys: list[str]) -> list[tuple[str, ...]]:
    columns = [frame[k].astype("object").where(frame[k].notna(), None).tolist() for k in keys]
    return [tuple("" if v is None else str(v) for v in row) for row in zip(*columns, strict=True)]


def disclosure(
    districts: pd.DataFrame,
    *,
    streets: pd.DataFrame | None = None,
    previous: Disclosure | None = None,
    counts: Sequence[str] | None = None,
    street_counts: Sequence[str] | None = None,
    identities: Mapping[str, Sequence[str]] | None = None,
    threshold: int = 10,
) -> Disclosure:
    """Decide which counts of people of the district and street tables are published.

    Primary suppression hides every count below ``threshold`` (0 included);
    secondary suppression then hides the smallest other cell of any sum that
    would give a hidden count back exactly (or whose hidden cells together hold
    fewer than ``threshold`` people), until every sum is safe. The sums are: the
    city = its districts (the city totals are published), each district = its
    streets, and the :data:`IDENTITIES` between counts of one unit.

    Parameters
    ----------
    districts : DataFrame
        One row per district, with the row :data:`UNKNOWN_DISTRICT` (see
        ``district_indicators(..., unknown=True)``), so that the rows add up to
        the city; a ``district_code`` column and the ``counts`` columns.
    streets : DataFrame, optional
        One row per street: ``district_code``, ``street`` and ``street_counts``
        adding up to their district (:func:`complete_streets` makes them so).
    previous : Disclosure, optional
        Last year's decision (``disclosure`` of Y−1's tables). Its hidden cells
        stay hidden for growth rates, its published cells are known to readers.
        Without it every growth rate of a decided count is blank.
    counts : sequence of str, optional
        The counts of people of ``districts`` (default: :data:`DISTRICT_COUNTS` present).
    street_counts : sequence of str, optional
        The counts of ``streets`` (default: :data:`STREET_COUNTS` present).
    identities : mapping, optional
        Sums between counts of one unit, total -> parts (default :data:`IDENTITIES`);
        a part ``"name@previous"`` is the count of Y−1 (used when ``previous`` has it).
    threshold : int, default 10
        Smallest count of people that is shown.

    Returns
    -------
    Disclosure
        The per-cell decision; publish tables with its methods.
    """
    _check_threshold(threshold)
    counts = [c for c in DISTRICT_COUNTS if c in districts.columns] if counts is None else list(counts)
    if "district_code" not in districts.columns:
        raise KeyError("disclosure: the district table needs a district_code column")
    codes = districts["district_code"].astype(str).tolist()
    if UNKNOWN_DISTRICT not in codes:
        raise ValueError(
            f"disclosure: the district table has no {UNKNOWN_DISTRICT!r} row, so its districts need not add up to the "
            "city; use district_indicators(..., unknown=True)"
        )
    if len(set(codes)) != len(codes):
        raise ValueError("disclosure: a district appears twice in the district table")
    cells = _Cells(threshold)
    values = {c: _numbers(districts[c]) for c in counts}
    for measure in counts:
        total = cells.add(("city", "", "", measure, "current"), float(np.nansum(values[measure])), fixed=True)
        parts = [cells.add(("district", code, "", measure, "current"), v) for code, v in zip(codes, values[measure])]
        cells.add_sum(total, parts)
    if previous is not None:
        last_year = previous.cells[previous.cells["period"] == "current"]
        for row in last_year.itertuples(index=False):
            cells.add(
                (row.level, row.district_code, "" if pd.isna(row.street) else row.street, row.measure, "previous"),
                row.value,
                fixed=True,
                status=row.reason,
                shown=(row.low, row.high),
            )
    for total, parts in (IDENTITIES if identities is None else identities).items():
        if total not in counts:
            continue
        members = [p.partition("@") for p in parts]
        if any((name, period or "current") not in _measures(cells) for name, _, period in members):
            continue
        for code in codes:
            cells.add_sum(
                cells.index[("district", code, "", total, "current")],
                [cells.index[("district", code, "", name, period or "current")] for name, _, period in members],
            )
    if streets is not None:
        _add_streets(cells, streets, codes, street_counts)
    cells.solve()
    cells.show_ranges(RANGE_WIDTH)
    return Disclosure(cells.frame(), threshold)


def _measures(cells: _Cells) -> set[tuple[str, str]]:
    return {(key[3], key[4]) for key in cells.keys if key[0] == "district"}


def _add_streets(cells: _Cells, streets: pd.DataFrame, codes: list[str], street_counts) -> None:
    street_counts = [c for c in STREET_COUNTS if c in streets.columns] if street_counts is None else list(street_counts)
    keys = _row_keys(streets, ["district_code", "street"])
    if len(set(keys)) != len(keys):
        raise ValueError("disclosure: a street appears twice in the street table")
    outside = sorted({d for d, _ in keys} - set(codes))
    if outside:
        raise ValueError(f"disclosure: streets of districts not in the district table: {outside}")
    for measure in street_counts:
        if ("district", codes[0], "", measure, "current") not in cells.index:
            raise ValueError(f"disclosure: street count {measure!r} is not a count of the district table")
        values = _numbers(streets[measure])
        parts: dict[str, list[int]] = {}
        for (district, street), value in zip(keys, values, strict=True):
            parts.setdefault(district, []).append(cells.add(("street", district, street, measure, "current"), value))
        for district in codes:
            members = parts.get(district, [])
            total = cells.index[("district", district, "", measure, "current")]
            if abs(sum(cells.values[m] for m in members) - cells.values[total]) > 1e-9:
                raise ValueError(
                    f"disclosure: the streets of {district} do not add up to its {measure}; use complete_streets"
                )
            if members:
                cells.add_sum(total, members)


def complete_streets(
    streets: pd.DataFrame,
    districts: pd.DataFrame,
    *,
    counts: Sequence[str] = STREET_COUNTS,
    sums: Sequence[str] = ("service_hours",),
) -> pd.DataFrame:
    """The street table with a row :data:`UNKNOWN_STREET` per district, so its streets add up to the district.

    Streets that are blank (``（未填写）``) or missing are merged into that row,
    and it takes whatever the district's count has beyond its streets (e.g.
    volunteers active in Y who registered later, whom a street table of
    registered volunteers leaves out). Volunteers with no district form the
    streets of :data:`UNKNOWN_DISTRICT`. ``active_rate`` and ``hours_per_active``
    of the row are computed again when present.

    Parameters
    ----------
    streets : DataFrame
        ``district_code`` (missing = no district), ``street``, ``counts``, ``sums``, other columns.
    districts : DataFrame
        The district table the streets add up to (``district_code``, ``counts``, ``sums``),
        with its :data:`UNKNOWN_DISTRICT` row.
    counts, sums : sequence of str
        Columns that must add up (counts of people; sums such as hours).

    Returns
    -------
    DataFrame
        Same columns; the unknown-street rows last within each district.
    """
    streets = streets.copy()
    streets["district_code"] = streets["district_code"].astype("object").where(streets["district_code"].notna(), None)
    streets["district_code"] = streets["district_code"].fillna(UNKNOWN_DISTRICT).astype("str")
    blank = streets["street"].isna() | streets["street"].isin(_BLANK_STREETS)
    columns = [c for c in (*counts, *sums) if c in streets.columns]
    district_totals = districts.set_index(districts["district_code"].astype(str))
    known = streets[~blank]
    street_totals = known.groupby("district_code")[columns].sum()
    rows = []
    for code in district_totals.index:
        row = {"district_code": code, "street": UNKNOWN_STREET}
        for column in columns:
            total = float(pd.to_numeric(pd.Series([district_totals.at[code, column]]), errors="coerce").fillna(0)[0])
            row[column] = total - float(street_totals[column].get(code, 0))
        if any(row[c] for c in columns) or (blank & (streets["district_code"] == code)).any():
            rows.append(row)
    unknown = pd.DataFrame(rows, columns=["district_code", "street", *columns])
    if "active_rate" in streets.columns:
        unknown["active_rate"] = unknown["active_volunteers"] / unknown["registered_volunteers"].where(
            unknown["registered_volunteers"] > 0
        )
    if "hours_per_active" in streets.columns:
        unknown["hours_per_active"] = unknown["service_hours"] / unknown["active_volunteers"].where(
            unknown["active_volunteers"] > 0
        )
    if "district_zh" in streets.columns:
        names = reference.district_names() | {UNKNOWN_DISTRICT: UNKNOWN_NAME}
        streets["district_zh"] = streets["district_code"].map(names)
        unknown["district_zh"] = unknown["district_code"].map(names)
    out = pd.concat([known, unknown.reindex(columns=streets.columns)], ignore_index=True)
    order = {code: i for i, code in enumerate(district_totals.index)}
    out = out.assign(_district=out["district_code"].map(order), _unknown=out["street"] == UNKNOWN_STREET)
    out = out.sort_values(["_district", "_unknown"], kind="stable").drop(columns=["_district", "_unknown"])
    for column in columns:
        out[column] = out[column].astype(streets[column].dtype)
    if (out[list(counts)].apply(pd.to_numeric) < 0).any().any():
        raise ValueError("complete_streets: streets hold more people than their district: not the same counts")
    return out.reset_index(drop=True)


def edition_disclosure(
    tables,
    *,
    year: int,
    threshold: int = 10,
    population: Any = None,
    districts: pd.DataFrame | None = None,
    streets: pd.DataFrame | None = None,
    counts: Sequence[str] | None = None,
) -> Disclosure:
    """The decision for an edition of Y: the district table (with the unknown row) and the street table,
    with Y−1 decided the same way first (when the store has it) for the growth rates.

    Parameters
    ----------
    tables : dict or Context
        The store's tables as Polars lazy frames (``Chapter.tables``), or an
        indicator context over them (``Chapter.context``).
    year : int
        Reference year Y.
    threshold : int, default 10
        Smallest count of people that is shown.
    population : optional
        As for :func:`voldata.indicators.district_indicators`.
    districts, streets : DataFrame, optional
        Y's tables when the caller has them already: ``district_indicators(...,
        unknown=True)`` and :func:`voldata.indicators.street_table` (completed
        here with :func:`complete_streets`). Computed when not given.
    counts : sequence of str, optional
        The counts of people of Y's district table (default: :data:`DISTRICT_COUNTS`
        present), e.g. with more counts of people by district that add up to the city's.
        Y−1 is decided on :data:`DISTRICT_COUNTS`; the growth of other counts is blank.

    Returns
    -------
    Disclosure
        Publish Y's tables with it: ``publish_districts(district table)``,
        ``publish_streets(complete_streets(street table, district table))``.
    """
    context = as_context(tables)  # its aggregates are shared by both years' tables

    def decide(y: int, previous: Disclosure | None, districts=None, streets=None, counts=None) -> Disclosure:
        if districts is None:
            # the counts only: Y−1's growth rates are not published here
            districts = district_indicators(context, year=y, population=population, unknown=True, growth=False)
        streets = complete_streets(street_table(context, y) if streets is None else streets, districts)
        return disclosure(districts, streets=streets, previous=previous, counts=counts, threshold=threshold)

    years = context.store_years()
    previous = decide(year - 1, None) if year - 1 in years else None
    return decide(year, previous, districts, streets, counts)
