"""The edition's workbook: every published table in one XLSX file, numbers as numbers, text as text.

Each table's CSV comes with a description written by
:func:`voldata.edition.output.publish_table` (``tables/.meta/<name>.json``):
its title and each column's type. Number columns are written as numbers cell
by cell (a suppressed ``<10`` stays text, a blank stays blank); text columns
are written as strings, never read as formulas or links.
"""

from __future__ import annotations

import json
from pathlib import Path

import xlsxwriter

from voldata.demo import DEMO_NOTICE

__all__ = ["TABLE_META_DIR", "NUMBER_FORMATS", "read_table_meta", "write_workbook"]

TABLE_META_DIR = ".meta"


def read_table_meta(tables_dir: str | Path) -> dict[str, dict]:
    """The descriptions ``publish_table`` left in ``tables/.meta``: name -> {title, columns, …}."""
    folder = Path(tables_dir) / TABLE_META_DIR
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


#: Excel number formats of :data:`voldata.edition.output.FORMATS` (percentages are held ×100, the header says %).
NUMBER_FORMATS = {
    "count": "#,##0",
    "decimal": "#,##0.0",
    "percent": "0.0",
    "code": "0",
    "ratio": "0.00",
    "index": "0.000",
}
#: The demo editions' first row of every sheet.
DEMO_ROW = DEMO_NOTICE


def _width(value: object) -> int:
    """Display width of a cell in Excel's character units: CJK characters count twice."""
    text = value if isinstance(value, str) else f"{value:,}" if isinstance(value, int) else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _cell_format(kind: str, value: object, unit: object) -> str:
    if kind == "by_unit":
        unit_kind = {"%": "percent", "倍": "ratio", "times": "ratio", "系数": "index", "index": "index"}.get(str(unit))
        return unit_kind or ("count" if isinstance(value, int) else "decimal")
    return kind


def _write_sheet(
    book: xlsxwriter.Workbook,
    name: str,
    columns: list[str],
    rows: list[list],
    formats: dict[str, str],
    styles: dict,
    *,
    notice: str | None = None,
) -> None:
    """One sheet: an optional notice row, the header (frozen, bold), the cells with their number formats."""
    sheet = book.add_worksheet(name)
    top = 0
    if notice:
        sheet.write_string(0, 0, notice, styles["notice"])
        top = 1
    unit_column = next((i for i, c in enumerate(columns) if c in ("单位", "Unit")), None)
    widths = [_width(c) for c in columns]
    for col, column in enumerate(columns):
        sheet.write_string(top, col, str(column), styles["header"])
    for r, row in enumerate(rows, start=top + 1):
        for col, value in enumerate(row):
            if value is None:
                continue
            widths[col] = max(widths[col], _width(value))
            if isinstance(value, str):
                sheet.write_string(r, col, value)
            else:
                unit = row[unit_column] if unit_column is not None else None
                kind = _cell_format(formats.get(columns[col], "decimal"), value, unit)
                sheet.write_number(r, col, value, styles.get(kind, styles["decimal"]))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width, 6), 60) + 2)
    sheet.freeze_panes(top + 1, 0)


def write_workbook(tables_dir: Path, target: Path, *, language: str = "zh") -> Path:
    """All published tables of ``tables_dir`` as one XLSX workbook: a 目录 sheet, then one sheet per table.

    The cells are the tables' own (``publish_table`` keeps them, unguarded, beside the CSV): numbers
    with their number formats, text as text; each sheet's header row is frozen and its columns fit
    their contents. In a demo edition every sheet starts with the demo notice.
    """
    meta = read_table_meta(tables_dir)
    names = sorted(meta)
    demo = any(m.get("demo") for m in meta.values())
    notice = DEMO_ROW[language] if demo else None
    headers = ["表号", "工作表", "表名", "文件"] if language == "zh" else ["Table", "Sheet", "Title", "File"]
    contents = [[meta[n].get("number", ""), n[:31], meta[n]["title"], f"{n}.csv"] for n in names]
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(str(target), {"constant_memory": False, **options}) as book:
        styles = {"header": book.add_format({"bold": True, "bg_color": "#F3F3F3", "bottom": 1})}
        styles["notice"] = book.add_format({"bold": True, "font_color": "#8A1C1C", "bg_color": "#FFF3CD"})
        for kind, number_format in NUMBER_FORMATS.items():
            styles[kind] = book.add_format({"num_format": number_format})
        _write_sheet(book, "目录" if language == "zh" else "Contents", headers, contents, {}, styles, notice=notice)
        for name in names:
            columns = list(meta[name]["columns"])
            formats = meta[name].get("formats") or {c: "decimal" for c in columns}
            _write_sheet(book, name[:31], columns, meta[name]["rows"], formats, styles, notice=notice)
    return target
