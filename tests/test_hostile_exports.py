"""Exports written by an attacker (``tests/hostile_exports.py``), ingested and built into a full edition with
the real commands: no planted ID or phone number reaches the store or any output file.

The checks here do not use the masking rule under test: each planted number is looked for as its bare digits
in every output file and every store file, after NFKC and with separators removed.
"""

from __future__ import annotations

import csv
import html
import json
import re
import unicodedata
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pyarrow.parquet as pq
import pytest
from hostile_exports import KEY, ROWS, YEAR, Planted, write_csv
from PIL import Image

from voldata.ingest import ingest
from voldata.ingest.canonical import is_free_text
from voldata.personal import MASK
from voldata.schema import TABLES
from voldata.store import quarantine

# Its own group: one worker builds this edition, while another may build the sample edition.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hostile_exports")]

_SEPARATORS = re.compile(r"[\s\-.\u00b7\u2010-\u2015\u2212\u30fb()\[\]/_~\u200b-\u200d\u2060\ufeff]+")
_XLSX_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_DATA_URI = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+")


def _bare(text: str) -> str:
    """Text as the checks compare it: escapes decoded, NFKC, upper case, no separators, no embedded images."""
    text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = _XLSX_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), html.unescape(text))
    text = _DATA_URI.sub(" ", text)
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def _leaks(text: str, planted: Planted) -> list[str]:
    bare = _bare(text)
    return sorted(key for key in planted.keys if key in bare)


def _texts(path: Path, root: Path) -> dict[str, str]:
    """Every piece of text a file holds, by where it is: zip members, PNG text chunks, Parquet columns, the text."""
    name = path.relative_to(root).as_posix()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return {f"{name}:{n}": archive.read(n).decode("utf-8", "replace") for n in archive.namelist()}
    if path.suffix == ".png":
        with Image.open(path) as image:
            return {name: json.dumps({**image.info, **getattr(image, "text", {})}, default=str)}
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return {f"{name}:{c}": "\n".join(map(str, table.column(c).to_pylist())) for c in table.column_names}
    return {name: path.read_bytes().decode("utf-8", "replace")}


def _leaks_in(folder: Path, planted: Planted) -> dict[str, list[str]]:
    """Planted numbers found in any file under ``folder``, by where they were found."""
    texts = {where: text for p in sorted(folder.rglob("*")) if p.is_file() for where, text in _texts(p, folder).items()}
    return {where: found for where, text in texts.items() if (found := _leaks(text, planted))}


class _Tags(HTMLParser):
    """Every start tag of an HTML document with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


_DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "form", "base", "link", "frame", "applet"}
_OWN_LINK = re.compile(
    r"^#[^:]*$|^(index|0[1-5]_[a-z_]+)\.html$|^tables/(voldata_\d{4}_tables\.xlsx)?$|^(indicators|manifest)\.json$"
    r"|^opendata/$"
)


def _live_content(document: str) -> list[str]:
    """What in an HTML document could run or lead away: dangerous tags, event handlers, foreign links."""
    parser = _Tags()
    parser.feed(document)
    found = []
    for tag, attrs in parser.tags:
        if tag in _DANGEROUS_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            value = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name.startswith("on"):
                found.append(f"<{tag} {name}=>")
            if "javascript:" in value or "vbscript:" in value:
                found.append(f"<{tag} {name}={value}>")
            if tag == "a" and name == "href" and not _OWN_LINK.match(value):
                found.append(f"<a href={value}>")
            if tag == "img" and name == "src" and not value.startswith("data:image/png;base64,"):
                found.append(f"<img src={value}>")
    if re.search(r"<\s*script", document, re.IGNORECASE):
        found.append("<script")
    return found


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_every_free_text_column_is_planted():
    """The schema's free-text columns are the ones the exports above fill with hostile text."""
    free_text = {(t.name, c.name) for t in TABLES.values() for c in t.columns if is_free_text(c)}
    assert free_text == {
        ("volunteers", "street"),
        ("volunteers", "community"),
        ("party_reports", "street"),
        ("party_reports", "community"),
        ("teams", "team_name"),
        ("teams", "street"),
        ("teams", "community"),
        ("activities", "title"),
        ("activities", "street"),
        ("activities", "community"),
        ("timebank_transactions", "service_item"),
    }


def test_a_phone_or_id_number_where_a_count_belongs_is_quarantined(tmp_path):
    """A shifted row can put a mobile or ID number in 招募人数 or 时长（积分）, where it parses as a count."""
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(
        raw / "teams.csv", ["队伍编号", "队伍名称", "队伍类型", "所属区"], [["T1", "队", "社区志愿服务队", "天河区"]]
    )
    header = ["活动编号", "活动名称", "发布队伍编号", "服务类别", "服务对象", "活动区", "开始时间", "招募人数"]
    rows = [["A1", "敬老", "T1", "疫情防控", "老年人", "天河区", "2020-03-05 08:00", number]
            for number in ("20", "13765430001", "137 6543 0002", "440106199003071231")]  # fmt: skip
    for index, row in enumerate(rows):
        row[0] = f"A{index}"
    write_csv(raw / "activities.csv", header, rows)
    ingest([raw], store=tmp_path / "store", key=KEY, progress=False)
    assert pl.read_parquet(tmp_path / "store" / "activities")["planned_volunteers"].to_list() == [20]
    rows = quarantine(tmp_path / "store")
    assert rows["reason"].tolist() == ["out_of_range"] * 3
    assert all(detail == f"招募人数 (planned_volunteers) = '{MASK}' is an ID or phone number, not a count"
               for detail in rows["detail"])  # fmt: skip


def test_the_store_holds_no_planted_number(hostile):
    planted, store = hostile["planted"], hostile["store"]
    report = json.loads((store / "ingest_report.json").read_text(encoding="utf-8"))
    assert report["totals"]["rows_stored"] > 0 and report["totals"]["rows_quarantined"] > 0
    assert sum(sum(f["numbers_masked"].values()) for f in report["files"]) > 0
    assert _leaks_in(store, planted) == {}
    assert _leaks(hostile["messages"], planted) == []


def test_no_output_file_holds_a_planted_number(hostile):
    planted, edition = hostile["planted"], hostile["edition"]
    kinds = {p.suffix for p in _files(edition)}
    assert {".html", ".csv", ".json", ".svg", ".png", ".ipynb", ".xlsx"} <= kinds
    assert _leaks_in(edition, planted) == {}


def test_the_hostile_text_reaches_the_edition_as_text(hostile):
    """The checks below are not vacuous: the titles, streets and file names are published, masked."""
    edition = hostile["edition"]
    featured = (edition / "tables" / "03_featured_projects.csv").read_text(encoding="utf-8-sig")
    streets = (edition / "tables" / "04_streets.csv").read_text(encoding="utf-8-sig")
    files = (edition / "tables" / "05_ingest_files.csv").read_text(encoding="utf-8-sig")
    assert featured.count("敬老项目 联系 " + MASK) == 5 and "javascript:" in featured
    assert streets.count("街道 联系 " + MASK) == ROWS and "'=HYPERLINK" in streets
    assert "<script>alert(1)<／script>文件 联系 " + MASK in files
    cases = (edition / "03_practice_and_cases.html").read_text(encoding="utf-8")
    assert "规模最大的项目是“![x](javascript:alert(5))敬老项目 联系 " + MASK in html.unescape(cases)


def test_pages_figures_and_notebooks_carry_nothing_live(hostile):
    edition = hostile["edition"]
    for page in edition.glob("*.html"):
        assert _live_content(page.read_text(encoding="utf-8")) == [], page.name
    for notebook in (edition / "notebooks").glob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for output in (o for c in cells if c["cell_type"] == "code" for o in c["outputs"]):
            fragment = "".join(output.get("data", {}).get("text/html", ""))
            assert _live_content(fragment) == [], notebook.name
    for figure in (edition / "figures").glob("*.svg"):
        root = ElementTree.parse(figure).getroot()
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in {"script", "foreignObject", "a", "iframe"}, figure.name
            for name, value in element.attrib.items():
                assert not name.rsplit("}", 1)[-1].startswith("on"), figure.name
                assert "javascript:" not in value.lower(), figure.name


def test_the_workbook_holds_no_formula_or_link(hostile):
    workbook = hostile["edition"] / "tables" / f"voldata_{YEAR}_tables.xlsx"
    with zipfile.ZipFile(workbook) as archive:
        names = archive.namelist()
        parts = {n: archive.read(n).decode("utf-8") for n in names if n.endswith((".xml", ".rels"))}
    assert not [n for n in names if "externalLink" in n]
    for name, xml in parts.items():
        assert re.search(r"<(\w+:)?f[ >/]", xml) is None, name
        assert "<hyperlink" not in xml and "relationships/hyperlink" not in xml, name
    strings = parts["xl/sharedStrings.xml"]
    assert '=HYPERLINK("http://evil.example","点击")街道' in strings  # a street, kept as a string


def test_csv_text_cells_are_guarded(hostile):
    guarded = 0
    for table in (hostile["edition"] / "tables").glob("*.csv"):
        with table.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    guarded += cell.startswith(("'=", "'+", "'-", "'@"))
                    if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                        assert re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", cell), (table.name, cell)
    assert guarded >= 4
