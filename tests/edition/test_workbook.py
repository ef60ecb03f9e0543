"""The workbook: numbers as numbers by declared type, text as text, never a formula or a link."""

import zipfile

import pandas as pd
from python_calamine import CalamineWorkbook

from voldata.edition import output
from voldata.edition.workbook import write_workbook

FORMULA = '=HYPERLINK("http://evil.example","点击")'


def _published(tmp_path):
    frame = pd.DataFrame(
        {
            "code": ["440103", "440104", "440105"],
            "title": [FORMULA, "http://evil.example", "@SUM(1)"],
            "people": [120, 3, None],
            "hours": [1.5, -2.0, 3.0],
        }
    )
    output.publish_table(
        frame, "01_t", output_dir=tmp_path, title="测试表", counts=["people"], threshold=10, number="表1-1"
    )
    return tmp_path / "tables"


def test_cells_take_their_declared_types(tmp_path):
    tables = _published(tmp_path)
    target = write_workbook(tables, tables / "book.xlsx")
    book = CalamineWorkbook.from_path(str(target))
    assert book.sheet_names == ["目录", "01_t"]
    assert book.get_sheet_by_name("目录").to_python()[1] == ["表1-1", "01_t", "测试表", "01_t.csv"]
    rows = book.get_sheet_by_name("01_t").to_python()
    assert rows[0] == ["code", "title", "people", "hours"]
    assert rows[1][0] == "440103"  # a code stays text
    assert [row[1] for row in rows[1:]] == [FORMULA, "http://evil.example", "@SUM(1)"]  # no CSV guard
    assert [row[2] for row in rows[1:]] == [120, "<10", ""]
    assert [row[3] for row in rows[1:]] == [1.5, -2.0, 3.0]


def _xml(target, member):
    with zipfile.ZipFile(target) as archive:
        return archive.read(member).decode("utf-8")


def test_number_formats_frozen_header_and_widths(tmp_path):
    tables = _published(tmp_path)
    target = write_workbook(tables, tables / "book.xlsx")
    styles = _xml(target, "xl/styles.xml")
    assert 'formatCode="#,##0"' in styles and 'formatCode="#,##0.0"' in styles
    sheet = _xml(target, "xl/worksheets/sheet2.xml")
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in sheet
    assert '<cols><col min="1" max="1" width=' in sheet  # widths set to the contents
    people_counts = [c for c in sheet.split("<c ")[1:] if c.startswith('r="C2"')]
    assert people_counts and ' s="' in people_counts[0]  # a count carries its number format


def test_demo_workbook_says_so_on_every_sheet(tmp_path):
    frame = pd.DataFrame({"people": [120]})
    output.publish_table(frame, "01_t", output_dir=tmp_path, title="测试表", city_level=True, demo=True)
    target = write_workbook(tmp_path / "tables", tmp_path / "book.xlsx")
    book = CalamineWorkbook.from_path(str(target))
    for name in book.sheet_names:
        assert book.get_sheet_by_name(name).to_python()[0][0].startswith("示例数据")
    assert book.get_sheet_by_name("01_t").to_python()[1:] == [["people"], [120]]


def test_no_formula_or_hyperlink_from_data(tmp_path):
    tables = _published(tmp_path)
    target = write_workbook(tables, tables / "book.xlsx")
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        sheets = "".join(archive.read(n).decode("utf-8") for n in names if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in sheets and "<f " not in sheets
    assert "<hyperlink" not in sheets and not [n for n in names if n.endswith(".rels") and "worksheets" in n]
