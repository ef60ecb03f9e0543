"""Writing the store: deterministic Parquet files, the report, and the atomic swap.

The new store is built in the run's private work folder next to ``STORE`` and swapped in at the very end, so a failure
(or a kill) at any point leaves the previous store exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from voldata.folders import replace_folder
from voldata.ingest.quarantine import QUARANTINE_COLUMNS
from voldata.schema import Table
from voldata.store import PART_FILE, QUARANTINE, REPORT_FILE, arrow_schema, partition_dir

__all__ = ["QUARANTINE_SCHEMA", "write_parquet", "write_table", "write_quarantine", "write_report"]
__all__ += ["build_atomically", "remove_leftovers"]

# The quarantine as stored: its columns but ``_file`` (the input order, kept only to sort it).
QUARANTINE_SCHEMA = pa.schema(
    (name, pa.int64() if name == "row_number" else pa.string()) for name in QUARANTINE_COLUMNS if name != "_file"
)
ROWS_PER_GROUP = 1 << 20


def write_parquet(frame: pl.DataFrame, schema: pa.Schema, path: Path, *, sort_by: tuple[str, ...] = ()) -> None:
    """Write ``frame`` (sorted by ``sort_by``, nulls last) to ``path`` with exactly ``schema`` (column order and types):
    the same rows, the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = frame.select([f.name for f in schema])
    order = frame.select(pl.arg_sort_by(sort_by, nulls_last=True)).to_series() if sort_by else None
    # One row group at a time to Arrow, gathered in order: a copy of the whole frame would add its size to the ingest's
    # peak memory. Each group as one chunk: pyarrow starts a data page where a chunk ends, and a streaming collect's
    # chunks vary from run to run, so without it the same rows could give different bytes.
    with pq.ParquetWriter(path, schema, compression="zstd", compression_level=1) as writer:
        for start in range(0, max(frame.height, 1), ROWS_PER_GROUP):  # (an empty frame: one empty row group)
            group = frame.slice(start, ROWS_PER_GROUP) if order is None else frame[order.slice(start, ROWS_PER_GROUP)]
            writer.write_table(group.to_arrow().cast(schema).combine_chunks(), row_group_size=ROWS_PER_GROUP)


def write_table(rows: pl.LazyFrame | pl.DataFrame, spec: Table, root: Path) -> int:
    """Write one table's stored rows to the store folder ``root``, one year at a time; return how many.

    One file per year of ``spec.partition_by`` (one for tables without), rows sorted by the key (unique once duplicates
    are quarantined, so the order is total); a year already written is merged in. No rows, no file.
    """
    rows = rows.lazy().select(spec.column_names)
    schema, written, years = arrow_schema(spec), 0, [None]
    if spec.partition_by is not None:
        year_of = pl.col(spec.partition_by).dt.year()
        years = rows.select(year_of.unique().sort()).collect(engine="streaming").to_series().to_list()
    for year in years:
        path = partition_dir(root, spec.name, year) / PART_FILE
        part = rows if year is None else rows.filter(year_of == year)
        if path.exists():
            part = pl.concat([pl.scan_parquet(path).cast(rows.collect_schema()), part], how="vertical")
        frame = part.collect(engine="streaming")  # (sorted as written: the year is held once, not twice)
        if frame.height:
            write_parquet(frame, schema, path, sort_by=spec.key)
            written += frame.height
    return written


def write_quarantine(frame: pl.DataFrame, root: Path) -> None:
    """Write the quarantine (always, even empty, so readers find its schema)."""
    write_parquet(frame, QUARANTINE_SCHEMA, root / QUARANTINE / PART_FILE)


def write_report(report: dict, root: Path) -> None:
    """Write ``ingest_report.json`` (sorted keys inside each entry are kept as given; no timestamps)."""
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    (root / REPORT_FILE).write_text(text, encoding="utf-8")


def build_atomically(store: Path, build: Callable[[Path, Path], dict], *, work: Path) -> dict:
    """Build a new store with ``build(new_root, scratch) -> report`` in the run's work folder, swap it in for ``store``.

    ``work`` is the run's private folder (:func:`voldata.folders.private_work`, beside ``store``, so the swap is a
    rename); ``new_root`` and ``scratch`` (staged tables, transcoded copies) are made in it, readable by the owner only.
    The previous store is replaced only after ``build`` returned, in one step (:func:`voldata.folders.replace_folder`);
    it ends up in ``work``, removed with it.
    """
    new_root, scratch = work / "new", work / "scratch"
    new_root.mkdir(mode=0o700)
    scratch.mkdir(mode=0o700)
    report = build(new_root, scratch)
    replace_folder(new_root, store)
    return report


def remove_leftovers(store: Path) -> None:
    """Remove what a killed run of an earlier version left beside ``store`` (``.STORE.new-*``, ``.work-*``, ``.old-*``).

    Those versions swapped with two renames: a run killed between them left the store only at ``.STORE.old-*``, which is
    put back. Call it holding the writer's lock.
    """
    store = Path(store).absolute()
    olds = sorted(store.parent.glob(f".{store.name}.old-*"))
    if not store.exists() and len(olds) == 1:
        os.rename(olds.pop(), store)
    for kind in ("new", "work", "old"):
        for leftover in store.parent.glob(f".{store.name}.{kind}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
