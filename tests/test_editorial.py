"""The editors' text: the template, and a filled folder read and checked before a build runs."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from voldata import paths
from voldata.cli import main
from voldata.editorial import EditorialError, read_editorial, write_template

ALL_SLOTS = [
    "前言",
    "问题与挑战",
    "发展展望",
    "案例",
    "荔湾区",
    "越秀区",
    "海珠区",
    "天河区",
    "白云区",
    "黄埔区",
    "番禺区",
    "花都区",
    "南沙区",
    "从化区",
    "增城区",
    "编委会",
    "参考文献",
    "大事记",
    "政策文件",
]


@pytest.fixture
def template(tmp_path):
    folder = tmp_path / "texts" / "2020"
    write_template(folder, year=2020)
    return folder


def _fill(path, slot, text):
    """Put ``text`` under the heading ``## slot`` of a template file."""
    source = path.read_text(encoding="utf-8")
    heading = f"## {slot}\n"
    assert heading in source
    path.write_text(source.replace(heading, f"{heading}{text}\n", 1), encoding="utf-8")


def test_template_lists_every_slot_and_reads_as_empty(template):
    assert sorted(p.name for p in template.iterdir()) == sorted(
        [
            "01_general_report.md",
            "03_practice_and_cases.md",
            "04_district_development.md",
            "05_appendix.md",
            "en",
            "大事记.csv",
            "政策文件.csv",
        ]
    )
    english = sorted(p.name for p in (template / "en").iterdir())
    assert english == sorted(p.name for p in template.iterdir() if p.is_file())
    assert (template / "大事记.csv").read_text(encoding="utf-8-sig") == "日期,事件\n"
    assert (template / "政策文件.csv").read_text(encoding="utf-8-sig") == "名称,发文机关,文号,日期\n"
    editorial = read_editorial(template)
    assert editorial.supplied
    assert editorial.slots == {} and editorial.cases == () and editorial.tables == {}
    assert list(editorial.empty) == ALL_SLOTS
    assert editorial.english is not None and editorial.english.slots == {}
    assert list(editorial.empty_en) == ALL_SLOTS
    assert editorial.summary()["empty_en"] == ALL_SLOTS


def test_english_text_comes_from_the_en_folder_checked_the_same_way(template):
    _fill(template / "01_general_report.md", "前言", "编者的前言。")
    _fill(template / "en" / "01_general_report.md", "前言", "The editors' preface.")
    _fill(template / "en" / "03_practice_and_cases.md", "案例：", "")
    (template / "en" / "03_practice_and_cases.md").write_text(
        "## 案例：Meals for older neighbours\nA case in English.\n", encoding="utf-8"
    )
    (template / "en" / "大事记.csv").write_text("日期,事件\n2020-03-05,Volunteers' Day\n", encoding="utf-8")
    editorial = read_editorial(template)
    assert editorial.text("前言") == "编者的前言。" and editorial.english.text("前言") == "The editors' preface."
    assert editorial.in_language("en").cases == (("Meals for older neighbours", "A case in English."),)
    assert editorial.in_language("en").tables["chronicle"]["事件"].tolist() == ["Volunteers' Day"]
    assert editorial.in_language("zh") is editorial
    summary = editorial.summary()
    assert summary["filled_en"] == ["前言", "案例：Meals for older neighbours", "大事记"]
    assert "前言" not in summary["empty_en"] and "问题与挑战" in summary["empty_en"]
    # The English files are checked as the Chinese ones are, and named with their folder.
    _fill(template / "en" / "05_appendix.md", "编委会", "Call 13800138000.")
    with pytest.raises(EditorialError, match=r"en/05_appendix\.md, line \d+: holds a personal number"):
        read_editorial(template)
    (template / "en" / "05_appendix.md").write_text("## Board\nNames.\n", encoding="utf-8")
    with pytest.raises(EditorialError, match=r"en/05_appendix\.md, line 1: heading '## Board' names no slot"):
        read_editorial(template)


def test_without_an_en_folder_every_english_slot_is_empty(template):
    for path in (template / "en").iterdir():
        path.unlink()
    (template / "en").rmdir()
    _fill(template / "01_general_report.md", "前言", "编者的前言。")
    editorial = read_editorial(template)
    assert editorial.english is None and list(editorial.empty_en) == ALL_SLOTS
    assert editorial.in_language("en").slots == {} and editorial.in_language("en").supplied


def test_template_never_replaces_a_file(template):
    _fill(template / "01_general_report.md", "前言", "编者已写的前言。")
    with pytest.raises(EditorialError, match="already holds 01_general_report.md"):
        write_template(template, year=2020)
    assert "编者已写的前言。" in (template / "01_general_report.md").read_text(encoding="utf-8")


def test_filled_slots_land_by_name_without_the_instructions(template):
    _fill(template / "01_general_report.md", "前言", "第一段。\n\n- 要点一\n- 要点二")
    _fill(template / "04_district_development.md", "海珠区", "海珠区的文字。")
    _fill(template / "05_appendix.md", "编委会", "主任：某某")
    editorial = read_editorial(template)
    assert editorial.slots == {
        "前言": "第一段。\n\n- 要点一\n- 要点二",
        "海珠区": "海珠区的文字。",
        "编委会": "主任：某某",
    }
    assert "前言" not in editorial.empty and "海珠区" not in editorial.empty
    assert len(editorial.empty) == len(ALL_SLOTS) - 3
    assert editorial.summary()["filled"] == ["前言", "海珠区", "编委会"]


def test_cases_keep_their_titles_and_order(template):
    path = template / "03_practice_and_cases.md"
    path.write_text(
        "# 实务经验篇\n\n## 案例：长者饭堂（二）\n第一个案例。\n\n### 做法\n\n分片包干。\n\n"
        "## 案例:街坊议事\n第二个案例。\n",
        encoding="utf-8",
    )
    editorial = read_editorial(template)
    assert editorial.cases == (
        ("长者饭堂（二）", "第一个案例。\n\n### 做法\n\n分片包干。"),
        ("街坊议事", "第二个案例。"),
    )
    assert "案例" not in editorial.empty


def test_a_heading_that_names_no_slot_stops_with_the_valid_slots(template):
    path = template / "01_general_report.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n## 工作总结\n这一段没有栏目。\n", encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("## 工作总结") + 1
    with pytest.raises(EditorialError) as error:
        read_editorial(template)
    message = str(error.value)
    assert f"01_general_report.md, line {line}: heading '## 工作总结' names no slot of 总报告" in message
    assert message.endswith("the slots are: 前言、问题与挑战、发展展望")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# 标题\n\n开头的一段。\n\n## 前言\n正文", "line 3: text before the first '## ' slot heading"),
        ("## 前言\n一\n\n## 前言\n二", "line 4: slot '## 前言' is given twice"),
        ("## 前言\n正文\n\n# 大标题\n", "line 4: a '# ' heading inside a slot"),
        ("##前言\n正文", "line 1: write a space after the '#'"),
        ("## 前言\n联系电话 138 1234 5678。", "line 2: holds a personal number (mobile number"),
    ],
)
def test_malformed_markdown_names_file_and_line(template, text, message):
    (template / "01_general_report.md").write_text(text, encoding="utf-8")
    with pytest.raises(EditorialError, match="01_general_report.md, " + message.replace("(", r"\(")) as error:
        read_editorial(template)
    assert "5678" not in str(error.value)  # the number itself is never repeated


def test_headings_in_code_and_comments_are_not_slots(template):
    (template / "01_general_report.md").write_text(
        "<!-- ## 工作总结 (a comment) -->\n## 前言\n```\n## 不是标题\n```\n", encoding="utf-8"
    )
    assert read_editorial(template).slots == {"前言": "```\n## 不是标题\n```"}


def test_a_case_without_a_title_is_refused_unless_empty(template):
    path = template / "03_practice_and_cases.md"
    assert read_editorial(template).cases == ()  # the template's empty "## 案例：" placeholder
    path.write_text("## 案例：\n没有标题的案例。\n", encoding="utf-8")
    with pytest.raises(EditorialError, match="line 1: the case has no title"):
        read_editorial(template)


def test_tables_are_read_with_dates_normalised_and_sorted(template):
    (template / "大事记.csv").write_text(
        "日期,事件\n2020年12月5日,国际志愿者日\n2020/3/5,学雷锋日\n\n2020-03,三月的事\n", encoding="gb18030"
    )
    (template / "政策文件.csv").write_text(
        '名称,发文机关,文号,日期\n"条例,修订",市人大常委会,,2020-06-01\n', encoding="utf-8-sig"
    )
    editorial = read_editorial(template)
    expected = pd.DataFrame(
        {"日期": ["2020-03", "2020-03-05", "2020-12-05"], "事件": ["三月的事", "学雷锋日", "国际志愿者日"]},
        dtype=object,
    )
    assert_frame_equal(editorial.tables["chronicle"], expected)
    policies = pd.DataFrame(
        {"名称": ["条例,修订"], "发文机关": ["市人大常委会"], "文号": [""], "日期": ["2020-06-01"]}, dtype=object
    )
    assert_frame_equal(editorial.tables["policies"], policies)
    assert "大事记" not in editorial.empty and "政策文件" not in editorial.empty


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("大事记.csv", "日期,事件,备注\n", "大事记.csv, row 1: the header must be 日期,事件"),
        (
            "大事记.csv",
            "日期,事件\n2020-01-01,一\n2020-01-02,二,多一列\n",
            "大事记.csv, row 3 .*: 3 fields, expected 2",
        ),
        (
            "大事记.csv",
            "日期,事件\n2020-02-30,不存在的日子\n",
            "大事记.csv, row 2 .*column 日期: '2020-02-30' is not a date",
        ),
        ("大事记.csv", "日期,事件\n2020-02-03,\n", "大事记.csv, row 2 .*column 事件: empty"),
        (
            "政策文件.csv",
            "名称,发文机关,文号,日期\n通知,某局,020-8888 1234,2020-01-01\n",
            "row 2 .*column 文号: holds a personal",
        ),
    ],
)
def test_malformed_csv_names_file_and_row(template, name, text, message):
    (template / name).write_text(text, encoding="utf-8")
    with pytest.raises(EditorialError, match=message):
        read_editorial(template)


def test_files_the_edition_would_not_read_are_refused(template):
    (template / "02_professional_development.md").write_text("## 前言\n", encoding="utf-8")
    with pytest.raises(EditorialError, match="02_professional_development.md would not be read"):
        read_editorial(template)


def test_no_folder_means_no_editors_text(tmp_path):
    assert not read_editorial("").supplied and read_editorial(None).empty == ()
    with pytest.raises(EditorialError, match="does not exist"):
        read_editorial(tmp_path / "none")


def test_the_example_folder_fills_every_slot_and_is_marked():
    editorial = read_editorial(paths.PROJECT_DIR / "data" / "editorial-example")
    assert editorial.empty == () and editorial.empty_en == ()
    for texts, mark in ((editorial, "示例"), (editorial.english, "Example")):
        assert len(texts.slots) == len(ALL_SLOTS) - 3  # every fixed slot (cases and the two tables apart)
        assert all(mark in text for text in [*texts.slots.values(), *(text for _, text in texts.cases)])
        assert all(
            frame.iloc[:, :2].apply(lambda c, mark=mark: c.str.contains(mark)).any(axis=1).all()
            for frame in texts.tables.values()
        )


def test_editorial_command_writes_the_template(tmp_path, capsys):
    assert main(["editorial", "--year", "2021", "--out", str(tmp_path / "t")]) == 0
    assert "# 总报告：编者文字（2021年）" in (tmp_path / "t" / "01_general_report.md").read_text(encoding="utf-8")
    english = (tmp_path / "t" / "en" / "04_district_development.md").read_text(encoding="utf-8")
    assert "## 荔湾区\n<!-- The editors' text for Liwan District" in english
    assert main(["editorial", "--year", "2021", "--out", str(tmp_path / "t")]) == 2
    assert "nothing was written" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["editorial", "--year", "2021", "--ou", str(tmp_path / "u")])  # no prefix matching
