"""Export writers: CSV in several encodings and XLSX with title lines and sheet splits.

Each writer takes chunks as polars frames whose columns are the canonical
Chinese headers (``Column.headers[0]`` and the PII headers), hands every chunk
to the fault injector, writes it, and logs the rows written and the row number
of every injected fault, numbered as a spreadsheet shows them (header and title
lines count; each sheet numbered on its own).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

__all__ = ["ExportLog", "CsvExport", "XlsxExport", "FIXED_CREATED"]

# Written into every workbook's document properties, so the same arguments give the same bytes.
FIXED_CREATED = dt.datetime(2021, 1, 1, 0, 0, 0)


class ExportLog:
    """Everything written: per-file row counts and the list of injected faults."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.files: list[dict] = []
        self.faults: list[dict] = []

    def relative(self, path: Path) -> str:
        return Path(path).relative_to(self.root).as_posix()

    def record(self, export, *, format: str, encoding: str, sheets: list) -> None:
        """Log one finished export: its row count and the faults injected into it."""
        file = self.relative(export.path)
        for fault in export.faults:
            self.faults.append({"file": file, "table": export.table, **fault})
        self.files.append(
            {
                "file": file,
                "table": export.table,
                "format": format,
                "encoding": encoding,
                "sheets": sheets,
                "rows": export.rows,
                "quarantined": sum(f["expected"] != "stored" for f in export.faults),
                "faults": len(export.faults),
            }
        )


class CsvExport:
    """One CSV export file, written chunk by chunk.

    Parameters
    ----------
    path : Path
        File to write.
    table : str
        Canonical table name.
    encoding : {"utf-8", "utf-8-sig", "gb18030"}
        Text encoding of the file.
    header_names : dict, optional
        Canonical header -> header written (e.g. ``服务时长`` -> ``服务时长（小时）``).
    """

    def __init__(self, path, *, table, log, injector, encoding="utf-8", header_names=None, progress=None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.table = table
        self.log = log
        self.injector = injector
        self.encoding = encoding
        self.header_names = header_names or {}
        self.progress = progress
        self.rows = 0
        self.faults: list[dict] = []
        self._handle = open(self.path, "wb")
        self._header_written = False
        self._columns: list[str] | None = None

    def write(self, frame: pl.DataFrame, *, eligible: np.ndarray | None = None) -> None:
        """Write one chunk; ``eligible`` marks rows that may take quarantine faults."""
        frame, faults = self.injector.inject(self.table, frame, eligible=eligible)
        if self._columns is None:
            self._columns = frame.columns
            header = ",".join(self.header_names.get(c, c) for c in frame.columns) + "\n"
            self._handle.write(header.encode(self.encoding))
        elif frame.columns != self._columns:
            raise ValueError(f"{self.path}: chunk columns differ from the header")
        first_row = 2 + self.rows  # header on line 1
        for fault in faults:
            if "original" in fault:
                fault["value"] = f"copy of row {first_row + fault.pop('original')}"
            self.faults.append({**fault, "sheet": "", "row_number": first_row + fault.pop("position")})
        if frame.height:
            text = frame.write_csv(include_header=False, null_value="", line_terminator="\n")
            # utf-8-sig only adds its BOM at the start of the stream: the header did that.
            codec = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
            self._handle.write(text.encode(codec))
        self.rows += frame.height
        if self.progress is not None:
            self.progress.update(frame.height)

    def close(self, columns: list[str] | None = None) -> None:
        if self._columns is None and columns is not None:  # an empty export still has its header
            header = ",".join(self.header_names.get(c, c) for c in columns) + "\n"
            self._handle.write(header.encode(self.encoding))
        self._handle.close()
        self.log.record(self, format="csv", encoding=self.encoding, sheets=[])


class XlsxExport:
    """One XLSX export: title lines, then the header, split over sheets of at most ``sheet_rows`` rows.

    Temporal columns of the frame are written as Excel dates (with a number
    format), integer columns as numbers, everything else as text.
    """

    def __init__(
        self,
        path,
        *,
        table,
        log,
        injector,
        sheet_rows,
        title_lines=(),
        sheet_name="Sheet",
        header_names=None,
        progress=None,
    ):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.table = table
        self.log = log
        self.injector = injector
        self.sheet_rows = int(sheet_rows)
        self.title_lines = list(title_lines)
        self.sheet_name = sheet_name
        self.header_names = header_names or {}
        self.progress = progress
        self.rows = 0
        self.sheets: list[dict] = []
        self.faults: list[dict] = []
        self._book = xlsxwriter.Workbook(str(self.path), {"constant_memory": True})
        self._book.set_properties({"created": FIXED_CREATED, "title": "示例数据", "comments": "voldata demo data"})
        self._date_format = self._book.add_format({"num_format": "yyyy-mm-dd"})
        self._datetime_format = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self._title_format = self._book.add_format({"bold": True})

    def _new_sheet(self, columns):
        number = len(self.sheets) + 1
        name = self.sheet_name if number == 1 else f"{self.sheet_name}{number}"
        sheet = self._book.add_worksheet(name)
        for r, line in enumerate(self.title_lines):
            sheet.write_string(r, 0, line, self._title_format)
        sheet.write_row(len(self.title_lines), 0, [self.header_names.get(c, c) for c in columns])
        self.sheets.append({"sheet": name, "rows": 0, "first_row": len(self.title_lines) + 2})
        self._sheet = sheet

    def write(self, frame: pl.DataFrame, *, eligible: np.ndarray | None = None) -> None:
        """Write all rows of the table (call once); sheets fill up in order."""
        if self.sheets:
            raise RuntimeError(f"{self.path}: XlsxExport.write is called once per file")
        frame, faults = self.injector.inject(self.table, frame, eligible=eligible)
        writers = []
        for dtype in frame.dtypes:
            if dtype == pl.Date:
                writers.append(("date", self._date_format))
            elif dtype == pl.Datetime:
                writers.append(("date", self._datetime_format))
            elif dtype.is_integer():
                writers.append(("number", None))
            else:
                writers.append(("string", None))
        positions = {}
        for fault in faults:
            positions.setdefault(fault.pop("position"), []).append(fault)
        if not self.sheets:
            self._new_sheet(frame.columns)
        for position, row in enumerate(frame.iter_rows()):
            if self.sheets[-1]["rows"] >= self.sheet_rows:
                self._new_sheet(frame.columns)
            current, sheet = self.sheets[-1], self._sheet
            r = len(self.title_lines) + 1 + current["rows"]
            for c, (value, (kind, fmt)) in enumerate(zip(row, writers)):
                if value is None or value == "":
                    continue
                if kind == "string":
                    sheet.write_string(r, c, value)
                elif kind == "number":
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_datetime(r, c, value, fmt)
            for fault in positions.get(position, ()):
                if "original" in fault:
                    sheet_index, offset = divmod(fault.pop("original"), self.sheet_rows)
                    original = self.sheets[sheet_index]
                    fault["value"] = f"copy of {original['sheet']} row {original['first_row'] + offset}"
                self.faults.append({**fault, "sheet": current["sheet"], "row_number": r + 1})
            current["rows"] += 1
        self.rows += frame.height
        if self.progress is not None:
            self.progress.update(frame.height)

    def close(self, columns: list[str] | None = None) -> None:
        if not self.sheets:
            self._new_sheet(columns or [])
        self._book.close()
        self.log.record(self, format="xlsx", encoding="", sheets=self.sheets)
