"""English number formatting and phrases: the English edition's counterpart of :mod:`voldata.edition.text`.

The English sentences in the notebooks (``say(en=…)``) interpolate the indicators
through these functions, as the Chinese ones do through :mod:`~voldata.edition.text`;
the same rules decide the words (the trend band :data:`~voldata.edition.text.TREND_THRESHOLD`),
so both editions claim the same. A missing value is written "—", never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import lru_cache

import pandas as pd

from voldata import reference
from voldata.edition import text
from voldata.edition.text import MISSING, TIMEBANK_LAUNCH, TREND_THRESHOLD, is_missing
from voldata.indicators import UNKNOWN_NAME
from voldata.schema import VOCABULARIES

__all__ = [
    "UNITS",
    "unit",
    "count",
    "number",
    "share",
    "hours",
    "money",
    "ratio",
    "growth",
    "versus_last_year",
    "compared_with",
    "ranked",
    "extremes",
    "partial_year_note",
    "nominal_value_change",
    "district_name",
    "NAMES",
    "name",
    "translate",
    "translate_names",
    "PARTNERSHIPS_EN",
    "PROFILE_EN",
    "WAGE_BASES_EN",
]

#: Units of the registry and the Chinese tables, in English.
UNITS: dict[str, str] = {
    "人": "people",
    "名": "people",
    "支": "teams",
    "个": "",
    "项": "activities",
    "场": "activities",
    "户": "accounts",
    "积分": "points",
    "笔": "transactions",
    "元": "yuan",
    "小时": "hours",
    "行": "rows",
    "人/万人": "per 10,000 residents",
    "share": "%",
    "%": "%",
    "倍": "times",
    "index": "index",
    "系数": "index",
}


def unit(name: str) -> str:
    """A unit in English (``"人"`` → ``"people"``); an unknown one is returned as given."""
    return UNITS.get(name, name)


def _with_unit(text_: str, unit_: str) -> str:
    return f"{text_} {unit_}" if unit_ else text_


def count(value: object, *, unit: str = "") -> str:
    """A count as English reports write it: 1,925 · 261,000 · 1.65 million.

    Below a million the number is written in full with separators; from a million on, in millions
    with two decimals. ``unit`` (English) follows after a space.
    """
    if is_missing(value):
        return MISSING
    value = float(value)
    if abs(value) >= 1e6:
        written = f"{value / 1e6:,.2f} million"
    elif value == round(value):
        written = f"{value:,.0f}"
    else:
        written = f"{value:,.1f}"
    return _with_unit(written, unit)


def number(value: object, *, digits: int = 1, unit: str = "") -> str:
    """A plain number with ``digits`` decimals and thousands separators."""
    if is_missing(value):
        return MISSING
    return _with_unit(f"{float(value):,.{digits}f}", unit)


def share(value: object, *, digits: int = 1) -> str:
    """A proportion (0–1) as a percentage: 0.1234 → 12.3%."""
    return text.share(value, digits=digits)


def hours(value: object) -> str:
    """Service hours: 12,345 hours · 1.20 million hours."""
    return count(value, unit="hours")


def money(value: object) -> str:
    """Yuan: 352.0 million yuan · 876,000 yuan."""
    if is_missing(value):
        return MISSING
    value = float(value)
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f} million yuan"
    return f"{value:,.0f} yuan"


def ratio(value: object, *, digits: int = 2) -> str:
    """A ratio such as 1.35 times."""
    if is_missing(value):
        return MISSING
    return f"{float(value):.{digits}f} times"


def versus_last_year(value: object, *, digits: int = 1) -> str:
    """A year-on-year change as a phrase, by the same rule as :func:`voldata.edition.text.versus_last_year`.

    up 12.3% on the previous year · down 6.0% on the previous year · about the same as the previous
    year (up 1.2%) · unchanged from the previous year · no previous year to compare with.
    """
    if is_missing(value):
        return "no previous year to compare with"
    value = float(value)
    if round(value * 100, digits) == 0:
        return "unchanged from the previous year"
    amount = f"{'up' if value > 0 else 'down'} {abs(value) * 100:.{digits}f}%"
    if text.trend_word(value) == "基本持平":
        return f"about the same as the previous year ({amount})"
    return f"{amount} on the previous year"


def growth(indicators: Mapping[str, object], key: str) -> str:
    """The year-on-year change of indicator ``key`` as :func:`versus_last_year` words it."""
    return versus_last_year(indicators.get(f"{key}_yoy"))


def compared_with(value: object, *, reference: str, digits: int = 2) -> str:
    """An unadjusted ratio of two groups in words, with no cause read into it.

    ``compared_with(1.3, reference="non-members")`` → "1.30 times that of non-members".
    """
    if is_missing(value):
        return f"not comparable with {reference}"
    value = float(value)
    if abs(value - 1) <= TREND_THRESHOLD:
        return f"about the same as that of {reference} ({value:.{digits}f} times)"
    return f"{value:.{digits}f} times that of {reference}"


def ranked(frame: pd.DataFrame, *, label: str, value: str, n: int = 3) -> str:
    """The ``n`` largest rows by ``value`` with their share of its total: A (45.0%), B (30.0%) and C (5.0%)."""
    total = float(frame[value].sum())
    if total == 0:
        return ""
    top = frame.sort_values(value, ascending=False).head(n)
    items = [f"{name} ({share(amount / total)})" for name, amount in zip(top[label], top[value])]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def extremes(frame: pd.DataFrame, *, label: str, value: str, fmt: Callable[[object], str]) -> str:
    """Highest and lowest row by ``value``: highest in A (…), lowest in B (…); no data when all are missing."""
    values = frame.dropna(subset=[value])
    if values.empty:
        return "no data"
    numbers = values[value].astype(float)
    high, low = values.loc[numbers.idxmax()], values.loc[numbers.idxmin()]
    return f"highest in {high[label]} ({fmt(high[value])}) and lowest in {low[label]} ({fmt(low[value])})"


def partial_year_note(year: int, *, started: dt.date = TIMEBANK_LAUNCH, what: str = "The time bank") -> str:
    """The English note :func:`voldata.edition.text.partial_year_note` gives in Chinese ("" when none is needed)."""
    if started.month == 1 and started.day == 1:
        return ""
    since = f"{what} opened on {started:%d %B %Y}"
    if year == started.year:
        return f" ({since}; the {year} figures cover less than a year.)"
    if year - 1 == started.year:
        return f" ({since}; its {started.year} figures cover less than a year, so growth is not comparable.)"
    return ""


def nominal_value_change(change: dict) -> str:
    """The nominal contribution value's change, with the hours effect shown apart from the wage effect."""
    if is_missing(change.get("value_yoy")):
        return "The nominal value at the year's wage; no previous year to compare with"

    def effect(amount: object) -> str:
        if is_missing(amount):
            return MISSING
        amount = float(amount)
        return f"{'an increase' if amount >= 0 else 'a decrease'} of {money(abs(amount))}"

    return (
        f"The nominal value at the year's wage is {versus_last_year(change['value_yoy'])}: the change in service "
        f"hours ({versus_last_year(change.get('hours_yoy'))}) brought {effect(change.get('hours_effect'))}, "
        f"the change in the hourly wage ({versus_last_year(change.get('hourly_wage_yoy'))}) brought "
        f"{effect(change.get('wage_effect'))}"
    )


def district_name(code: str) -> str:
    """A district's official English name (``"440106"`` → ``"Tianhe District"``)."""
    return reference.district_names_en().get(code, "District not known")


TEAM_TYPES_ZH = {code: zh for zh, code in VOCABULARIES["team_type"].items()} | {"other": "其他"}

#: English names of the coded vocabularies (service categories, groups served, team types), by code.
NAMES: dict[str, dict[str, str]] = {
    "category": {
        "community_service": "Community service",
        "poverty_relief": "Poverty relief",
        "education_support": "Education support",
        "health": "Health",
        "legal_aid": "Legal services",
        "environment": "Environment",
        "science_popularisation": "Science popularisation",
        "culture_arts": "Culture and arts",
        "public_safety": "Public safety",
        "civility": "Civility",
        "traffic_guidance": "Traffic guidance",
        "fire_safety": "Fire safety",
        "emergency_rescue": "Emergency rescue",
        "drug_prevention": "Drug prevention",
        "sports": "Sports",
        "tourism": "Tourism",
        "special_groups": "Care for special groups",
        "major_events": "Major events",
        "overseas": "Overseas volunteering",
        "tax_service": "Tax services",
        "epidemic_prevention": "Epidemic prevention",
        "other": "Other",
    },
    "target_group": {
        "children": "Children",
        "women": "Women",
        "elderly": "Older people",
        "disabled": "People with disabilities",
        "veterans_and_dependants": "Veterans and their dependants",
        "low_income_families": "Low-income families",
        "special_groups": "Special groups",
        "patients": "Patients",
        "rural_residents": "Rural residents",
        "urban_residents": "Urban residents",
        "general_public": "General public",
        "taxpayers": "Taxpayers",
        "other": "Other",
    },
    "team_type": {
        "party_service": "Party member service teams",
        "community": "Community teams",
        "social_work": "Social work station teams",
        "youth": "Youth teams",
        "women": "Women's teams",
        "enterprise": "Enterprise teams",
        "school": "School teams",
        "other": "Other",
    },
}


#: The partnerships of chapter 03 (:data:`voldata.edition.analysis.PARTNERSHIPS`, in its order), in English.
PARTNERSHIPS_EN = (
    "Volunteers only",
    "Social work + volunteers",
    "Charity + volunteers",
    "Social work + charity + volunteers",
)
#: The volunteer profile's dimensions and levels (:data:`voldata.edition.professional.PROFILE_DIMENSIONS`) by code.
PROFILE_EN = {
    "gender": "Gender",
    "age_band": "Age group",
    "education": "Education",
    "political_status": "Political status",
    "M": "Men",
    "F": "Women",
    "unknown": "Not given",
    "primary": "Primary school or less",
    "junior_high": "Junior secondary",
    "senior_high": "Senior secondary / vocational",
    "college": "College (3-year)",
    "bachelor": "Bachelor's degree",
    "postgraduate": "Postgraduate",
    "party_member": "CPC member",
    "probationary_party_member": "CPC probationary member",
    "league_member": "Communist Youth League member",
    "democratic_party": "Democratic party member",
    "masses": "No political affiliation",
    "other": "Other",
}
#: The wages of the contribution value's sensitivity line (:data:`voldata.indicators.value.WAGE_BASES`), in English.
WAGE_BASES_EN = {
    "all_sector": "Average wage of urban non-private employees (all sectors)",
    "community_services": "Average wage in resident services, repairs and other services",
    "minimum_wage": "Guangzhou monthly minimum wage",
}


def name(vocabulary: str, code: str) -> str:
    """The English name of a code of ``vocabulary`` ({"category", "target_group", "team_type", "district_code"})."""
    if vocabulary == "district_code":
        return district_name(code)
    return NAMES[vocabulary].get(code, code)


@lru_cache
def _english_names() -> dict[str, str]:
    """Chinese name -> English name of every district, team type, service category and group served."""
    names = {zh: district_name(code) for code, zh in reference.district_names().items()}
    names |= {zh: NAMES["team_type"][code] for code, zh in TEAM_TYPES_ZH.items()}
    for vocabulary, table in (("category", reference.categories()), ("target_group", reference.target_groups())):
        names |= {
            zh: NAMES[vocabulary][code]
            for code, zh in zip(table["code"], table["name_zh"])
            if code in NAMES[vocabulary]
        }
    names[UNKNOWN_NAME] = "Not given / not recognised"
    # Imported here: these chapter modules import this one.
    from voldata.edition import practice, professional
    from voldata.indicators.value import WAGE_BASES

    names |= practice.AGE_BANDS_EN | dict(zip(practice.PARTNERSHIPS, PARTNERSHIPS_EN))
    names[practice.BALANCE_BANDS[-1][1]] = f"{practice.BALANCE_BANDS[-1][0]:,} or more (at the storage cap)"
    names[practice.NOT_FILLED] = "(not filled in)"
    for dimension, (dimension_zh, labels) in professional.PROFILE_DIMENSIONS.items():
        names[dimension_zh] = PROFILE_EN[dimension]
        if dimension != "age_band":
            names |= {zh: PROFILE_EN[code] for code, zh in labels.items()}
    names |= {WAGE_BASES[basis]: english for basis, english in WAGE_BASES_EN.items()}
    return names


def translate(name_zh: object) -> object:
    """The English name of a Chinese district, team type, service category or group served; else as given."""
    if not isinstance(name_zh, str):
        return name_zh
    return _english_names().get(name_zh, name_zh)


def translate_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the names :func:`translate` knows in English in its text columns (the English edition's
    tables); other text, such as project titles and street names, stays as the data has it."""
    text_columns = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    if not text_columns:
        return frame
    names = _english_names()
    translated = frame.copy()
    for column in text_columns:
        translated[column] = frame[column].map(lambda v: names.get(v, v) if isinstance(v, str) else v)
    return translated
