"""Writing the store: deterministic Parquet files, the report, and the atomic swap.

The new store is built in the run's private work folder next to ``STORE``
and swapped in at the very end, so a failure (or a kill) at any point leaves
the previous store exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from voldata.folders import replace_folder
from voldata.ingest.quarantine import strictly_increasing
from voldata.ingest.readers import IngestError
from voldata.schema import Table
from voldata.store import PART_FILE, QUARANTINE, REPORT_FILE, arrow_schema, partition_dir

__all__ = [
    "QUARANTINE_SCHEMA",
    "write_parquet",
    "dictionary_columns",
    "statistics_columns",
    "write_table",
    "write_quarantine",
    "write_report",
    "check_store_target",
    "build_atomically",
    "remove_leftovers",
]

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("table", pa.string()),
        pa.field("file", pa.string()),
        pa.field("sheet", pa.string()),
        pa.field("row_number", pa.int64()),
        pa.field("reason", pa.string()),
        pa.field("detail", pa.string()),
        pa.field("values", pa.string()),
    ]
)
# Fixed writer settings: the same rows always give the same bytes.
_PARQUET_OPTIONS = dict(
    compression="zstd",
    compression_level=1,
)
ROWS_PER_GROUP = 1 << 20
# Files written side by side. A year of more row groups than this is cut into
# this many files (part-0, part-1, ... in key order), so a big year is not
# written by one thread alone (Parquet encoding is single-threaded per file).
_WRITE_THREADS = 2
# Columns with (nearly) one value per row: a dictionary only costs time there.
_HIGH_CARDINALITY = frozenset({"person_key", "volunteer_id", "account_id", "counterparty_account_id"})


def dictionary_columns(spec: Table | None, schema: pa.Schema) -> list[str] | bool:
    """Columns worth dictionary encoding: not keys, pseudonyms, person ids or datetimes."""
    if spec is None:
        return True
    return [
        c.name
        for c in spec.columns
        if c.kind != "datetime" and c.name not in _HIGH_CARDINALITY and c.name not in spec.key
    ]


def statistics_columns(spec: Table | None, schema: pa.Schema) -> list[str] | bool:
    """Columns whose row-group minimum and maximum are worth storing: the key, and every non-text column.

    Rows are sorted by the key, so its ranges (and those of dates and
    numbers) let a reader skip row groups. The other text columns (person
    ids, codes) span their whole range in every row group; computing their
    ranges cost a sixth of the write.
    """
    if spec is None:
        return True
    return [f.name for f in schema if f.name in spec.key or not pa.types.is_string(f.type)]


def write_parquet(frame: pl.DataFrame, schema: pa.Schema, path: Path, *, spec: Table | None = None) -> None:
    """Write ``frame`` to ``path`` with exactly ``schema`` (column order and types), with fixed settings."""
    frame = frame.select([f.name for f in schema])
    path.parent.mkdir(parents=True, exist_ok=True)
    # Text goes to the writer as the string views Polars holds (no copy).
    # Parquet has one text type, so the file is what ``schema`` says; it is
    # written without Arrow's copy of the schema (which would name the
    # views), and every reader reads its text columns back as plain strings.
    given = pa.schema([pa.field(f.name, pa.string_view() if pa.types.is_string(f.type) else f.type) for f in schema])
    # One row group at a time: only that much of the table is ever copied
    # into Arrow's layout (the file is the same as writing it whole).
    with pq.ParquetWriter(
        path,
        given,
        use_dictionary=dictionary_columns(spec, schema),
        write_statistics=statistics_columns(spec, schema),
        store_schema=False,
        **_PARQUET_OPTIONS,
    ) as parquet:
        for start in range(0, max(frame.height, 1), ROWS_PER_GROUP):
            rows = frame.slice(start, ROWS_PER_GROUP).to_arrow(compat_level=pl.CompatLevel.newest())
            parquet.write_table(rows.cast(given), row_group_size=ROWS_PER_GROUP)


def write_table(frame: pl.DataFrame, spec: Table, root: Path) -> None:
    """Add rows of one canonical table to its files in the store folder ``root``.

    Rows are sorted by the table key (unique after de-duplication, so the
    order is total) and split by the year of ``spec.partition_by``. A year
    whose files an earlier call already wrote (a later export holding rows
    of an earlier year) is merged with them and written again, so a year's
    files hold its rows in key order however the exports were cut. A year of
    more than ``_WRITE_THREADS`` row groups is cut into that many files
    (``part-0.parquet``, ``part-1.parquet``, ...), written side by side. No
    rows, no file.
    """
    if frame.height == 0:
        return
    schema = arrow_schema(spec)
    files: list[tuple[pl.DataFrame, Path]] = []
    for year, rows in _year_slices(_key_sorted(frame, spec), spec):
        folder = partition_dir(root, spec.name, year)
        earlier = sorted(folder.glob("part-*.parquet"), key=_part_number)
        if earlier:
            rows = _key_sorted(
                pl.concat([pl.read_parquet(earlier).cast(dict(rows.schema)), rows], how="vertical"), spec
            )
            for path in earlier:
                path.unlink()
        files += [(piece, folder / f"part-{number}.parquet") for number, piece in enumerate(_pieces(rows))]
    with ThreadPoolExecutor(max_workers=_WRITE_THREADS) as pool:
        for write in [pool.submit(write_parquet, rows, schema, path, spec=spec) for rows, path in files]:
            write.result()


def _part_number(path: Path) -> int:
    return int(path.stem.removeprefix("part-"))


def _pieces(rows: pl.DataFrame) -> list[pl.DataFrame]:
    """``rows`` cut at row-group boundaries into ``_WRITE_THREADS`` nearly equal pieces, if more groups than that."""
    groups = -(-rows.height // ROWS_PER_GROUP)
    if groups <= _WRITE_THREADS:
        return [rows]
    per_piece = -(-groups // _WRITE_THREADS) * ROWS_PER_GROUP
    return [rows.slice(start, per_piece) for start in range(0, rows.height, per_piece)]


def _key_sorted(frame: pl.DataFrame, spec: Table) -> pl.DataFrame:
    # (Rows already in key order, as exports usually are, need no sort.)
    if len(spec.key) == 1 and strictly_increasing(frame.get_column(spec.key[0])):
        return frame
    return frame.sort(list(spec.key), nulls_last=True)


def _year_slices(frame: pl.DataFrame, spec: Table) -> list[tuple[int | None, pl.DataFrame]]:
    """The rows of each year of ``spec.partition_by`` (one slice, year None, for tables without)."""
    if spec.partition_by is None:
        return [(None, frame)]
    years = frame.get_column(spec.partition_by).dt.year()
    if years.null_count() or not (years.slice(1) >= years.slice(0, len(years) - 1)).all():
        return [(year, frame.filter(years == year)) for year in sorted(years.unique().to_list())]
    # Key order is year order (yearly exports with year-numbered keys): each
    # year is a slice, no copy.
    starts = years.search_sorted(years.unique().sort(), side="left").to_list()
    bounds = zip(starts, starts[1:] + [len(years)])
    return [(years[start], frame.slice(start, end - start)) for start, end in bounds]


def write_quarantine(frame: pl.DataFrame, root: Path) -> None:
    """Write the quarantine (always, even empty, so readers find its schema)."""
    write_parquet(frame, QUARANTINE_SCHEMA, root / QUARANTINE / PART_FILE)


def write_report(report: dict, root: Path) -> None:
    """Write ``ingest_report.json`` (sorted keys inside each entry are kept as given; no timestamps)."""
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    (root / REPORT_FILE).write_text(text, encoding="utf-8")


def check_store_target(store: Path) -> None:
    """Refuse a STORE that exists but is not a voldata store (so an ingest never wipes someone's folder)."""
    if store.exists() and not store.is_dir():
        raise IngestError(f"--store {store} is a file, not a folder")
    if store.is_dir() and any(store.iterdir()) and not (store / REPORT_FILE).is_file():
        raise IngestError(
            f"--store {store} exists and is not a voldata store (no {REPORT_FILE}); "
            "refusing to replace it: give a new or empty folder"
        )


def build_atomically(store: Path, build: Callable[[Path, Path], None], *, work: Path) -> None:
    """Build a new store with ``build(new_root, scratch)`` in the run's work folder and swap it in for ``store``.

    ``work`` is the run's private folder (:func:`voldata.folders.private_work`,
    beside ``store``, so the swap is a rename); ``new_root`` and ``scratch``
    (transcoded copies, spilled keys) are made in it, readable by the owner
    only. The previous store is replaced only after ``build`` returned, in
    one step (:func:`voldata.folders.replace_folder`); it ends up in ``work``,
    removed with it.
    """
    new_root, scratch = work / "new", work / "scratch"
    new_root.mkdir(mode=0o700)
    scratch.mkdir(mode=0o700)
    build(new_root, scratch)
    replace_folder(new_root, store)


def remove_leftovers(store: Path) -> None:
    """Remove what a killed run of an earlier version left beside ``store`` (``.STORE.new-*``, ``.work-*``, ``.old-*``).

    Those versions swapped with two renames: a run killed between them left
    the store only at ``.STORE.old-*``, which is put back. Call it holding
    the writer's lock.
    """
    store = Path(store).absolute()
    olds = sorted(store.parent.glob(f".{store.name}.old-*"))
    if not store.exists() and len(olds) == 1:
        os.rename(olds.pop(), store)
    for kind in ("new", "work", "old"):
        for leftover in store.parent.glob(f".{store.name}.{kind}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
