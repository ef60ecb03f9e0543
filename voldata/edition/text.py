"""Chinese number formatting and the phrases the chapters' sentences are built from.

The chapters never type a number into prose: their sentences (in the
notebooks) interpolate the indicators through these functions, so the text is
right for every year and every store. A missing value (None or NaN) is
written as "—" (or said to be unavailable), never as 0.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping

import pandas as pd

__all__ = [
    "MISSING",
    "TREND_THRESHOLD",
    "TIMEBANK_LAUNCH",
    "relative_change",
    "trend_word",
    "versus_last_year",
    "compared_with",
    "partial_year_note",
    "nominal_value_change",
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
    "source_name",
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
    """The year-on-year change of indicator ``key`` as :func:`versus_last_year` words it.

    比上年增长12.3% · 与上年基本持平（增长1.2%） · 与上年持平 · 无上年数据可比.
    """
    return versus_last_year(indicators.get(f"{key}_yoy"))


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


# -- claims that match the numbers ------------------------------------------------------
#: The trend-word rule, in one place: a relative change above +5% is 增长, below −5% is 下降,
#: anything in between (inclusive) is 基本持平. The same band decides whether a ratio of two
#: groups is said to be higher (above 1.05), lower (below 0.95) or about the same.
TREND_THRESHOLD = 0.05

#: 广州公益时间银行 opened on 26 August 2019 (official launch; reference/README.md): its 2019
#: figures cover about four months, so growth against 2019 is marked (:func:`partial_year_note`).
TIMEBANK_LAUNCH = dt.date(2019, 8, 26)


def relative_change(current: object, previous: object) -> float | None:
    """(current − previous) / previous; None when either is missing or previous is 0."""
    if is_missing(current) or is_missing(previous) or float(previous) == 0:
        return None
    return (float(current) - float(previous)) / float(previous)


def trend_word(value: object) -> str | None:
    """The word a relative change supports: {增长, 下降, 基本持平}; None when it is missing.

    Above +:data:`TREND_THRESHOLD` is 增长, below −:data:`TREND_THRESHOLD` is 下降,
    otherwise 基本持平. Words such as 日益, 持续, 不断 need 增长 (and a computed change).
    """
    if is_missing(value):
        return None
    value = float(value)
    if value > TREND_THRESHOLD:
        return "增长"
    if value < -TREND_THRESHOLD:
        return "下降"
    return "基本持平"


def versus_last_year(value: object, *, digits: int = 1) -> str:
    """A year-on-year change as a whole phrase, by the trend-word rule.

    比上年增长12.3% · 比上年下降6.0% · 与上年基本持平（增长1.2%） · 与上年持平 ·
    无上年数据可比. Use it instead of "比上年" + :func:`change` (which gives
    "比上年与上年持平" when the change rounds to zero).
    """
    if is_missing(value):
        return "无上年数据可比"
    value = float(value)
    if round(value * 100, digits) == 0:
        return "与上年持平"
    amount = f"{'增长' if value > 0 else '下降'}{abs(value) * 100:.{digits}f}%"
    word = trend_word(value)
    return f"与上年基本持平（{amount}）" if word == "基本持平" else f"比上年{amount}"


def compared_with(value: object, *, reference: str, digits: int = 2) -> str:
    """An unadjusted ratio of two groups in words, with no cause read into it.

    ``compared_with(1.004, reference="非党员")`` → "与非党员基本相当（1.00倍）";
    ``compared_with(1.3, reference="非党员")`` → "是非党员的1.30倍". The band is
    :data:`TREND_THRESHOLD` around 1. The phrase never explains the gap (e.g. as a
    模范作用): an unadjusted ratio also reflects differences in age, district and so on.
    """
    if is_missing(value):
        return f"与{reference}的比较无法计算"
    value = float(value)
    if abs(value - 1) <= TREND_THRESHOLD:
        return f"与{reference}基本相当（{value:.{digits}f}倍）"
    return f"是{reference}的{value:.{digits}f}倍"


def partial_year_note(year: int, *, started: dt.date = TIMEBANK_LAUNCH, what: str = "时间银行") -> str:
    """The mark a figure of ``year`` needs when it, or the year it grows from, is a partial first year.

    Returns "" when neither Y nor Y−1 is the start year (or the start is 1 January).
    ``partial_year_note(2020)`` → "（时间银行2019年8月26日上线，2019年数据不足一年，增长率不宜直接比较）".
    """
    if started.month == 1 and started.day == 1:
        return ""
    since = f"{started.year}年{started.month}月{started.day}日上线"
    if year == started.year:
        return f"（{what}{since}，{year}年数据不足一年）"
    if year - 1 == started.year:
        return f"（{what}{since}，{started.year}年数据不足一年，增长率不宜直接比较）"
    return ""


def nominal_value_change(change: dict) -> str:
    """The nominal contribution value's change, with the hours effect shown apart from the wage effect.

    ``change`` is :func:`voldata.indicators.value.value_change`. Returns e.g.
    "按当年工资计算的名义价值比上年增长10.0%：其中服务时长变化（与上年基本持平（增长2.0%））带来增加200.0万元，
    小时工资变化（比上年增长7.8%）带来增加800.0万元"
    (or an explanation when Y−1 is not available).
    """
    if is_missing(change.get("value_yoy")):
        return "按当年工资计算的名义价值；无上年数据可比"

    def effect(amount: object) -> str:
        if is_missing(amount):
            return MISSING
        amount = float(amount)
        return f"{'增加' if amount >= 0 else '减少'}{money(abs(amount))}"

    return (
        f"按当年工资计算的名义价值{versus_last_year(change['value_yoy'])}：其中服务时长变化"
        f"（{versus_last_year(change.get('hours_yoy'))}）带来{effect(change.get('hours_effect'))}，"
        f"小时工资变化（{versus_last_year(change.get('hourly_wage_yoy'))}）带来{effect(change.get('wage_effect'))}"
    )


# -- sources as the edition names them ---------------------------------------------------
#: The reference tables' and indicators' source notes (English identifiers in the data) in each
#: language; a part not listed here (a user's own file) is shown as it is.
SOURCE_PARTS: dict[str, tuple[str, str]] = {
    "7th census city total 2020 (verified)": (
        "第七次全国人口普查全市常住人口（2020年，已核实）",
        "7th national census, city total (2020, verified)",
    ),
    "data/reference/guangzhou_districts.csv (7th census 2020; district figures provisional)": (
        "第七次全国人口普查各区常住人口（2020年，区级数字为初步数）",
        "7th national census, district populations (2020; district figures provisional)",
    ),
    "user population table": ("用户提供的人口表", "the user's population table"),
    "provincial statistics as cited by a third party": (
        "广东省统计数据，经第三方转引",
        "provincial statistics as cited by a third party",
    ),
    "wage table": ("工资表", "wage table"),
    "verified": ("已核实", "verified"),
    "not verified": ("未经核实", "not verified"),
}
_NO_WAGE = re.compile(r"^no wage for (\d{4}): the (\d{4}) wage is used$")


def source_name(source: object, *, language: str = "zh") -> str:
    """A source note (``"provincial statistics as cited by a third party; not verified"``) in the edition's words.

    ``source_name("provincial statistics as cited by a third party; not verified")`` →
    "广东省统计数据，经第三方转引，未经核实". Parts are separated by "; ".
    """
    if is_missing(source) or str(source) == "":
        return MISSING
    whole = SOURCE_PARTS.get(str(source))
    if whole:
        return whole[language == "en"]
    words = []
    for part in str(source).split("; "):
        known = SOURCE_PARTS.get(part)
        no_wage = _NO_WAGE.match(part)
        if known:
            words.append(known[language == "en"])
        elif no_wage and language == "zh":
            words.append(f"{no_wage[1]}年工资缺失，使用{no_wage[2]}年工资")
        else:
            words.append(part)
    return ("，" if language == "zh" else "; ").join(words)
