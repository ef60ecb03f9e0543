"""What the chapters say, read from the built pages: 实务经验篇 repeats no paragraph of 总报告, and the
series table covers every year of the store."""

import re
from html import unescape

import pandas as pd
import pytest

from voldata import store
from voldata.edition import CHAPTERS
from voldata.edition.output import read_published_csv

pytestmark = pytest.mark.slow


def _paragraphs(page: str) -> set[str]:
    blocks = re.findall(r"<(?:p|li)>(.*?)</(?:p|li)>", page, flags=re.DOTALL)
    return {" ".join(unescape(re.sub(r"<[^>]+>", "", block)).split()) for block in blocks} - {""}


def test_practice_chapter_shares_no_paragraph_with_the_general_report(built_edition):
    _, edition = built_edition
    pages = {key: _paragraphs((edition / f"{key}.html").read_text(encoding="utf-8")) for key in CHAPTERS}
    everywhere = set.intersection(*pages.values())  # the demo notice and the year line every chapter opens with
    assert everywhere and all("报告年度" in p or "示例数据" in p for p in everywhere)
    shared = (pages["03_practice_and_cases"] & pages["01_general_report"]) - everywhere
    assert shared == set()
    assert len(pages["03_practice_and_cases"] - everywhere) >= 8  # the chapter does say things of its own


def test_series_table_covers_every_year_of_the_store(built_edition, sample_store):
    _, edition = built_edition
    series = read_published_csv(edition / "tables" / "05_indicator_series.csv")
    years = [str(y) for y in store.store_years(sample_store, "service_records")]
    assert list(series.columns) == ["指标代码", "指标", "单位", *years]
    city = pd.read_json(edition / "indicators.json", typ="series")
    assert series["指标代码"].tolist() == [i for i in city.index if i in set(series["指标代码"])]
    this_year = series.set_index("指标代码")[years[-1]]
    assert this_year["registered_volunteers"] == city["registered_volunteers"]
    assert this_year["service_hours"] == pytest.approx(city["service_hours"])
