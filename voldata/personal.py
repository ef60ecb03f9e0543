"""Personal numbers: ID numbers (居民身份证号码) and phone numbers, found in any written form and masked.

The one rule used wherever text may carry them: the ingest scrubs free text
with :func:`mask_personal_numbers` (:func:`mask_series` for a column), the
edition's privacy gate counts them with :func:`find_personal_numbers`, and the
demo generator makes ID numbers with :func:`check_characters`.

Text is first folded (:func:`fold`): NFKC (full-width digits and punctuation
to ASCII, ideographic and no-break spaces to spaces), every other script's
decimal digits to ASCII, and invisible format characters (zero-width spaces,
joiners) dropped. Then, with a separator being one or two spaces or tabs, or
a dash of any width or a dot (``138 1234 5678``, ``138\t1234\t5678``,
``138-1234-5678``, ``138.1234.5678``), between any two digits and after an
area code or a country code (``020—8888 1234``, ``020.8888.1234``):

* an ID number is 18 characters, 17 digits and the GB 11643-1999 check
  character (``X`` allowed), digits optionally separated; or the 15-digit
  form issued before 1999 (region, ``yymmdd``, sequence), written without
  separators and holding a real date;
* a mobile number is ``1[3-9]`` and 9 more digits, optionally separated,
  optionally after ``+86``/``0086``/``86``;
* a landline number is an area code (``0`` and 2-3 digits, or without the
  ``0`` after ``+86``/``0086``), optionally in brackets, and a 7-8 digit
  local number, optionally separated (``020-8888 1234``, ``(020)88881234``,
  ``+86 20 8888 1234``).

A number must not touch further digits (it is not part of a longer run), and
digits after a decimal point are a fraction, not a number (``0.13812345678``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import numpy as np
import polars as pl

__all__ = [
    "ID_NUMBER",
    "MOBILE_NUMBER",
    "LANDLINE_NUMBER",
    "KINDS",
    "LABELS",
    "MASK",
    "fold",
    "compact",
    "id_check_digit",
    "check_characters",
    "is_valid_id_number",
    "find_personal_numbers",
    "mask_personal_numbers",
    "mask_series",
]

ID_NUMBER = "id_number"
MOBILE_NUMBER = "mobile_number"
LANDLINE_NUMBER = "landline_number"
KINDS = (ID_NUMBER, MOBILE_NUMBER, LANDLINE_NUMBER)
LABELS = {
    ID_NUMBER: "ID number (居民身份证号码)",
    MOBILE_NUMBER: "mobile number (手机号码)",
    LANDLINE_NUMBER: "landline number (固定电话)",
}
MASK = "[已遮蔽]"

# GB 11643-1999: weights of the first 17 digits; the check character is _CHECK[sum mod 11].
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

# Between two digits: one or two spaces or tabs, or a dash of any width, a dot or a middle dot with a space
# (or tab) either side. (Line breaks are not separators: they would join numbers of different lines.)
_SEP = r"(?:[ \t]?[\-.\u00b7\u2010-\u2015\u2212\u30fb][ \t]?|[ \t]{1,2})?"
_D = rf"{_SEP}[0-9]"  # one more digit, possibly after a separator
# Not glued to a digit before, and not the fraction of a decimal number.
_START = r"(?<![0-9])(?<![0-9][.])"
_END = r"(?![0-9])"
_COUNTRY = rf"(?:\(?(?:(?:\+|00) ?)?86\)?{_SEP})"
_PATTERN = re.compile(
    rf"{_START}(?:"
    rf"(?P<id>[0-9](?:{_D}){{16}}{_SEP}[0-9Xx]){_END}"
    rf"|(?P<old_id>[1-8][0-9]{{5}}[0-9]{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{{3}}){_END}"
    rf"|(?P<mobile>{_COUNTRY}?1[3-9](?:{_D}){{9}}){_END}"
    rf"|(?P<landline>(?:\(0?(?:10|2[0-9]|[3-9][0-9]{{2}})\)|0(?:10|2[0-9]|[3-9][0-9]{{2}})"
    rf"|{_COUNTRY}\(?(?:10|2[0-9]|[3-9][0-9]{{2}})\)?){_SEP}[2-9](?:{_D}){{6,7}}){_END}"
    rf")"
)
_DIGIT_OR_X = re.compile(r"[0-9Xx]")
# A column's values worth a closer look: seven digits of any script (full-width, circled ...).
_CANDIDATE = r"(?:[\p{Nd}\p{No}][^\p{Nd}\p{No}]{0,3}){7}"


class _Digits(dict):
    """str.translate table: every decimal digit of any script → its ASCII digit, filled as characters are met.

    (NFKC leaves e.g. Arabic-Indic digits alone.)
    """

    def __missing__(self, code: int) -> int:
        value = unicodedata.decimal(chr(code), None)
        self[code] = code if value is None else ord("0") + value
        return self[code]


_DIGITS = _Digits()
_FORMAT_CHARACTERS = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def fold(text: str) -> str:
    """NFKC, every script's digits as ASCII digits, invisible format characters dropped."""
    text = unicodedata.normalize("NFKC", text)
    return _FORMAT_CHARACTERS.sub("", text).translate(_DIGITS)


def compact(text: str) -> str:
    """:func:`fold`, and no whitespace at all: how headers, codes and identifiers are compared."""
    return "".join(fold(text).split())


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def check_characters(first17: np.ndarray) -> np.ndarray:
    """GB 11643 check characters (uint8 ASCII) of an ``(n, 17)`` array of digit values."""
    remainder = (first17.astype(np.int64) * np.array(_WEIGHTS, dtype=np.int64)).sum(axis=1) % 11
    return np.frombuffer(_CHECK.encode("ascii"), dtype=np.uint8)[remainder]


def is_valid_id_number(candidate: str) -> bool:
    """18 characters, 17 ASCII digits then the matching check character (``X`` in either case)."""
    if len(candidate) != 18 or not (candidate[:17].isascii() and candidate[:17].isdigit()):
        return False
    return id_check_digit(candidate[:17]) == candidate[17].upper()


def _kind(match: re.Match) -> str | None:
    """The kind of a pattern match, or None when it is not one (an 18-digit run with a wrong check digit)."""
    if match.group("id") is not None:
        return ID_NUMBER if is_valid_id_number("".join(_DIGIT_OR_X.findall(match.group("id")))) else None
    if match.group("old_id") is not None:
        return ID_NUMBER
    return MOBILE_NUMBER if match.group("mobile") is not None else LANDLINE_NUMBER


def _matches(folded: str):
    """(start, end, kind) of each personal number in folded text, left to right, not overlapping."""
    position = 0
    while True:
        match = _PATTERN.search(folded, position)
        if match is None:
            return
        kind = _kind(match)
        if kind is None:
            # Not an ID number: the same digits may still hold a phone number further on.
            position = match.start() + 1
            continue
        yield match.start(), match.end(), kind
        position = match.end()


def find_personal_numbers(text: str) -> dict[str, int]:
    """Count the ID and phone numbers in ``text``: ``{kind: count}`` (kinds not found left out)."""
    return dict(Counter(kind for _, _, kind in _matches(fold(text))))


def mask_personal_numbers(text: str) -> tuple[str, dict[str, int]]:
    """``text`` with every ID and phone number replaced by :data:`MASK`, and ``{kind: count}``.

    The rest of the text is kept as written (only the numbers' own
    characters are replaced, however they were written).
    """
    # Fold character by character, remembering where each folded character came from.
    folded_parts, origin = [], []
    for index, character in enumerate(text):
        piece = fold(character)
        folded_parts.append(piece)
        origin.extend([index] * len(piece))
    folded = "".join(folded_parts)
    counts: Counter = Counter()
    pieces, kept_from = [], 0
    for start, end, kind in _matches(folded):
        first, last = origin[start], origin[end - 1] + 1
        pieces += [text[kept_from:first], MASK]
        kept_from = last
        counts[kind] += 1
    if not counts:
        return text, {}
    pieces.append(text[kept_from:])
    return "".join(pieces), dict(counts)


def mask_series(series: pl.Series) -> tuple[pl.Series, dict[str, int]]:
    """A text column with its personal numbers masked, and how many of each kind (per row, not per value).

    Only values holding seven or more digits (of any script) are looked at,
    each distinct value once.
    """
    candidates = series.str.contains(_CANDIDATE).fill_null(False)
    if not candidates.any():
        return series, {}
    rows = candidates.arg_true()
    values = series.gather(rows)
    uniques = values.unique().to_list()
    masked = {value: mask_personal_numbers(value) for value in uniques}
    counts: Counter = Counter()
    for value, n in values.value_counts().iter_rows():
        for kind, found in masked[value][1].items():
            counts[kind] += found * n
    if not counts:
        return series, {}
    replaced = values.replace_strict(uniques, [masked[v][0] for v in uniques], return_dtype=pl.String)
    return series.clone().scatter(rows, replaced), {kind: counts[kind] for kind in KINDS if counts[kind]}
