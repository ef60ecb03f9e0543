"""Raw export text → canonical values.

Each parser takes a column of text and returns the canonical values and a status per row (:data:`OK`, :data:`BAD`,
:data:`OUT_OF_RANGE`) for the caller's quarantine reason: blank text is null with an OK status, text that cannot be
parsed is null with the status saying why. Values are parsed once per *distinct* value in plain Python and mapped back
(:func:`map_unique`): ten million service records have a few hundred distinct hours or dates. Datetimes and birth
dates, nearly one per row, are parsed by Polars where the text has a common shape, the rest the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from functools import lru_cache, partial

import polars as pl

from voldata import reference
from voldata.personal import compact, fold
from voldata.schema import VOCABULARIES

__all__ = ["OK", "BAD", "OUT_OF_RANGE", "clean_text", "clean_identifier", "parse_datetime", "parse_date", "parse_hours"]
__all__ += ["parse_whole", "parse_birth_year", "parse_code", "parse_flag"]

# Status codes returned next to parsed values.
OK = 0
BAD = 1  # not parseable: bad_date / bad_number / unknown_value / unknown_district
OUT_OF_RANGE = 2

# Vocabularies where the contract gives a fall-back code for anything else, blank included (never a quarantine reason).
FALLBACKS: dict[str, str] = {"political_status": "other", "education": "unknown", "team_type": "other"}
# 慈善资源 / 合作社工机构: these words mean "no"; any other non-blank text is a partner's name or a yes.
NEGATIVE_WORDS = frozenset({"否", "无", "没有", "不是", "0", "false", "no", "n", "/", "-"})

FIRST_YEAR, LAST_YEAR = 1900, 2100  # the years a date may have


# NFKC (full-width digits and punctuation to half-width), every script's digits, no whitespace at all.
normalise = compact


def clean_text(series: pl.Series) -> pl.Series:
    """Free text (names of streets, titles): surrounding whitespace stripped, blank → null."""
    return series.str.strip_chars().replace("", None)


def clean_identifier(series: pl.Series) -> pl.Series:
    """Identifiers (record, volunteer, activity numbers): NFKC, no whitespace, blank → null (only values holding
    something other than printable ASCII need folding)."""
    rows = series.str.contains(r"[^!-~]").fill_null(False).arg_true()
    if len(rows):
        (folded,) = map_unique(series.gather(rows), lambda value: (compact(value),), (pl.String,))
        series = series.clone().scatter(rows, folded)
    return series.replace("", None)


def map_unique(
    series: pl.Series, parse: Callable[[str], tuple], dtypes: tuple[pl.DataType, ...]
) -> tuple[pl.Series, ...]:
    """``parse(text) -> tuple`` once per distinct value of ``series``, mapped back: one series per item, of ``dtypes``
    (nulls stay null)."""
    uniques = series.drop_nulls().unique().sort()
    results = [parse(value) for value in uniques.to_list()]
    codes = series.cast(pl.Enum(uniques.to_list())).to_physical()
    return tuple(
        pl.Series([r[i] for r in results], dtype=d).gather(codes).alias(series.name) for i, d in enumerate(dtypes)
    )


def _per_value(
    series: pl.Series, parse: Callable, dtype: pl.DataType, fast: pl.Series | None = None, blank: Callable = normalise
) -> tuple[pl.Series, pl.Series]:
    """``parse(text) -> (value, status)`` once per distinct value: the values and a status per row.

    Blank text (nothing left once ``blank`` is applied: normalised, by default) is null with an OK status, never handed
    to ``parse``. ``fast``: values already parsed vectorised (null where not); ``parse`` reads only the other rows.
    """
    dtypes = (dtype, pl.UInt8)
    if fast is None:
        value, status = map_unique(series, lambda text: parse(text) if blank(text) else (None, OK), dtypes)
        return value, status.fill_null(OK)
    rows = (fast.is_null() & series.is_not_null()).arg_true()
    value, status = _per_value(series.gather(rows), parse, dtype, blank=blank)
    ok = pl.repeat(OK, len(series), dtype=pl.UInt8, eager=True)
    return fast.cast(dtype).scatter(rows, value).alias(series.name), ok.scatter(rows, status)


# ---------------------------------------------------------------- dates and times
_DATE_SEPARATED = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:[T ]?(\d{2}):?(\d{2})(?::?(\d{2}))?)?$")
# Shapes of datetime text that exports commonly use (no text has two), the canonical one first: (format, the exact
# text shape it is trusted on). ASCII digits only, no sign, and no leap seconds (the parser would roll them over).
_DATETIME_SHAPES = (
    ("%Y-%m-%d %H:%M:%S", r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2} [0-9]{1,2}:[0-5][0-9]:[0-5][0-9]$"),
    ("%Y/%m/%d %H:%M", r"^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2} [0-9]{1,2}:[0-5][0-9]$"),
    ("%Y-%m-%d %H:%M", r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2} [0-9]{1,2}:[0-5][0-9]$"),
    ("%Y/%m/%d %H:%M:%S", r"^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2} [0-9]{1,2}:[0-5][0-9]:[0-5][0-9]$"),
)


def parse_datetime_text(value: str) -> dt.datetime | None:
    """One date or datetime in any accepted form, or None.

    ``2020-03-05``, ``2020/3/5``, ``2020.3.5``, ``2020年3月5日``, ``20200305``, each with an optional time (``8:30``,
    ``08:30:00``, ``8时30分``, ``T08:30``); years 1900-2100. A bare number is no date: Excel serial dates are read from
    workbook cells only (:func:`voldata.ingest.readers._serial_text`).
    """
    # Whitespace separates date and time here, so it is collapsed, not removed.
    text = " ".join(fold(value).split())
    for word, replacement in (("年", "-"), ("月", "-"), ("日", " "), ("号", " "), ("时", ":"), ("分", ":"), ("秒", "")):
        text = text.replace(word, replacement)
    text = " ".join(text.split()).rstrip(":")
    match = _DATE_SEPARATED.match(text) or _DATE_COMPACT.match(text)
    if not match:
        return None
    try:
        moment = dt.datetime(*[int(p) if p else 0 for p in match.groups()])
    except ValueError:
        return None
    return moment if FIRST_YEAR <= moment.year <= LAST_YEAR else None


def _datetimes_of_shape(text: pl.Series, fmt: str, shape: str) -> pl.Series:
    """Datetimes of the values of exactly ``shape`` that ``fmt`` parses, in 1900-2100; null elsewhere (only the values
    of the shape are parsed: a failed parse costs as much as one that succeeds)."""
    rows = text.str.contains(shape).fill_null(False).arg_true()
    parsed = text.gather(rows).str.to_datetime(fmt, time_unit="us", strict=False)
    parsed = parsed.set(~parsed.dt.year().is_between(FIRST_YEAR, LAST_YEAR), None)
    return pl.repeat(None, len(text), dtype=pl.Datetime("us"), eager=True).scatter(rows, parsed).alias(text.name)


def parse_datetime(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Datetimes (microseconds, naive local time) and a status per row.

    The common export shapes (:data:`_DATETIME_SHAPES`, no value has two) are parsed vectorised, each only where the
    text has exactly that shape (where the parser alone is more lenient, e.g. rolls ``08:00:60`` over); every other
    value goes through :func:`parse_datetime_text`, once per distinct value (blank here means only whitespace).
    """
    parsed = _datetimes_of_shape(series, *_DATETIME_SHAPES[0])
    for shape in _DATETIME_SHAPES[1:]:
        parsed = parsed.fill_null(_datetimes_of_shape(series, *shape))
    return _per_value(series, _moment, pl.Datetime("us"), parsed, blank=str.strip)


def _moment(value: str) -> tuple:
    moment = parse_datetime_text(value)
    return (None, BAD) if moment is None else (moment, OK)


def parse_date(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Calendar dates (a time of day, if given, is dropped) and a status per row."""
    value, status = _per_value(series, _moment, pl.Datetime("us"))
    return value.dt.date(), status


def _birth_year(value: str) -> tuple:
    text = normalise(value)
    if re.fullmatch(r"\d{4}年?", text):
        year = int(text[:4])
        return (year, OK) if FIRST_YEAR <= year <= LAST_YEAR else (None, BAD)
    moment = parse_datetime_text(text)
    return (None, BAD) if moment is None else (moment.year, OK)


def parse_birth_year(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Year of a birth date (a bare four-digit year is accepted too) and a status per row.

    Birth dates are nearly one per person: those written ``YYYY-MM-DD`` are read vectorised.
    """
    fast = _datetimes_of_shape(series, "%Y-%m-%d", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$").dt.year()
    return _per_value(series, _birth_year, pl.Int16, fast)


# ---------------------------------------------------------------- numbers
_NUMBER = r"\d+(?:\.\d+)?"
_HOURS_PLAIN = re.compile(rf"^([+-]?{_NUMBER})(?:小时|个小时|时|h|hr|hrs|hour|hours)?$", re.IGNORECASE)
_HOURS_MINUTES = re.compile(
    rf"^(?:({_NUMBER})(?:小时|个小时|时|h|hr|hrs))?(?:({_NUMBER})(?:分钟|分|min|mins|m))?$", re.IGNORECASE
)
_HOURS_CLOCK = re.compile(r"^(\d+):(\d{2})(?::(\d{2}))?$")
_WHOLE = re.compile(r"^([+-]?\d+(?:\.\d+)?)(?:积分|分|点|人|名|个)?$")


def _hours(value: str) -> tuple:
    text = normalise(value)
    hours = None
    if match := _HOURS_PLAIN.match(text):
        hours = float(match.group(1))
    elif (match := _HOURS_MINUTES.match(text)) and any(match.groups()):
        hours = float(match.group(1) or 0) + float(match.group(2) or 0) / 60
    elif match := _HOURS_CLOCK.match(text):
        hours = int(match.group(1)) + int(match.group(2)) / 60 + int(match.group(3) or 0) / 3600
    if hours is None or not math.isfinite(hours):
        return None, BAD
    return (hours, OK) if 0 < hours <= 24 else (None, OUT_OF_RANGE)


def parse_hours(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Service hours (``2.5``, ``2.5小时``, ``2小时30分``, ``30分钟``, ``2:30``) in (0, 24] and a status per row:
    another number is OUT_OF_RANGE, no number BAD."""
    return _per_value(series, _hours, pl.Float64)


def _whole(value: str, minimum: int) -> tuple:
    match = _WHOLE.match(normalise(value))
    if not match:
        return None, BAD
    number = float(match.group(1))
    if number != int(number) or number < minimum:
        return None, OUT_OF_RANGE
    return int(number), OK


def parse_whole(series: pl.Series, *, minimum: int) -> tuple[pl.Series, pl.Series]:
    """Whole numbers ≥ ``minimum`` (``3``, ``3.0``, ``3人``, ``3积分``) and a status (OUT_OF_RANGE, no number: BAD)."""
    return _per_value(series, partial(_whole, minimum=minimum), pl.Int64)


# ---------------------------------------------------------------- vocabularies
@lru_cache
def code_lookup(vocabulary: str) -> dict[str, str]:
    """Normalised raw word (or the code itself) → canonical code, for one vocabulary."""
    if vocabulary == "district_code":
        return {key.lower(): code for key, code in reference.district_lookup().items()}
    if vocabulary in ("category", "target_group"):
        frame = reference.categories() if vocabulary == "category" else reference.target_groups()
        pairs = list(zip(frame["name_zh"], frame["code"]))
    else:
        pairs = list(VOCABULARIES[vocabulary].items())
        if vocabulary == "gender":
            pairs += [("男性", "M"), ("女性", "F")]
    lookup = {normalise(str(raw)): code for raw, code in pairs}
    lookup.update({code.lower(): code for code in lookup.values()})
    return lookup


def _code(value: str, vocabulary: str) -> tuple:
    text = normalise(value)
    lookup = code_lookup(vocabulary)
    code = lookup.get(text) or lookup.get(text.lower()) or FALLBACKS.get(vocabulary)
    if code is not None:
        return code, OK
    # 其他 and every further document type is the contract's "other"; an unknown gender is no reason to drop the row
    # (null, later filled from the ID number where possible).
    return ("other_id", OK) if vocabulary == "id_type" else (None, OK if vocabulary == "gender" else BAD)


def parse_code(series: pl.Series, *, vocabulary: str) -> tuple[pl.Series, pl.Series]:
    """Canonical codes of a vocabulary and a status per row (BAD = unknown value).

    :data:`FALLBACKS` take their catch-all code (blank included); ``id_type`` sends every unlisted type to ``other_id``;
    an unknown ``gender`` is null. Blank is null otherwise.
    """
    value, status = _per_value(series, partial(_code, vocabulary=vocabulary), pl.String)
    fallback = FALLBACKS.get(vocabulary)
    return (value if fallback is None else value.fill_null(fallback)), status


def parse_flag(series: pl.Series) -> pl.Series:
    """Yes/no from a partner column: 否/无/blank → False; 是/有/a partner's name → True."""
    value, _ = _per_value(series, lambda text: (normalise(text).lower() not in NEGATIVE_WORDS, OK), pl.Boolean)
    return value.fill_null(False)
