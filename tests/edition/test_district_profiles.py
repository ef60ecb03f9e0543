"""The district profiles (区域发展篇), read as a district's volunteer office would read its own section:
its numbers, rank, streets, projects and figure are there, and none of them differs from the city tables
(``05_district_indicators.csv``, ``04_streets.csv``, ``04_district_profiles.csv``, ``indicators.json``)."""

from __future__ import annotations

import json
import math
from html.parser import HTMLParser

import pandas as pd
import pytest

from voldata import reference
from voldata.edition.analysis import indicator_headers
from voldata.edition.districts import HEADLINE
from voldata.edition.output import read_published_csv
from voldata.indicators import REGISTRY

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("editions")]


class _Page(HTMLParser):
    """The page as a list of blocks: ("h3", text), ("caption", text), ("table", caption, rows), ("img", src)."""

    def __init__(self):
        super().__init__()
        self.blocks: list[tuple] = []
        self._text: list[str] | None = None
        self._rows: list[list[str]] | None = None
        self._caption = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("h3", "td", "th", "strong", "caption"):
            self._text = []
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag == "img":
            self.blocks.append(("img", dict(attrs).get("src", "")))

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag in ("h3", "td", "th", "strong", "caption") and self._text is not None:
            text = "".join(self._text).strip()
            self._text = None
            if tag == "h3":
                self.blocks.append(("h3", text))
            elif tag in ("strong", "caption"):
                self._caption = text
                self.blocks.append(("caption", text))
            elif self._rows:
                self._rows[-1].append(text)
        elif tag == "table" and self._rows is not None:
            header, *rows = self._rows
            self.blocks.append(("table", self._caption, pd.DataFrame(rows, columns=header)))
            self._rows = None


def _sections(page: str) -> dict[str, list[tuple]]:
    parser = _Page()
    parser.feed(page)
    sections: dict[str, list[tuple]] = {}
    current = None
    for block in parser.blocks:
        if block[0] == "h3":
            current = sections.setdefault(block[1], [])
        elif current is not None:
            current.append(block)
    return sections


def _table(blocks, words: str) -> pd.DataFrame:
    found = [b[2] for b in blocks if b[0] == "table" and words in b[1]]
    assert len(found) == 1, words
    return found[0]


def _same(shown: str, published: object, unit: str) -> bool:
    """A profile cell against a published cell: marks and blanks alike, numbers at the shown precision."""
    if published is None or (isinstance(published, float) and math.isnan(published)) or published == "":
        return shown == ""
    if isinstance(published, str) and not published.replace(".", "", 1).lstrip("-").isdigit():
        return shown == published  # <10 or x
    number = float(published)
    if unit == "比例":  # the CSV holds percentages
        return shown == f"{number:.1f}%"
    value = float(shown.replace(",", ""))
    decimals = len(shown.partition(".")[2])
    return abs(value - number) <= 0.5 * 10**-decimals + 1e-9


def _ranks(published: pd.DataFrame, column: str, code: str) -> set[str]:
    """The ranks the published (rounded) values allow: districts tied at the published precision may be in
    either order (the page ranks the values as computed)."""
    districts = published[published["district_code"].isin(list(reference.district_names()))]
    values = pd.to_numeric(districts[column], errors="coerce")
    own = values[districts["district_code"] == code].iloc[0]
    if math.isnan(own):
        return {""}
    of = int(values.notna().sum())
    return {f"{rank}/{of}" for rank in range(int((values > own).sum()) + 1, int((values >= own).sum()) + 1)}


@pytest.fixture(scope="module")
def edition_files(built_edition):
    _, edition = built_edition
    read = {"dtype": {"区划代码": str}, "keep_default_na": False}
    districts = read_published_csv(edition / "tables" / "05_district_indicators.csv", **read)
    ids = [*REGISTRY, *(f"{id}_yoy" for id in REGISTRY), "district_code", "name_zh"]
    by_header = {header: id for id, header in indicator_headers(ids).items()}
    return {
        "page": (edition / "04_district_development.html").read_text(encoding="utf-8"),
        "districts": districts.rename(columns=by_header),
        "streets": read_published_csv(edition / "tables" / "04_streets.csv", dtype=str, keep_default_na=False),
        "profiles": read_published_csv(
            edition / "tables" / "04_district_profiles.csv", dtype=str, keep_default_na=False
        ),
        "city": json.loads((edition / "indicators.json").read_text(encoding="utf-8")),
        "edition": edition,
    }


def test_one_section_per_district_in_code_order(edition_files):
    sections = _sections(edition_files["page"])
    assert list(sections) == list(reference.districts()["name_zh"])


def test_each_sections_numbers_are_the_city_tables(edition_files):
    sections = _sections(edition_files["page"])
    districts = edition_files["districts"].set_index("district_code", drop=False)
    city = edition_files["city"]
    hidden = 0
    for code, name in reference.district_names().items():
        headline = _table(sections[name], "主要指标与全市比较").set_index("指标")
        for column, (label, unit) in HEADLINE.items():
            row = headline.loc[label]
            published = districts.at[code, column]
            assert _same(row["本区"], published, unit), (name, label, row["本区"], published)
            city_value = city[column] * 100 if unit == "比例" and city[column] is not None else city[column]
            assert _same(row["全市"], city_value, unit), (name, label)  # the city's shares are fractions
            assert row["全市排名"] in _ranks(edition_files["districts"], column, code), (name, label)
            if f"{column}_yoy" in districts.columns:
                assert _same(row["比上年增长"], districts.at[code, f"{column}_yoy"], "比例"), (name, label)
            hidden += published in ("<10", "x")
    assert hidden > 0  # the sample store hides some: the marks are checked too


def test_each_section_lists_all_its_published_streets(edition_files):
    sections = _sections(edition_files["page"])
    streets = edition_files["streets"]
    for name in reference.district_names().values():
        shown = _table(sections[name], "各街道（镇）")
        published = streets[streets["区"] == name]
        assert shown["街道（镇）"].tolist() == published["街道（镇）"].tolist()
        for column in ("注册志愿者（人）", "活跃志愿者（人）"):
            assert shown[column].str.replace(",", "").tolist() == published[column].tolist(), (name, column)
        values = pd.to_numeric(published["注册志愿者（人）"], errors="coerce")
        known = published["街道（镇）"] != "未填/无法识别"
        published_values = values[known & values.notna()]
        assert published_values.is_monotonic_decreasing, name  # sorted by published values only
        assert values[known].notna().cummin().equals(values[known].notna()), name  # hidden ones after


def test_each_section_has_its_projects_figure_and_profile_counts(edition_files):
    sections = _sections(edition_files["page"])
    profiles = edition_files["profiles"].set_index("区")
    for code, name in reference.district_names().items():
        assert [b for b in sections[name] if b[0] == "caption" and "常态化项目" in b[1]]  # a table, or 无
        images = [b[1] for b in sections[name] if b[0] == "img"]
        assert len(images) == 1
        assert (edition_files["edition"] / "figures" / f"04_months_{code}.png").is_file()
        for cell in profiles.loc[name]:
            assert cell != ""
