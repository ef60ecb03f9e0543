"""What a chapter shows and publishes: prose that can't carry live content, guarded CSV text, typed tables."""

import csv
import json

import pandas as pd
import pytest

from voldata.edition import output

HOSTILE = (
    "<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3)) "
    "<http://evil.example> <a@evil.example> [y][ref]\n\n[ref]: javascript:alert(4)"
)


def test_prose_from_data_has_no_tag_link_or_autolink():
    page = output.render_prose(f"项目“{HOSTILE}”")
    for live in ("<script", "<img", "<a ", "href", "onerror=alert(2)>"):
        assert live not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text
    assert "javascript:alert(3)" in page and "<a" not in page


def test_prose_keeps_its_markdown():
    page = output.render_prose("**加粗**与`代码`\n\n- 一\n- 二\n\n> 引用")
    assert "<strong>加粗</strong>" in page and "<code>代码</code>" in page
    assert "<li>一</li>" in page and "<blockquote>" in page


def test_say_shows_the_editions_language(monkeypatch):
    shown = []
    monkeypatch.setattr(output, "display", shown.append)
    output.say(zh="中文", en="English")
    output.say(zh="中文", en="English", language="en")
    assert [item.data for item in shown] == ["<p>中文</p>\n", "<p>English</p>\n"]
    with pytest.raises(ValueError, match="no 'en' text"):
        output.say(zh="只有中文", language="en")


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_text_that_looks_like_a_formula_is_guarded(tmp_path, prefix):
    frame = pd.DataFrame({"title": [f"{prefix}HYPERLINK(1)", "普通"], "change": [-0.5, 0.25], "people": [12, 3]})
    output.publish_table(frame, "t", output_dir=tmp_path, title="表", counts=["people"], threshold=10)
    with open(tmp_path / "tables" / "t.csv", encoding="utf-8-sig", newline="") as handle:
        header, *rows = csv.reader(handle)
    assert header == ["title", "change", "people"]
    guarded = "'" + prefix.replace("\r", "\n") + "HYPERLINK(1)"  # a lone CR would end the row: written as LF
    assert rows == [[guarded, "-0.5", "12"], ["普通", "0.25", "<10"]]  # numbers stay numbers


def test_published_table_declares_its_column_types(tmp_path):
    frame = pd.DataFrame({"code": ["440103", "440104"], "people": [12, 3], "rate": [0.5, 0.1], "ok": [True, False]})
    output.publish_table(
        frame,
        "t",
        output_dir=tmp_path,
        title="表",
        counts=["people"],
        rates={"rate": "people"},
        labels={"code": "区划代码", "people": "人数"},
    )
    meta = json.loads((tmp_path / "tables" / ".meta" / "t.json").read_text(encoding="utf-8"))
    assert meta["title"] == "表"
    assert meta["columns"] == {"区划代码": "text", "人数": "number", "rate": "number", "ok": "text"}
