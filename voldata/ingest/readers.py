"""Finding, recognising and reading platform exports (CSV and XLSX).

Everything is read as text. The table of a file is recognised from its header row
(:attr:`voldata.schema.Table.signature`), which may stand below title lines. PII columns are dropped and the ID number
pseudonymised inside :func:`read_source`, before the rows go anywhere else.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

from voldata.ingest.canonical import CONTROL_CHARACTERS
from voldata.ingest.identity import ID_NUMBER, pseudonymise
from voldata.ingest.values import FIRST_YEAR, LAST_YEAR
from voldata.personal import compact, mask_personal_numbers
from voldata.schema import PII_HEADERS, TABLE_ORDER, TABLES, Table

__all__ = ["IngestError", "Source", "Part", "Plan", "discover", "normalise_header", "header_map", "recognise"]
__all__ += ["plan_source", "read_batches", "read_source", "transcode_file", "cell_text", "detect_encoding"]

HEADER_SEARCH_ROWS = 10  # title lines may stand above the header: it is looked for in this many rows
_SNIFF_BYTES = 1 << 16
_TRANSCODE_CHUNK = 1 << 23
# The header of a demo generator's fault list (RAW/faults.csv): a side file skipped like the non-export files.
_FAULT_LIST_HEADERS = frozenset({"file", "sheet", "row_number", "fault", "expected"})


class IngestError(Exception):
    """A problem with the inputs or arguments that stops the ingest (the store is left untouched)."""


@dataclass(frozen=True)
class Source:
    """One input file: its path, its path relative to the RAW argument, and its place in input order."""

    path: Path
    relpath: str
    order: int


@dataclass
class Part:
    """A CSV file, or one sheet of a workbook: where its header is and what its columns mean."""

    sheet: str
    header_index: int  # 0-based row of the header line
    n_columns: int
    columns: dict[int, str]  # column position -> canonical column (or ID_NUMBER)
    ignored: list[str] = field(default_factory=list)  # non-PII headers not in the contract


@dataclass
class Plan:
    """How to read one source: its table, its parts, and (CSV) encoding and delimiter."""

    source: Source
    table: Table
    parts: list[Part]
    encoding: str = ""
    delimiter: str = ","
    pieces: list[tuple[Part, pl.DataFrame, int]] = field(default_factory=list)  # a workbook's sheets, read at once
    skipped_sheets: list[str] = field(default_factory=list)  # workbook sheets that are no export table (notes ...)
    control_free: bool = False  # known, once read, to hold no control character (a CSV's bytes were looked at)


# ---------------------------------------------------------------- finding files
def discover(raw_paths: list[str | Path], *, exclude: Path | None = None) -> tuple[list[Source], list[str]]:
    """The CSV and XLSX files under the RAW arguments, in input order, and the skipped files.

    Files in a folder (searched recursively) in order of relative path; a file reached twice is read once. Hidden and
    Office lock files (``~$...``) are skipped; hidden folders and ``exclude`` (the store, if inside a RAW folder) with
    its temporary siblings are not searched. A missing RAW argument, a file in a RAW folder that links to a file outside
    it, or an input that is not a regular file raise an IngestError.
    """
    sources: list[Source] = []
    skipped: list[str] = []
    seen: set[Path] = set()
    excluded = exclude.resolve() if exclude is not None else None

    def searched(path: Path, root: Path) -> bool:
        """Not in a hidden folder, nor in the store (``excluded``), its lock or the work folders beside it."""
        if any(part.startswith(".") for part in path.relative_to(root).parts[:-1]):
            return False
        if excluded is None:
            return True
        near = (p.name.startswith(f".{excluded.name}.") and p.parent == excluded.parent for p in (path, *path.parents))
        return not (path.resolve().is_relative_to(excluded) or any(near))

    for raw in raw_paths:
        root = Path(raw)
        if not root.exists():
            raise IngestError(f"{root}: no such file or folder")
        if root.is_dir():
            inside = root.resolve()
            found = sorted(
                (p for p in root.rglob("*") if not p.is_dir() and searched(p, root)),
                key=lambda p: p.relative_to(root).as_posix(),
            )
            for path in found:
                # Only regular files inside the folder: a link out of it (to a system file) is never read.
                if not path.resolve().is_relative_to(inside):
                    raise IngestError(f"{path}: a link to a file outside {root}; refusing to read it")
            pairs = [(p, p.relative_to(root).as_posix()) for p in found]
        else:
            pairs = [(root, root.name)]
        for path, relpath in pairs:
            # (A file named after a person's phone or ID number is reported without it.)
            relpath = mask_personal_numbers(relpath)[0]
            try:
                mode = path.stat().st_mode
            except OSError as error:
                raise IngestError(f"{path}: cannot read ({error})") from None
            if not stat.S_ISREG(mode):
                raise IngestError(f"{path}: not a regular file (a pipe, device or socket); refusing to read it")
            if path.suffix.lower() not in (".csv", ".xlsx") or path.name.startswith((".", "~$")):
                skipped.append(relpath)
            elif path.resolve() not in seen:
                seen.add(path.resolve())
                sources.append(Source(path=path, relpath=relpath, order=len(sources)))
    return sources, skipped


# ---------------------------------------------------------------- headers and tables
def normalise_header(text: object) -> str:
    """Folded (:func:`voldata.personal.compact`), no BOM or leading ``*``, no trailing unit such as ``（小时）``."""
    header = compact(str(text)).lstrip("*")  # (a BOM is an invisible format character: dropped)
    return re.sub(r"\([^()]*\)$", "", header) or header


def header_map(spec: Table) -> dict[str, str]:
    """Normalised header → canonical column for one table (证件号码 → the internal ID number column)."""
    return {
        normalise_header(header): ID_NUMBER if column.name == "person_key" else column.name
        for column in spec.columns
        for header in column.headers
    }


def recognise(headers: list[str]) -> Table | None:
    """The table whose signature headers all appear in ``headers`` (normalised), or None; of several, the one that
    claims the most of the headers."""
    present = set(headers)
    matches = [TABLES[name] for name in TABLE_ORDER if set(TABLES[name].signature) <= present]
    if not matches:
        return None
    return max(matches, key=lambda t: (len(present & set(header_map(t))), len(t.signature)))


def _unknown_table_message(rows: list[list[str]], where: str) -> str:
    """No table recognised: the header row and table closest to being recognised, and what that table lacks."""
    rows = [[h for h in row if h] for row in rows]
    rows = [row for row in rows if row]
    if not rows:
        return f"{where} has no header row (the first {HEADER_SEARCH_ROWS} rows are blank)"

    def score(pair: tuple[list[str], Table]) -> tuple[float, int]:
        present, spec = set(pair[0]), pair[1]
        return len(present & set(spec.signature)) / len(spec.signature), len(present & set(header_map(spec)))

    # (max keeps the first of equal scores: rows top-down, tables in store order.)
    headers, spec = max(((headers, TABLES[name]) for headers in rows for name in TABLE_ORDER), key=score)
    lacking = [h for h in spec.signature if h not in set(headers)]
    shown = ", ".join(headers[:20]) + (" …" if len(headers) > 20 else "")
    return (
        f"{where} is not a known export table: found headers [{shown}]; "
        f"nearest is {spec.name} ({spec.title_zh}), which also needs {', '.join(lacking)}"
    )


def _column_name(position: int) -> str:
    """A column as a spreadsheet names it: 3 → "D (column 4)"."""
    letters, number = "", position + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"{letters} (column {position + 1})"


def _make_part(sheet: str, rows: list[list[str]], where: str) -> tuple[Table, Part]:
    """Find the header among the first rows, recognise the table and map the columns."""
    normalised = [[normalise_header(c) if c not in (None, "") else "" for c in row] for row in rows]
    for index, headers in enumerate(normalised):
        spec = recognise(headers)
        if spec is None:
            continue
        mapping = header_map(spec)
        columns: dict[int, str] = {}
        ignored: list[str] = []
        first_at: dict[str, int] = {}
        for position, header in enumerate(headers):
            if not header:
                continue
            if header in first_at:
                raise IngestError(
                    f"{where}: columns {_column_name(first_at[header])} and {_column_name(position)} are both "
                    f"headed {header!r} (header row {index + 1}); keep one"
                )
            if header in mapping:
                first_at[header] = position
                columns[position] = mapping[header]
            elif header not in PII_HEADERS:
                ignored.append(header)
        found = set(columns.values())
        missing = [
            c.headers[0]
            for c in spec.columns
            if c.required and c.headers and (ID_NUMBER if c.name == "person_key" else c.name) not in found
        ]
        if missing:
            raise IngestError(
                f"{where}: a {spec.name} ({spec.title_zh}) export, but the required column(s) "
                f"{', '.join(missing)} are missing (header row {index + 1})"
            )
        return spec, Part(sheet=sheet, header_index=index, n_columns=len(headers), columns=columns, ignored=ignored)
    raise IngestError(_unknown_table_message(normalised, where))


# ---------------------------------------------------------------- CSV
def detect_encoding(head: bytes) -> str:
    """Encoding of a CSV from its first bytes (the Chinese header): a BOM; else UTF-8 if it decodes; else GB18030.

    The whole file is checked again while reading: UTF-8 at the head and not further on is an error (two encodings in
    one file), never a guess.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _plan_csv(source: Source) -> Plan | None:
    try:
        with open(source.path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as error:
        raise IngestError(f"{source.relpath}: cannot read ({error})") from None
    encoding = detect_encoding(head)
    try:
        lines = codecs.getincrementaldecoder(encoding)().decode(head, final=len(head) < _SNIFF_BYTES).splitlines()
    except UnicodeDecodeError:
        raise IngestError(f"{source.relpath}: cannot decode the file as UTF-8 or GB18030") from None
    if len(head) == _SNIFF_BYTES and lines:
        lines = lines[:-1]  # possibly cut in the middle
    text = "\n".join(lines[:HEADER_SEARCH_ROWS])
    candidates = {d: list(csv.reader(io.StringIO(text), delimiter=d)) for d in (",", "\t", ";", "|")}
    for delimiter, rows in candidates.items():
        headers = [[normalise_header(c) for c in row] for row in rows]
        if headers and _FAULT_LIST_HEADERS <= set(headers[0]):
            return None
        if any(recognise(h) for h in headers):
            spec, part = _make_part("", rows, source.relpath)
            return Plan(source=source, table=spec, parts=[part], encoding=encoding, delimiter=delimiter)
    raise IngestError(
        _unknown_table_message([[normalise_header(c) for c in row] for row in candidates[","]], source.relpath)
    )


def transcode_file(source: Path, target: Path, encoding: str, *, chunk: int) -> None:
    """Re-encode ``source`` to UTF-8 in ``target``, ``chunk`` bytes at a time (big exports never sit in memory whole).

    Bytes not valid in ``encoding`` raise UnicodeDecodeError, its ``start`` counted from the start of the file.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with open(source, "rb") as reading, open(target, "wb") as writing:
        while True:
            data = reading.read(chunk)
            # The decoder holds back a character cut at the end of a chunk: an error counts from those bytes.
            held = len(decoder.getstate()[0])
            try:
                writing.write(decoder.decode(data, final=not data).encode("utf-8"))
            except UnicodeDecodeError as error:
                error.start += reading.tell() - len(data) - held
                raise
            if not data:
                return


_NOT_C0_OR_DEL = bytes(set(range(256)) - set(range(0x20)) - {0x7F}) + b"\t\n\r"
_C1_IN_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _control_free(path: Path) -> bool:
    """Whether a UTF-8 file holds no control character (then its cells need no look one by one; see BENCHMARKS.md)."""
    with open(path, "rb") as handle:
        previous = b""
        while chunk := handle.read(_TRANSCODE_CHUNK):
            # (Whatever is left once every other byte is deleted is a C0 control or DEL; C1 controls take two bytes.)
            joined = previous[-1:] + chunk
            if chunk.translate(None, _NOT_C0_OR_DEL) or (b"\xc2" in joined and _C1_IN_UTF8.search(joined)):
                return False
            previous = chunk
    return True


def _read_csv(plan: Plan, workdir: Path, rows: int | None) -> Iterator[list[tuple[Part, pl.DataFrame, int]]]:
    """A CSV's rows as text, ``rows`` at a time; read from a UTF-8 copy in ``workdir`` if in another encoding."""
    part, relpath, path = plan.parts[0], plan.source.relpath, plan.source.path
    if plan.encoding not in ("utf-8", "utf-8-sig"):
        path = workdir / f"transcoded-{plan.source.order}.csv"
    # Rows as a spreadsheet numbers them: header on line h+1, first data row h+2.
    first_row = start = part.header_index + 2
    try:
        if path != plan.source.path:
            transcode_file(plan.source.path, path, plan.encoding, chunk=_TRANSCODE_CHUNK)
        plan.control_free = _control_free(path)
        scan = pl.scan_csv(
            path,
            has_header=False,
            skip_lines=part.header_index + 1,
            separator=plan.delimiter,
            schema={f"c{i}": pl.String for i in range(part.n_columns)},
            raise_if_empty=False,
            # Short rows get nulls; cells beyond the header (trailing commas) have no column and are dropped.
            missing_columns="insert",
            extra_columns="ignore",
            truncate_ragged_lines=True,
        )
        for frame in scan.collect_batches(chunk_size=rows):
            yield [(part, frame, first_row)]
            first_row += frame.height
        if first_row == start:  # (no rows: no batch, so one empty one)
            yield [(part, scan.collect(), first_row)]
    except UnicodeDecodeError as error:
        raise IngestError(
            f"{relpath}: cannot decode the file as UTF-8 or {plan.encoding.upper()} (bad bytes near byte {error.start})"
        ) from None
    except pl.exceptions.ComputeError as error:
        if path == plan.source.path and "utf-8" in str(error).lower():
            # UTF-8 at the header, not further on: two encodings in one file; either way half would be garbled.
            raise IngestError(
                f"{relpath}: starts as UTF-8 but holds bytes further on that are not UTF-8 "
                "(mixed encodings?); save the file again in one encoding"
            ) from None
        raise IngestError(f"{relpath}: cannot parse the CSV ({error})") from None
    finally:
        if path != plan.source.path:
            path.unlink(missing_ok=True)


# ---------------------------------------------------------------- XLSX
def cell_text(value: object) -> str | None:
    """One spreadsheet cell as export text: numbers as Excel shows them (``20200305``, not ``20200305.0``; an ID
    number typed as a number in full), dates and times as ISO text, durations as hours."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        if value.is_integer():
            if abs(value) < 1e15:
                return str(int(value))
            # Excel keeps 15 significant digits: write those out in full (an ID number typed as a number), no exponent.
            return str(int(Decimal(format(value, ".15g"))))
        return repr(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is dt.datetime:
        return value.isoformat(sep=" ")
    if kind in (dt.date, dt.time):
        return value.isoformat()
    if kind is dt.timedelta:
        return repr(value.total_seconds() / 3600)
    return None if value is None else str(value)


def _sheet_rows(workbook: CalamineWorkbook, name: str, source: Source) -> list[list]:
    """The cells of one sheet from A1, row by row; a merged range's cells all hold its anchor's value."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except Exception as error:
        raise IngestError(f"{source.relpath} sheet {name!r}: cannot read ({type(error).__name__}: {error})") from None
    for (top, left), (bottom, right) in merged:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        anchor = rows[top][left]
        for row in rows[top : bottom + 1]:
            row.extend([""] * (right + 1 - len(row)))
            row[left : right + 1] = [anchor] * (right + 1 - left)
    return rows


def _serial_text(value: object, kind: str) -> object:
    """A number in a workbook's date column: an Excel serial date (a bare year in a birth-date column)."""
    if type(value) not in (int, float) or not math.isfinite(value):
        return value
    if kind == "year" and value == int(value) and FIRST_YEAR <= value <= LAST_YEAR:
        return str(int(value))
    if not 1 <= value < 2958466:  # (9999-12-31)
        return value
    # Serials count days from 1899-12-30; rounded to the second (the fraction is stored in binary).
    moment = dt.datetime(1899, 12, 30) + dt.timedelta(seconds=round(value * 86400))
    return moment.date().isoformat() if value == int(value) else moment.isoformat(sep=" ")


def _sheet_frame(spec: Table, part: Part, rows: list[list]) -> pl.DataFrame:
    """The data rows of one sheet as text columns ``c<position>`` (mapped columns only).

    Numbers in date columns are Excel serial dates (only here: in a CSV a number is no date). Cells of the other columns
    (PII, unknown headers) are never converted, only told blank or not (``_other_cells``).
    """
    kinds = {c.name: c.kind for c in spec.columns}
    data: dict[str, pl.Series] = {}
    for position in sorted(part.columns):
        values = [row[position] if position < len(row) else None for row in rows]
        kind = kinds.get(part.columns[position])
        if kind in ("date", "datetime", "year"):
            values = [_serial_text(value, kind) for value in values]
        data[f"c{position}"] = pl.Series([cell_text(v) for v in values], dtype=pl.String)
    # (A cell holding 0 or False is filled too.)
    others = [position for position in range(part.n_columns) if position not in part.columns]
    data["_other_cells"] = pl.Series(
        [any(cell not in ("", None) for cell in (row[p] for p in others if p < len(row))) for row in rows],
        dtype=pl.Boolean,
    )
    return pl.DataFrame(data, height=len(rows))


def _plan_xlsx(source: Source) -> Plan:
    """Plan a workbook and read its sheets' rows as text (one parse for both)."""
    try:
        workbook = CalamineWorkbook.from_path(str(source.path))
    except Exception as error:  # calamine raises several types for corrupt or foreign files
        raise IngestError(f"{source.relpath}: cannot open the workbook ({type(error).__name__}: {error})") from None
    pieces: list[tuple[Part, pl.DataFrame, int]] = []
    unknown: list[tuple[str, list[list[str]]]] = []  # sheets that are no export table
    spec: Table | None = None
    for name in workbook.sheet_names:
        rows = _sheet_rows(workbook, name, source)
        head = [[cell_text(c) or "" for c in row] for row in rows[:HEADER_SEARCH_ROWS]]
        if not any(any(row) for row in head):
            continue  # an empty sheet holds no rows to account for
        if not any(recognise([normalise_header(c) for c in row]) for row in head):
            # Notes, a summary, a pivot table: not an export table (listed in the report).
            unknown.append((name, head))
            continue
        sheet_spec, part = _make_part(name, head, f"{source.relpath} sheet {name!r}")
        if spec is not None and sheet_spec is not spec:
            raise IngestError(
                f"{source.relpath}: sheet {name!r} is a {sheet_spec.name} export but earlier sheets are "
                f"{spec.name}; one table per file"
            )
        spec = sheet_spec
        pieces.append((part, _sheet_frame(spec, part, rows[part.header_index + 1 :]), part.header_index + 2))
        del rows
    if spec is None and unknown:
        name, head = unknown[0]
        raise IngestError(_unknown_table_message(head, f"{source.relpath} sheet {name!r}"))
    if spec is None:
        raise IngestError(f"{source.relpath}: every sheet is empty")
    parts = [part for part, _, _ in pieces]
    return Plan(source=source, table=spec, parts=parts, pieces=pieces, skipped_sheets=[name for name, _ in unknown])


# ---------------------------------------------------------------- planning and reading
def plan_source(source: Source) -> Plan | None:
    """Recognise a file's table and locate its header(s); None for a demo generator's fault list (not an export).

    A CSV is planned from its first rows. A workbook is parsed whole even for that, so its sheets are read at once and
    kept in the plan for :func:`read_source`. An unreadable file, no known table (the message names the headers found
    and the nearest table) or a required column missing raise an IngestError.
    """
    return _plan_xlsx(source) if source.path.suffix.lower() == ".xlsx" else _plan_csv(source)


def read_source(plan: Plan, *, key: bytes, workdir: Path) -> pl.DataFrame:
    """Read one planned file: canonical raw text columns, PII gone, ID numbers pseudonymised.

    The frame has ``_file`` (input order), ``_sheet``, ``_row`` (spreadsheet row number), one text column per canonical
    column read from a header (null where blank or lacking) and, for tables with ID numbers, those of
    :func:`~voldata.ingest.identity.pseudonymise` and ``_id_control``. Blank rows are left out.
    """
    return pl.concat(read_batches(plan, key=key, workdir=workdir, rows=None))


def read_batches(plan: Plan, *, key: bytes, workdir: Path, rows: int | None) -> Iterator[pl.DataFrame]:
    """:func:`read_source` in batches: a CSV's of about ``rows`` rows each (None: one), a workbook's sheets in one."""
    pieces, plan.pieces = plan.pieces, []
    for batch in [pieces] if pieces else _read_csv(plan, workdir, rows):
        yield _canonical_text(plan, batch, key=key)


def _canonical_text(plan: Plan, pieces: list[tuple[Part, pl.DataFrame, int]], *, key: bytes) -> pl.DataFrame:
    """Raw text frames of a file's parts → one frame of canonical text columns, PII gone."""
    spec = plan.table
    wanted = [c.name for c in spec.columns if c.headers and not c.derived_from_id]
    has_id = any(c.name == "person_key" for c in spec.columns)
    frames = []
    for part, frame, first_row in pieces:
        cells = [pl.col(c) if c == "_other_cells" else pl.col(c).is_not_null() for c in frame.columns]
        # Blank in every cell (PII cells included): not a row at all. (Empty cells are already null; a row of only
        # spaces is not worth a pass over every cell.)
        non_blank = frame.select(pl.any_horizontal(cells) if cells else pl.lit(False)).to_series()
        frame = frame.with_row_index("_index")
        if not non_blank.all():
            frame = frame.filter(non_blank)
        selected = [
            pl.lit(plan.source.order, dtype=pl.UInt32).alias("_file"),
            pl.lit(part.sheet, dtype=pl.String).alias("_sheet"),
            (pl.col("_index").cast(pl.Int64) + first_row).alias("_row"),
        ]
        for name in wanted + ([ID_NUMBER] if has_id else []):
            cells = [pl.col(f"c{position}") for position, column in part.columns.items() if column == name]
            if len(cells) > 1:  # two headers for one column (所属街道 and 所属镇街): the first non-blank
                cells = [pl.coalesce(pl.when(cell.str.strip_chars() != "").then(cell) for cell in cells)]
            selected.append((cells[0] if cells else pl.lit(None, dtype=pl.String)).alias(name))
        # Only canonical columns are selected: PII columns and unknown headers end here.
        frames.append(frame.select(selected))
    frame = pl.concat(frames, how="vertical") if frames else pl.DataFrame()
    if has_id:
        # (The ID number is gone after this: whether it held a control character is kept.)
        control = pl.col(ID_NUMBER).str.contains(CONTROL_CHARACTERS).fill_null(False).alias("_id_control")
        frame = pseudonymise(frame.with_columns(control), key=key)
    return frame
