"""The editors' text in a built edition: every slot in its chapter, escaped, empty slots listed, checked first.

Two editions: the shared one (``built_edition``, the example folder: every slot filled in both languages) for
where each slot's text lands, and a small one from a hand-made folder (hostile text, a slot left empty, one
filled in Chinese only) with the chapters that hold fixed slots, for escaping, notes and what the build lists.
"""

import html
import json
import re

import pandas as pd
import pytest

from voldata import paths
from voldata.cli import main
from voldata.edition import output
from voldata.edition.build import build_edition
from voldata.edition.chapter import NO_ENGLISH_EDITORS_TEXT, open_chapter
from voldata.editorial import chapter_slots, read_editorial, write_template

SAMPLE_YEAR = 2020
pytestmark = pytest.mark.slow
EDITORIAL_EXAMPLE = paths.PROJECT_DIR / "data" / "editorial-example"
EDITORIAL_EXAMPLE_CHAPTERS = ("01_general_report", "03_practice_and_cases", "04_district_development", "05_appendix")

# Slot -> (template file, the chapter page it must appear on); each text carries a marker found nowhere else.
SLOT_PAGES = {
    "前言": ("01_general_report.md", "01_general_report.html"),
    "问题与挑战": ("01_general_report.md", "01_general_report.html"),
    "发展展望": ("01_general_report.md", "01_general_report.html"),
    "荔湾区": ("04_district_development.md", "04_district_development.html"),
    "增城区": ("04_district_development.md", "04_district_development.html"),
    "编委会": ("05_appendix.md", "05_appendix.html"),
    "参考文献": ("05_appendix.md", "05_appendix.html"),
}
HOSTILE = '<script>alert("x")</script> [点我](javascript:alert(1)) <img src=x onerror=alert(2)>'
LEFT_EMPTY = "从化区"
# Filled in Chinese, not in English: the English page shows a note instead.
CHINESE_ONLY = "前言"
# The hand-made folder's edition runs the chapters with fixed slots; the district chapter's slots are checked
# on the shared edition and on the chapter itself (test_an_empty_slot_shows_nothing).
BUILT = ("01_general_report", "03_practice_and_cases", "05_appendix")


def _marker(slot):
    return f"〔编者标记{[*SLOT_PAGES, '案例'].index(slot):02d}〕"


def _marker_en(slot):
    return f"[editors-mark-{[*SLOT_PAGES, '案例'].index(slot):02d}]"


def _hand_made_folder(folder):
    """The editors' folder of the hand-made edition: every slot of :data:`SLOT_PAGES` (each with its marker and
    hostile text) and a case; English for each but :data:`CHINESE_ONLY`; the chronicle and policies in Chinese."""
    write_template(folder, year=SAMPLE_YEAR)
    for slot, (name, _) in SLOT_PAGES.items():
        path = folder / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f"## {slot}\n", f"## {slot}\n{_marker(slot)} {HOSTILE}\n", 1), encoding="utf-8")
        if slot != CHINESE_ONLY:
            path = folder / "en" / name
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(f"## {slot}\n", f"## {slot}\n{_marker_en(slot)} In English.\n", 1), "utf-8")
    cases = folder / "03_practice_and_cases.md"
    cases.write_text(f"## 案例：<b>长者饭堂</b>\n{_marker('案例')} **做法**：分片包干。\n", encoding="utf-8")
    (folder / "大事记.csv").write_text(
        '日期,事件\n2020-03-05,"=HYPERLINK(""http://evil.example"")"\n', encoding="utf-8"
    )
    (folder / "政策文件.csv").write_text(
        "名称,发文机关,文号,日期\n志愿服务条例,国务院,国务院令第685号,2017-08-22\n", encoding="utf-8"
    )
    return folder


@pytest.fixture(scope="session")
def editorial_edition(fixture_store, made_once, only_chapters):
    """The fixture store's 2020 edition in both languages, chapters :data:`BUILT`, from the hand-made folder
    (once per run): (OUT/<year> folder, the build's messages)."""

    def make(root):
        messages = []
        with only_chapters(*BUILT):
            build_edition(
                year=SAMPLE_YEAR,
                store=fixture_store,
                out=root / "out",
                editorial=_hand_made_folder(root / "texts"),
                languages="zh,en",
                progress=False,
                log=messages.append,
            )
        (root / "messages.json").write_text(json.dumps(messages, ensure_ascii=False), encoding="utf-8")

    root = made_once("editorial", make)
    return root / "out" / str(SAMPLE_YEAR), json.loads((root / "messages.json").read_text(encoding="utf-8"))


def _page(edition, name):
    return (edition / name).read_text(encoding="utf-8")


def _longest_line(markdown):
    """The longest line of a slot's Markdown as a page shows it in text (no list marker or emphasis)."""
    lines = [re.sub(r"^(?:[-*] |\d+\. )", "", line.strip()).replace("**", "") for line in markdown.splitlines()]
    return max(lines, key=len)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_slot_appears_in_its_chapter_only(built_edition, language):
    """The example folder's text of each slot (its longest line, which no other slot shares) on its page only."""
    _, edition = built_edition
    folder = edition if language == "zh" else edition / "en"
    pages = {p.stem: html.unescape(p.read_text(encoding="utf-8")) for p in folder.glob("*.html")}
    shown = {page: re.sub(r"<[^>]+>", "", text) for page, text in pages.items()}  # the pages' text, without tags
    example = read_editorial(EDITORIAL_EXAMPLE).in_language(language)
    texts = {
        (key, slot): _longest_line(example.text(slot))
        for key in EDITORIAL_EXAMPLE_CHAPTERS
        for slot in chapter_slots(key)
        if example.text(slot) is not None
    }
    texts |= {("03_practice_and_cases", title): _longest_line(text) for title, text in example.cases}
    assert len(set(texts.values())) == len(texts) > 11  # every district's and every fixed slot's text
    for (key, slot), line in texts.items():
        assert [page for page, text in shown.items() if line in text] == [key], slot
    # A district's text sits in that district's profile: after its heading, before the next district's.
    districts = pages["04_district_development"]
    heading = {"zh": "荔湾区：编者文字", "en": "Liwan District: the editors' text"}[language]
    next_district = re.search(r"<h3[^>]*>" + {"zh": "越秀区", "en": "Yuexiu"}[language], districts).start()
    assert districts.index(heading) < districts.index(texts["04_district_development", "荔湾区"]) < next_district


def test_the_hand_made_folders_slots_appear_in_their_chapter_only(editorial_edition):
    edition, _ = editorial_edition
    pages = {p.name: p.read_text(encoding="utf-8") for p in edition.glob("*.html")}
    for slot, (_, page) in {**SLOT_PAGES, "案例": (None, "03_practice_and_cases.html")}.items():
        holding = [name for name, text in pages.items() if _marker(slot) in text]
        assert holding == ([page] if page.removesuffix(".html") in BUILT else []), slot


def test_an_empty_slot_shows_nothing(fixture_store, tmp_path, monkeypatch):
    """In the district chapter (which the hand-made edition leaves out), in both languages: the empty slot
    shows nothing, not even its heading; a filled one its heading and its text, escaped."""
    shown = []
    monkeypatch.setattr(output, "display", shown.append)
    folder = _hand_made_folder(tmp_path / "texts")
    for language in ("zh", "en"):
        chapter = open_chapter(
            "04_district_development",
            year=SAMPLE_YEAR,
            store=str(fixture_store),
            output_dir=str(tmp_path / language),
            language=language,
            editorial=str(folder),
        )
        for name in (LEFT_EMPTY, "荔湾区"):
            assert chapter.editors_text(name, heading=f"#### {name}：编者文字") == (name != LEFT_EMPTY)
    shown = [item.data for item in shown]
    assert not [text for text in shown if LEFT_EMPTY in text]
    assert [text for text in shown if "荔湾区：编者文字" in text] == ["<h4>荔湾区：编者文字</h4>\n"] * 2
    assert _marker("荔湾区") in shown[1] and _marker_en("荔湾区") in shown[3] and len(shown) == 4
    assert "<script" not in shown[1] and "&lt;script&gt;alert" in shown[1]  # the hostile text, shown as text


def test_english_pages_take_the_english_text_and_note_what_has_none(editorial_edition):
    edition, _ = editorial_edition
    pages = {p.name: p.read_text(encoding="utf-8") for p in (edition / "en").glob("*.html")}
    for slot, (_, page) in SLOT_PAGES.items():
        assert not any(_marker(slot) in text for text in pages.values()), slot  # never the Chinese text
        holding = [name for name, text in pages.items() if _marker_en(slot) in text]
        built = page.removesuffix(".html") in BUILT
        assert holding == ([] if slot == CHINESE_ONLY or not built else [page]), slot
    note = NO_ENGLISH_EDITORS_TEXT.strip("*")
    # The Chinese-only preface and the Chinese-only case and tables each leave a note.
    assert pages["01_general_report.html"].count(note) == 1
    assert pages["03_practice_and_cases.html"].count(note) == 1
    assert pages["05_appendix.html"].count(note) == 2
    assert "国务院令第685号" not in pages["05_appendix.html"]
    assert not (edition / "en" / "tables" / "05_chronicle.csv").exists()


def test_editors_text_is_escaped(editorial_edition):
    edition, _ = editorial_edition
    for page in edition.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text and "<b>长者饭堂" not in text, page.name
        assert not re.search(r"""href=["']?javascript""", text, flags=re.IGNORECASE), page.name
    cases = _page(edition, "03_practice_and_cases.html")
    assert "案例：&lt;b&gt;长者饭堂&lt;/b&gt;" in cases
    assert "&lt;script&gt;alert" in _page(edition, "01_general_report.html")  # shown as text
    assert "<strong>做法</strong>" in cases  # Markdown emphasis still renders


def test_chronicle_and_policies_are_appendix_tables(editorial_edition):
    edition, _ = editorial_edition
    chronicle = pd.read_csv(edition / "tables" / "05_chronicle.csv", dtype=str, encoding="utf-8-sig")
    assert chronicle.to_dict("records") == [{"日期": "2020-03-05", "事件": '\'=HYPERLINK("http://evil.example")'}]
    policies = pd.read_csv(
        edition / "tables" / "05_policies.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False
    )
    assert policies.to_dict("records") == [
        {"名称": "志愿服务条例", "发文机关": "国务院", "文号": "国务院令第685号", "日期": "2017-08-22"}
    ]
    appendix = _page(edition, "05_appendix.html")
    assert "国务院令第685号" in appendix and "未提供编者文字" not in appendix


def test_empty_slots_are_listed_in_manifest_and_summary(editorial_edition):
    edition, messages = editorial_edition
    manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
    filled_districts = {"荔湾区", "增城区"}
    assert LEFT_EMPTY in manifest["editorial"]["empty"]
    assert set(manifest["editorial"]["empty"]) & {*SLOT_PAGES, "案例", "大事记", "政策文件"} == set()
    assert len(manifest["editorial"]["empty"]) == 11 - len(filled_districts)
    assert manifest["editorial"]["filled"] == [*SLOT_PAGES, "案例：<b>长者饭堂</b>", "大事记", "政策文件"]
    assert manifest["editorial"]["filled_en"] == [slot for slot in SLOT_PAGES if slot != CHINESE_ONLY]
    assert {CHINESE_ONLY, LEFT_EMPTY, "案例", "大事记", "政策文件"} <= set(manifest["editorial"]["empty_en"])
    summary = messages[-1]
    assert summary.startswith("editors' text from ") and "10 slots filled" in summary and LEFT_EMPTY in summary
    english_part = summary.split("English text left empty")[1]
    assert CHINESE_ONLY in english_part and "问题与挑战" not in english_part


def test_without_a_folder_the_appendix_says_so_once(hostile):
    """The hostile edition is built without an editors' folder."""
    edition = hostile["edition"]
    pages = {p.name: p.read_text(encoding="utf-8") for p in edition.glob("*.html")}
    assert [name for name, text in pages.items() if "未提供编者文字" in text] == ["05_appendix.html"]
    assert pages["05_appendix.html"].count("未提供编者文字") == 1
    manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["editorial"] == {
        "folder": None,
        "supplied": False,
        "filled": [],
        "empty": [],
        "filled_en": [],
        "empty_en": [],
    }
    assert not (edition / "tables" / "05_chronicle.csv").exists()


def test_build_checks_the_editorial_folder_before_anything_runs(fixture_store, tmp_path, capsys):
    folder = tmp_path / "texts"
    write_template(folder, year=SAMPLE_YEAR)
    (folder / "05_appendix.md").write_text("## 致谢\n感谢。\n", encoding="utf-8")
    out = tmp_path / "out"
    arguments = ["--year", "2020", "--store", str(fixture_store), "--out", str(out), "--editorial", str(folder)]
    assert main(["build", *arguments]) == 2
    error = capsys.readouterr().err
    assert "05_appendix.md, line 1: heading '## 致谢' names no slot of 附录; the slots are: 编委会、参考文献" in error
    assert not out.exists()
