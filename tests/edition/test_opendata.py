"""The open data: long tables with a suppression flag, a bilingual dictionary and a valid Data Package."""

import csv
import json

import pandas as pd
import pytest

from voldata.edition import output
from voldata.edition.analysis import INDICATOR_LABELS, indicator_headers, indicator_table
from voldata.edition.opendata import write_open_data

frictionless = pytest.importorskip("frictionless", reason="frictionless (the dev extra) validates the package")


def _rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle) if not row[0].startswith("#")]


def _validate(package):
    report = frictionless.validate(str(package))
    assert report.valid, report.flatten(["type", "note"])
    return json.loads(package.read_text(encoding="utf-8"))


@pytest.fixture
def published(tmp_path):
    """A city indicator table, a district table with a suppressed cell and a breakdown, as chapters publish them."""
    city = {"registered_volunteers": 3993, "active_rate": 0.3118, "active_rate_yoy": 0.05}
    output.publish_table(
        indicator_table(city, ["registered_volunteers", "active_rate"], with_id=True),
        "05_city_indicators",
        output_dir=tmp_path,
        title="全市指标（完整）",
        labels=INDICATOR_LABELS,
        city_level=True,
        number="表5-1",
        demo=True,
    )
    districts = pd.DataFrame(
        {
            "district_code": ["440103", "440104"],
            "name_zh": ["荔湾区", "越秀区"],
            "registered_volunteers": ["277", "<10"],
            "active_rate": [0.292, None],
        }
    )
    output.publish_table(
        districts,
        "05_district_indicators",
        output_dir=tmp_path,
        title="分区指标",
        decided=["registered_volunteers"],
        labels=indicator_headers(districts.columns),
        number="表5-2",
        demo=True,
    )
    output.publish_table(
        pd.DataFrame({"category": ["社区服务", "其他"], "hours": [6038.5, 368.5], "share": [0.942, 0.058]}),
        "02_categories",
        output_dir=tmp_path,
        title="各服务类别的服务时长",
        labels={"category": "服务类别", "hours": "服务时长（小时）", "share": "时长占比"},
        city_level=True,
        number="表2-2",
        demo=True,
    )
    return tmp_path


def test_indicators_are_long_with_a_suppression_flag(published):
    folder = write_open_data(published, year=2020, demo=True)
    header, *rows = _rows(folder / "indicators.csv")
    assert header == [
        "indicator_id",
        "year",
        "area_code",
        "area_name_zh",
        "area_name_en",
        "value",
        "unit",
        "suppressed",
    ]
    assert ["registered_volunteers", "2020", "440100", "广州市", "Guangzhou", "3993", "人", "False"] in rows
    assert ["active_rate", "2020", "440100", "广州市", "Guangzhou", "31.2", "%", "False"] in rows
    assert ["active_rate_yoy", "2020", "440100", "广州市", "Guangzhou", "5.0", "%", "False"] in rows
    assert ["registered_volunteers", "2020", "440104", "越秀区", "Yuexiu District", "", "人", "True"] in rows
    assert ["active_rate", "2020", "440103", "荔湾区", "Liwan District", "29.2", "%", "False"] in rows
    assert (folder / "indicators.csv").read_text(encoding="utf-8").startswith("# 示例数据")


def test_other_tables_are_written_long(published):
    folder = write_open_data(published, year=2020)
    header, *rows = _rows(folder / "02_categories.csv")
    assert header == ["服务类别", "year", "measure", "value", "unit", "suppressed"]
    assert rows[:2] == [
        ["社区服务", "2020", "服务时长（小时）", "6038.5", "小时", "False"],
        ["社区服务", "2020", "时长占比（%）", "94.2", "%", "False"],
    ]


def test_the_package_validates_with_its_licence_and_dictionary(published):
    folder = write_open_data(published, year=2020, demo=True, licence="CC0-1.0")
    package = _validate(folder / "datapackage.json")
    assert package["licenses"][0]["name"] == "CC0-1.0" and "CC0-1.0" in (folder / "LICENSE.md").read_text()
    paths = {resource["path"] for resource in package["resources"]}
    assert paths == {p.name for p in folder.glob("*.csv")}
    _, *dictionary = _rows(folder / "data_dictionary.csv")
    described = {(row[0], row[1]) for row in dictionary}
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            assert (resource["path"], field["name"]) in described
    assert any(row[3] == "已抑制" and row[4] == "Suppressed" for row in dictionary)


def test_a_broken_resource_does_not_validate(published):
    """The validator really reads the rows: a value that is not a number fails."""
    folder = write_open_data(published, year=2020)
    path = folder / "indicators.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",3993,", ",many,"), encoding="utf-8")
    assert not frictionless.validate(str(folder / "datapackage.json")).valid


def test_the_built_editions_package_validates(built_edition):
    _, edition = built_edition
    package = _validate(edition / "opendata" / "datapackage.json")
    names = {resource["path"] for resource in package["resources"]}
    assert {"indicators.csv", "indicator_definitions.csv", "data_dictionary.csv", "04_streets.csv"} <= names
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
