"""Each edition in its own language: no Chinese on the English pages except names the data gives as they are
(project titles, streets, team names, time-bank service items) and official document numbers, and no English
identifiers (snake_case) in the Chinese pages' prose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from voldata import store

CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef]")
# An official document's number (粤府函〔2018〕198号) is its name: cited as issued, after its English description.
DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号")
# A snake_case word; a file's name or path (reference/wage_bases.csv) is not prose's vocabulary and is left alone.
IDENTIFIER = re.compile(r"(?<![\w/.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.])")
# Columns of the store holding names as the data gives them (shown untranslated, as the data limitations say).
DATA_NAME_COLUMNS = {
    "teams": ["team_name", "street", "community"],
    "activities": ["title", "street", "community"],
    "volunteers": ["street", "community"],
    "party_reports": ["street", "community"],
    "timebank_transactions": ["service_item"],
}


@pytest.fixture(scope="module")
def data_names(sample_store) -> list[str]:
    """Every name the sample store holds in a name column, and the names of the export files it was ingested from,
    longest first (so a name is removed before its parts)."""
    tables = store.tables(sample_store, engine="pandas")
    names = {Path(entry["file"]).name for entry in store.ingest_report(sample_store)["files"]}
    for table, columns in DATA_NAME_COLUMNS.items():
        for column in columns:
            names |= {str(v).strip() for v in tables[table][column].dropna() if str(v).strip()}
    return sorted(names, key=len, reverse=True)


def _visible(page) -> tuple[list[str], list[str]]:
    """(table cells, other visible text and image alt texts) of an HTML page, without the other language's link."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    page_language = soup.html.get("lang", "")
    for hidden in soup(["style", "script", "title", "head"]):
        hidden.decompose()
    for other in soup.find_all(lang=True):
        if other is not soup.html and other["lang"] != page_language:
            other.decompose()  # the link to the other edition, named in its own language
    cells = [cell.get_text(" ", strip=True) for cell in soup.find_all(["td", "th"])]
    for cell in soup.find_all(["td", "th"]):
        cell.decompose()
    texts = [text.strip() for text in soup.find_all(string=True) if text.strip()]
    texts += [img["alt"] for img in soup.find_all("img") if img.get("alt")]
    return cells, texts


def _without_names(text: str, names: list[str]) -> str:
    for name in names:
        if name in text:
            text = text.replace(name, " ")
    return DOCUMENT_NUMBER.sub(" ", text)


def chinese_on_english_pages(edition, names: list[str]) -> dict[str, list[str]]:
    """Page -> the visible texts of the English edition with Chinese that is not a data name or a document number."""
    found = {}
    for page in sorted((edition / "en").glob("*.html")):
        cells, texts = _visible(page)
        hits = [text for text in [*cells, *texts] if CJK.search(_without_names(text, names))]
        if hits:
            found[page.name] = list(dict.fromkeys(hits))
    return found


def identifiers_in_chinese_prose(edition) -> dict[str, list[str]]:
    """Page -> the snake_case words in the Chinese edition's prose (table cells apart: indicator ids are a column)."""
    found = {}
    for page in sorted(edition.glob("*.html")):
        _, texts = _visible(page)
        hits = sorted({word for text in texts for word in IDENTIFIER.findall(text)})
        if hits:
            found[page.name] = hits
    return found


def test_the_english_edition_has_no_chinese_but_the_names_the_data_gives(built_edition, data_names):
    _, edition = built_edition
    assert (edition / "en" / "02_professional_development.html").exists()
    assert chinese_on_english_pages(edition, data_names) == {}


def test_the_chinese_edition_has_no_identifiers_in_its_prose(built_edition):
    _, edition = built_edition
    assert identifiers_in_chinese_prose(edition) == {}


def test_the_scans_find_what_they_look_for(tmp_path):
    """The two scans on a made-up page: a Chinese word in English prose, a data name in a cell, an identifier."""
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "page.html").write_text(
        '<html lang="en"><head><title>标题</title></head><body><a lang="zh-CN" href="x">中文</a>'
        "<p>Volunteers in 天河区 (notice 粤府函〔2018〕198号)</p><table><tr><td>石牌街道</td><td>男</td></tr></table>"
        '<img alt="图" src="x.png"></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "page.html").write_text(
        '<html lang="zh-CN"><body><p>年龄 age_band 参照组</p>'
        "<table><tr><td>active_rate</td></tr></table></body></html>",
        encoding="utf-8",
    )
    found = chinese_on_english_pages(tmp_path, ["石牌街道"])
    assert found == {"page.html": ["男", "Volunteers in 天河区 (notice 粤府函〔2018〕198号)", "图"]}
    assert identifiers_in_chinese_prose(tmp_path) == {"page.html": ["age_band"]}
