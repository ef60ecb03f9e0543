"""Prose against tables: on a built edition, every number a sentence gives about a district or a street
is a cell the edition's tables publish (a hidden count never comes back through the text).

The attack reads only the built edition, as a reader would: the district chapter's page, its
published CSVs, the appendix's district table and ``indicators.json`` (the city's values, which
sentences may compare against).
"""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from voldata import reference
from voldata.edition.output import read_published_csv
from voldata.publish import UNKNOWN_NAME

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("editions")]

# A number as the sentences write it: 1,234 · 12.3 · 26.1万 · 12.3%; not a year, month, rank or figure number.
NUMBER = re.compile(r"(?<![\d.第图表])(\d[\d,]*(?:\.\d+)?)(万|亿)?(%)?(?![\d年月位])")
SCALE = {"万": 1e4, "亿": 1e8, None: 1.0}


def _paragraphs(page: str) -> list[str]:
    """The page's sentences: paragraphs and list items as text, without figure and table captions."""
    blocks = re.findall(r"<(p|li)(?: [^>]*)?>(.*?)</\1>", page, flags=re.S)
    texts = [html.unescape(re.sub(r"<[^>]+>", "", body)).strip() for _, body in blocks]
    return [text for text in texts if text and not text.startswith(("图", "表", "*图"))]


def _published_numbers(tables: list[pd.DataFrame], city: dict) -> list[float]:
    values = [v for v in city.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    for table in tables:
        for column in table.columns:
            # the tables hold percentages (headers marked %), the sentences' % reads as a fraction
            scale = 100.0 if "%" in str(column) else 1.0
            values += [float(v) / scale for v in pd.to_numeric(table[column], errors="coerce").dropna()]
    return values


def unpublished_numbers(text: str, published: list[float]) -> list[str]:
    """The numbers of ``text`` that equal no published value at the precision they are written with."""
    wrong = []
    for match in NUMBER.finditer(text):
        digits, magnitude, percent = match.groups()
        number = float(digits.replace(",", ""))
        decimals = len(digits.partition(".")[2])
        scale = SCALE[magnitude] / (100.0 if percent else 1.0)
        # a written number stands for any value that rounds to it
        if not any(abs(value / scale - number) <= 0.5 * 10**-decimals + 1e-9 for value in published):
            wrong.append(match.group(0))
    return wrong


def _names(edition) -> list[str]:
    streets = read_published_csv(edition / "tables" / "04_streets.csv", dtype=str, keep_default_na=False)
    return [*reference.district_names().values(), UNKNOWN_NAME, *streets["街道（镇）"].unique()]


def test_the_check_finds_a_number_that_is_not_published():
    published = [278.0, 0.2949, 15.19]
    assert unpublished_numbers("荔湾区注册志愿者278人，活跃率29.5%，人均15.2小时", published) == []
    assert unpublished_numbers("越秀区注册志愿者7人", published) == ["7"]
    assert unpublished_numbers("活跃率31.0%", published) == ["31.0%"]


def test_district_and_street_sentences_only_give_published_numbers(built_edition):
    _, edition = built_edition
    paths = [*sorted((edition / "tables").glob("04_*.csv")), edition / "tables" / "05_district_indicators.csv"]
    tables = [read_published_csv(path, dtype=str) for path in paths]
    city = json.loads((edition / "indicators.json").read_text(encoding="utf-8"))
    published = _published_numbers(tables, city)
    names = _names(edition)
    page = (edition / "04_district_development.html").read_text(encoding="utf-8")
    checked = 0
    for text in _paragraphs(page):
        if not any(name and name in text for name in names):
            continue
        assert unpublished_numbers(text, published) == [], text
        checked += len(NUMBER.findall(text))
    assert checked >= 6  # the chapter does speak of districts with numbers


def test_the_decision_is_never_published(built_edition):
    """The kept decision holds true values of hidden cells: none of its files reaches the edition."""
    _, edition = built_edition
    files = [p.relative_to(edition).as_posix() for p in edition.rglob("*") if p.is_file()]
    assert not [f for f in files if f.endswith(".parquet") or "district_publication" in f]
