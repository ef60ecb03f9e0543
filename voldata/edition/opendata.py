"""The edition's open data: every published table as a long, tidy CSV, a data dictionary and a Data Package.

``OUT/<year>/opendata/`` holds

* ``indicators.csv``: the city's indicators and every district's, one row per indicator, year
  and area (``indicator_id, year, area_code, area_name_zh, area_name_en, value, unit, suppressed``);
  suppressed district cells have no value and ``suppressed`` true;
* ``<table>.csv`` for every other published table, long: its row labels, then ``year, measure,
  value, unit, suppressed`` (``measure`` is the published column's header); a table of text
  only (definitions, software versions) as it is;
* ``indicator_definitions.csv`` and ``data_dictionary.csv``: every indicator's definition and
  every field of every resource, in Chinese and English;
* ``LICENSE.md`` and ``datapackage.json``, a Frictionless Data Package
  (https://specs.frictionlessdata.io/data-package/) describing each CSV with its schema and the licence.

The values are the published ones (after suppression), as the edition's tables write them:
percentages ×100 with one decimal, counts whole. In a demo edition each CSV's first line says so,
as a comment line the package's dialect declares (``commentChar``).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path

from voldata.demo import DEMO_MARK, DEMO_MARK_EN, DEMO_NOTICE
from voldata.edition.analysis import UNITS_ZH, indicator_headers
from voldata.edition.english import district_name
from voldata.edition.english import unit as unit_en
from voldata.edition.workbook import read_table_meta
from voldata.indicators import REGISTRY

__all__ = ["LICENCES", "OPEN_DATA_DIR", "PACKAGE_FILE", "write_open_data"]

OPEN_DATA_DIR = "opendata"
PACKAGE_FILE = "datapackage.json"
CITY_CODE = "440100"
#: Licences ``voldata build --licence`` accepts: SPDX id -> (title, URL).
LICENCES: dict[str, tuple[str, str]] = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-By-1.0": ("Open Data Commons Attribution License 1.0", "https://opendatacommons.org/licenses/by/1-0/"),
}
# hidden counts: small, hidden to protect another, or shown only as a range (no exact value to give)
SUPPRESSED = re.compile(r"^(<\d+|x|\d+–\d+)$")
_UNIT_IN_HEADER = re.compile(r"[（(]([^（）()]*)[）)]$")
# The indicator tables (one row per indicator) and the district table (one column per indicator) go to
# indicators.csv; the street table and the others are written long on their own.
INDICATOR_TABLES = ("05_city_indicators", "05_district_indicators")


def _write_csv(path: Path, header: list[str], rows: list[list], *, demo: bool) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        if demo:
            handle.write(f"# {DEMO_NOTICE['zh']} {DEMO_NOTICE['en']}\n")
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])


def _unit_of(header: str) -> str:
    found = _UNIT_IN_HEADER.search(header)
    return found.group(1).split("，")[-1] if found else ""


def _number(value: object) -> tuple[object, bool]:
    """(value, suppressed) of a published cell: ``<10`` and ``x`` are suppressed, digits are numbers."""
    if isinstance(value, str):
        if SUPPRESSED.match(value):
            return None, True
        return (int(value), False) if value.isdigit() else (None, False)
    return value, False


def _indicator_rows(meta: dict, year: int) -> list[list]:
    """indicators.csv rows from the city table (one row per indicator) and the district table."""
    rows = []
    city = meta.get("05_city_indicators")
    if city:
        columns = list(city["columns"])
        for row in city["rows"]:
            cells = dict(zip(columns, row))
            id = cells.get("指标代码")
            if id not in REGISTRY:
                continue
            unit = UNITS_ZH.get(REGISTRY[id].unit, REGISTRY[id].unit)
            rows.append([id, year, CITY_CODE, "广州市", "Guangzhou", cells.get("数值"), unit, False])
            growth = cells.get("比上年增长（%）")
            if growth is not None:
                rows.append([f"{id}_yoy", year, CITY_CODE, "广州市", "Guangzhou", growth, "%", False])
    table = meta.get("05_district_indicators")
    if table:
        columns = list(table["columns"])
        ids = [c.removesuffix("_yoy") for c in REGISTRY] + [f"{c}_yoy" for c in REGISTRY]
        by_header = {header: id for id, header in indicator_headers(ids).items()}
        for row in table["rows"]:
            cells = dict(zip(columns, row))
            code = str(cells.get("区划代码", ""))
            name_zh = cells.get("区", "")
            name_en = district_name(code)
            for header, value in cells.items():
                id = by_header.get(header)
                if id is None or id in ("district_code", "name_zh"):
                    continue
                number, suppressed = _number(value)
                unit = "%" if id.endswith("_yoy") else UNITS_ZH.get(REGISTRY[id].unit, REGISTRY[id].unit)
                rows.append([id, year, code, name_zh, name_en, number, unit, suppressed])
    return rows


def _long_rows(table: dict, year: int) -> tuple[list[str], list[list]]:
    """A published table written long: its text columns (row labels), then year, measure, value, unit, suppressed.

    A table of text only is written as it is.
    """
    columns = list(table["columns"])
    keys = [c for c in columns if table["columns"][c] == "text"]
    measures = [c for c in columns if table["columns"][c] != "text"]
    if not measures:  # a list of text (definitions, software versions) is already tidy
        return columns, table["rows"]
    rows = []
    for row in table["rows"]:
        cells = dict(zip(columns, row))
        for measure in measures:
            number, suppressed = _number(cells[measure])
            rows.append([*(cells[k] for k in keys), year, measure, number, _unit_of(measure), suppressed])
    return [*keys, "year", "measure", "value", "unit", "suppressed"], rows


_FIELDS = {
    # field: (type, title_zh, title_en, description_zh, description_en)
    "indicator_id": (
        "string",
        "指标代码",
        "Indicator id",
        "见 indicator_definitions.csv",
        "See indicator_definitions.csv",
    ),
    "year": ("integer", "年份", "Year", "报告年度", "Reference year"),
    "area_code": ("string", "区划代码", "Area code", "440100为全市", "440100 is the whole city"),
    "area_name_zh": ("string", "地区（中文）", "Area (Chinese)", "", ""),
    "area_name_en": ("string", "地区（英文）", "Area (English)", "", ""),
    "value": ("number", "数值", "Value", "已抑制的格为空", "Empty where suppressed"),
    "unit": ("string", "单位", "Unit", "%为百分数（×100）", "% is a percentage (×100)"),
    "suppressed": (
        "boolean",
        "已抑制",
        "Suppressed",
        "小数据单元或为防推算而隐藏",
        "Hidden as a small cell or to prevent differencing",
    ),
    "measure": ("string", "指标（表头）", "Measure (column header)", "原表的列名", "The published table's column"),
    "name_zh": ("string", "指标名称（中文）", "Indicator name (Chinese)", "", ""),
    "name_en": ("string", "指标名称（英文）", "Indicator name (English)", "", ""),
    "unit_zh": ("string", "单位（中文）", "Unit (Chinese)", "", ""),
    "unit_en": ("string", "单位（英文）", "Unit (English)", "", ""),
    "definition_zh": ("string", "定义（中文）", "Definition (Chinese)", "", ""),
    "definition_en": ("string", "定义（英文）", "Definition (English)", "", ""),
    "resource": ("string", "资源文件", "Resource file", "", ""),
    "field": ("string", "字段", "Field", "", ""),
    "type": ("string", "类型", "Type", "Table Schema 类型", "Table Schema type"),
    "title_zh": ("string", "中文名称", "Chinese title", "", ""),
    "title_en": ("string", "英文名称", "English title", "", ""),
    "description": ("string", "说明", "Description", "", ""),
}


def _field(name: str) -> dict:
    kind, title_zh, title_en, zh, en = _FIELDS.get(name, ("string", name, name, "行标签（原表的文字列）", "Row label"))
    return {"name": name, "type": kind, "title": f"{title_zh} / {title_en}", "description": f"{zh} / {en}".strip(" /")}


def _resource(name: str, path: str, header: list[str], *, title: str, demo: bool) -> dict:
    resource = {
        "name": name.lower(),
        "path": path,
        "title": title,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": [_field(h) for h in header], "missingValues": [""]},
    }
    if demo:
        # The demo notice is the first line; naming the header's line too keeps a table without rows valid
        # (with the comment character alone, frictionless takes the header of an empty table for data).
        resource["dialect"] = {"commentChar": "#", "headerRows": [2]}
    return resource


def write_open_data(
    edition: Path, *, year: int, languages: Sequence[str] = ("zh",), demo: bool = False, licence: str = "CC-BY-4.0"
) -> Path:
    """Write ``edition/opendata/`` from the Chinese tables' descriptions (``tables/.meta``); see the module docstring.

    The English edition (``languages`` with ``"en"``) links to the same folder.
    """
    if licence not in LICENCES:
        raise ValueError(f"licence must be one of {', '.join(LICENCES)}, not {licence!r}")
    meta = read_table_meta(edition / "tables")
    folder = edition / OPEN_DATA_DIR
    folder.mkdir(exist_ok=True)
    resources = []
    dictionary = []
    header = ["indicator_id", "year", "area_code", "area_name_zh", "area_name_en", "value", "unit", "suppressed"]
    _write_csv(folder / "indicators.csv", header, _indicator_rows(meta, year), demo=demo)
    resources.append(
        _resource(
            "indicators", "indicators.csv", header, title="全市与各区指标 / City and district indicators", demo=demo
        )
    )
    for name, table in meta.items():
        if name in INDICATOR_TABLES:
            continue
        long_header, rows = _long_rows(table, year)
        _write_csv(folder / f"{name}.csv", long_header, rows, demo=demo)
        resources.append(
            _resource(name, f"{name}.csv", long_header, title=f"{table['number']} {table['title']}", demo=demo)
        )
    definitions = ["indicator_id", "name_zh", "name_en", "unit_zh", "unit_en", "definition_zh", "definition_en"]
    _write_csv(
        folder / "indicator_definitions.csv",
        definitions,
        [
            [i.id, i.name_zh, i.name_en, UNITS_ZH.get(i.unit, i.unit), unit_en(i.unit), i.definition_zh, i.definition]
            for i in REGISTRY.values()
        ],
        demo=False,
    )
    resources.append(
        _resource(
            "indicator_definitions",
            "indicator_definitions.csv",
            definitions,
            title="指标定义 / Indicator definitions",
            demo=False,
        )
    )
    fields = ["resource", "field", "type", "title_zh", "title_en", "description"]
    resources.append(
        _resource("data_dictionary", "data_dictionary.csv", fields, title="数据字典 / Data dictionary", demo=False)
    )
    for resource in resources:
        for field in resource["schema"]["fields"]:
            title_zh, _, title_en = field["title"].partition(" / ")
            dictionary.append(
                [resource["path"], field["name"], field["type"], title_zh, title_en, field["description"]]
            )
    _write_csv(folder / "data_dictionary.csv", fields, dictionary, demo=False)
    title, url = LICENCES[licence]
    notice = (
        f"> **{DEMO_MARK} / {DEMO_MARK_EN}**: 本数据由演示数据生成器产生，不代表真实情况。"
        "These data were generated by the demo data generator and are not real.\n\n"
        if demo
        else ""
    )
    (folder / "LICENSE.md").write_text(
        f"# 许可 / Licence\n\n{notice}"
        f"广州市社区志愿服务发展报告（{year}）的开放数据以 {title}（{licence}）许可发布：{url}\n\n"
        f"The open data of the Guangzhou Community Volunteer Service Development Report ({year}) are published under "
        f"{title} ({licence}): {url}\n\n"
        "来源 / Source: 志愿服务平台导出数据，经 voldata 计算；区以下的数字已做小数据单元抑制。 "
        "Volunteer platform exports, computed by voldata; numbers below city level have small cells suppressed.\n",
        encoding="utf-8",
    )
    package = {
        "name": f"voldata-guangzhou-{year}",
        "title": f"广州市社区志愿服务发展报告（{year}）开放数据 / "
        f"Guangzhou Community Volunteer Service Report {year}: open data",
        "description": ("示例数据 / Demo data: not real. " if demo else "")
        + "Published tables in long form; see LICENSE.md.",
        "licenses": [{"name": licence, "title": title, "path": url}],
        "keywords": ["volunteering", "Guangzhou", "志愿服务"],
        "resources": resources,
    }
    (folder / PACKAGE_FILE).write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return folder
