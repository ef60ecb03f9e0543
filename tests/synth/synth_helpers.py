"""Reading demo exports back in tests (strict about encodings, aware of title lines and sheets)."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from voldata.schema import TABLES

SMALL = {"years": range(2018, 2021), "scale": 0.001, "seed": 11}


def summary(raw: Path) -> dict:
    return json.loads((raw / "synth_summary.json").read_text(encoding="utf-8"))


def decode_csv(path: Path, encoding: str) -> str:
    """The text of a CSV file in the encoding the summary claims (strict: a wrong claim raises)."""
    data = path.read_bytes()
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf"), f"{path} claims a BOM but has none"
    else:
        assert not data.startswith(b"\xef\xbb\xbf"), f"{path} has a BOM but claims {encoding}"
    return data.decode(encoding)


def read_sheets(raw: Path, entry: dict) -> list[tuple[str, int, list[str], list[list[str]]]]:
    """(sheet, first data row number, header, rows as text) for each part of one export file."""
    path = raw / entry["file"]
    if entry["format"] == "csv":
        rows = list(csv.reader(io.StringIO(decode_csv(path, entry["encoding"]))))
        return [("", 2, rows[0], rows[1:])]
    parts = []
    book = CalamineWorkbook.from_path(str(path))
    signature = set(TABLES[entry["table"]].signature)
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        header_index = next(i for i, row in enumerate(rows) if signature <= {str(c) for c in row})
        text_rows = [
            ["" if c is None else (str(int(c)) if isinstance(c, float) and c.is_integer() else str(c)) for c in row]
            for row in rows[header_index + 1 :]
        ]
        parts.append((name, header_index + 2, [str(c) for c in rows[header_index]], text_rows))
    return parts


def canonical_header(header: str, table: str) -> str:
    """The header the contract lists first for a header as written (units and variants removed)."""
    text = re.sub(r"[(（](小时|积分)[)）]$", "", "".join(unicodedata.normalize("NFKC", header).split()))
    for column in TABLES[table].columns:
        if text in column.headers:
            return column.headers[0]
    return text


def read_table(raw: Path, table: str) -> pd.DataFrame:
    """All rows of one table across its files, as text, with file/sheet/row_number columns."""
    frames = []
    for entry in summary(raw)["files"]:
        if entry["table"] != table:
            continue
        for sheet, first_row, header, rows in read_sheets(raw, entry):
            frame = pd.DataFrame(rows, columns=[canonical_header(h, table) for h in header], dtype=str)
            frame.insert(0, "row_number", range(first_row, first_row + len(rows)))
            frame.insert(0, "sheet", sheet)
            frame.insert(0, "file", entry["file"])
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates and times as the demo exports write them (2020-03-05, 2020/3/5, 2020年3月5日, 20200305)."""
    text = values.str.replace("年", "-").str.replace("月", "-").str.replace("日", "").str.replace("/", "-")
    text = text.str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    return pd.to_datetime(text, format="mixed")
