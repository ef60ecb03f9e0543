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

import pandas as pd
import xlsxwriter

__all__ = ["TABLE_META_DIR", "read_table_meta", "typed_table", "write_workbook"]

TABLE_META_DIR = ".meta"


def read_table_meta(tables_dir: str | Path) -> dict[str, dict]:
    """The descriptions ``publish_table`` left in ``tables/.meta``: name -> {title, columns, …}."""
    folder = Path(tables_dir) / TABLE_META_DIR
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def _number(text: str) -> object:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        return text  # a suppressed cell such as <10
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def _text(text: str) -> object:
    return None if text == "" else text


def typed_table(csv: Path, columns: dict[str, str]) -> pd.DataFrame:
    """A published CSV read back with each column's declared type (``number`` or ``text``)."""
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for column in frame.columns:
        convert = _number if columns[column] == "number" else _text
        frame[column] = pd.Series([convert(v) for v in frame[column]], index=frame.index, dtype=object)
    return frame


def _write_sheet(book: xlsxwriter.Workbook, name: str, frame: pd.DataFrame, header) -> None:
    sheet = book.add_worksheet(name)
    for col, column in enumerate(frame.columns):
        sheet.write_string(0, col, str(column), header)
        for row, value in enumerate(frame[column], start=1):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(row, col, value)
            else:
                sheet.write_number(row, col, value)


def write_workbook(tables_dir: Path, target: Path) -> Path:
    """All published tables of ``tables_dir`` as one XLSX workbook: a 目录 sheet, then one sheet per table."""
    meta = read_table_meta(tables_dir)
    csvs = sorted(tables_dir.glob("*.csv"))
    contents = pd.DataFrame(
        {
            "工作表": [p.stem[:31] for p in csvs],
            "表名": [meta[p.stem]["title"] for p in csvs],
            "文件": [p.name for p in csvs],
        }
    )
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(str(target), {"constant_memory": False, **options}) as book:
        header = book.add_format({"bold": True})
        _write_sheet(book, "目录", contents.astype(object), header)
        for path in csvs:
            _write_sheet(book, path.stem[:31], typed_table(path, meta[path.stem]["columns"]), header)
    return target
