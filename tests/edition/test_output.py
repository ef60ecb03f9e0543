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
    assert header == ["title", "change（%）", "people"]  # a change is a percentage
    guarded = "'" + prefix.replace("\r", "\n") + "HYPERLINK(1)"  # a lone CR would end the row: written as LF
    assert rows == [[guarded, "-50.0", "12"], ["普通", "25.0", "<10"]]  # numbers stay numbers


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
    assert meta["columns"] == {"区划代码": "text", "人数": "number", "rate（%）": "number", "ok": "text"}
    assert meta["formats"] == {"区划代码": "text", "人数": "count", "rate（%）": "percent", "ok": "text"}


def _csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_numbers_are_written_alike_in_csv_and_page(tmp_path):
    """Counts whole, hours one decimal, shares and growth ×100 with one decimal; years never grouped."""
    frame = pd.DataFrame(
        {
            "year": [2019, 2020],
            "people": [12345, 20],
            "hours": [1234.56, 7.0],
            "share": [0.8030513176144244, 0.0004],
            "yoy": [-0.12345, None],
        }
    )
    labels = {"year": "年份", "people": "人数（人）", "hours": "服务时长（小时）", "share": "占比", "yoy": "比上年增长"}
    published = output.publish_table(
        frame, "t", output_dir=tmp_path, title="表", labels=labels, city_level=True, number="表1-1"
    )
    header, *rows = _csv_rows(tmp_path / "tables" / "t.csv")
    assert header == ["年份", "人数（人）", "服务时长（小时）", "占比（%）", "比上年增长（%）"]
    assert rows == [["2019", "12345", "1234.6", "80.3", "-12.3"], ["2020", "20", "7.0", "0.0", ""]]
    page = output.html_table(published, "表1-1 表", formats=published.attrs["formats"])
    assert "<caption>表1-1 表</caption>" in page
    cells = [c.split("</td>")[0] for c in page.split("<td>")[1:]]
    assert cells == ["2019", "12,345", "1,234.6", "80.3", "-12.3", "2020", "20", "7.0", "0.0", ""]


def test_published_counts_and_ranges_are_grouped_on_the_page():
    """A count published as text (digits, a range, a mark) reads like every other count."""
    shown = [output.display_value(v, "count") for v in ["146798", "146798–146807", "<10", "x"]]
    assert shown == ["146,798", "146,798–146,807", "<10", "x"]
    assert output.display_value("2019–2020", "year") == "2019–2020"


def test_indicator_values_follow_their_unit(tmp_path):
    frame = pd.DataFrame(
        {
            "指标": ["人数", "比例", "系数", "时长"],
            "数值": [3993.0, 0.3118, 0.41234, 23805.0],
            "单位": ["人", "%", "系数", "小时"],
        }
    )
    output.publish_table(frame, "t", output_dir=tmp_path, title="表", city_level=True)
    _, *rows = _csv_rows(tmp_path / "tables" / "t.csv")
    assert [row[1] for row in rows] == ["3993", "31.2", "0.412", "23805.0"]


def test_demo_tables_say_so_in_their_first_line(tmp_path):
    frame = pd.DataFrame({"people": [12]})
    output.publish_table(frame, "t", output_dir=tmp_path, title="表", city_level=True, demo=True)
    first, header, row = _csv_rows(tmp_path / "tables" / "t.csv")
    assert first[0].startswith("# 示例数据") and header == ["people"] and row == ["12"]
