"""``ingest``: platform exports → the canonical, pseudonymised store (see ``spec/data-contract.md``).

The steps, in order (:func:`_build`):

1. find the export files under the RAW arguments (:func:`~voldata.ingest.readers.discover`);
2. per file (two at a time, a CSV in batches of rows): recognise its table from its header row and read every
   cell as text, with the PII dropped and the ID numbers pseudonymised at once (:mod:`~voldata.ingest.readers`,
   :mod:`~voldata.ingest.identity`); clean it into typed canonical columns with each row's first value problem
   (:mod:`~voldata.ingest.canonical`, parsers in :mod:`~voldata.ingest.values`), and stage it in the run's work
   folder;
3. per table, parents first: duplicates and orphans are marked on the key columns alone
   (:mod:`~voldata.ingest.quarantine`), then the staged files are read again, filtered as they are read, for the
   quarantine and for the rows left, written sorted by key one year at a time (:mod:`~voldata.ingest.writer`);
4. the quarantine and the report are written, and the new store replaces the old one in one step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import polars as pl
from tqdm.auto import tqdm

import voldata
from voldata.folders import FolderBusy, private_work, writer_lock
from voldata.ingest.canonical import stage
from voldata.ingest.identity import _as_bytes
from voldata.ingest.quarantine import QUARANTINE_COLUMNS, REASONS, mark_across_rows, quarantine_rows, with_reason
from voldata.ingest.readers import IngestError, Plan, Source, discover, plan_source, read_batches
from voldata.ingest.writer import build_atomically, remove_leftovers, write_quarantine, write_report, write_table
from voldata.personal import KINDS, mask_personal_numbers
from voldata.schema import TABLE_ORDER, TABLES
from voldata.store import REPORT_FILE

__all__ = ["ingest"]

# Parent key columns that other tables refer to: ("teams", "team_id"), ...
_PARENT_KEYS = sorted({(p, c) for spec in TABLES.values() for p, c in spec.references.values()})
# Rows of a CSV read, cleaned and staged at a time: two big exports read side by side stay within memory.
BATCH_ROWS = 1_000_000


def ingest(
    raw_paths: str | Path | Sequence[str | Path], *, store: str | Path, key: str | bytes, progress: bool = True
) -> dict:
    """Read platform exports into a new canonical store, replacing ``store`` atomically.

    Parameters
    ----------
    raw_paths : path or sequence of paths
        Export files (``.csv`` in UTF-8, UTF-8 with BOM or GB18030/GBK; ``.xlsx``) or folders searched recursively
        for them. Other files are skipped and listed in the report.
    store : str or Path
        The store folder, rebuilt from the inputs alone (the same inputs and key give byte-identical files) and only
        replaced once the new store is complete.
    key : str or bytes
        Secret key of the ID-number pseudonyms (HMAC-SHA256). Never optional.
    progress : bool
        Show progress bars and notes on stderr.

    Returns
    -------
    dict
        The ingest report, as written to ``STORE/ingest_report.json``.

    Raises
    ------
    IngestError
        An argument or input file cannot be used (unknown table, missing required column, unreadable file); the
        store is left untouched.
    """
    try:
        key = _as_bytes(key)
    except (TypeError, ValueError) as error:
        raise IngestError(str(error)) from None
    raw_paths = [raw_paths] if isinstance(raw_paths, (str, Path)) else list(raw_paths)
    if not raw_paths:
        raise IngestError("no RAW files or folders given")
    store = Path(store)
    # A STORE that exists but is not a voldata store is refused: an ingest never wipes someone's folder.
    if store.exists() and not store.is_dir():
        raise IngestError(f"--store {store} is a file, not a folder")
    if store.is_dir() and any(store.iterdir()) and not (store / REPORT_FILE).is_file():
        raise IngestError(
            f"--store {store} exists and is not a voldata store (no {REPORT_FILE}); "
            "refusing to replace it: give a new or empty folder"
        )

    def note(message: str) -> None:
        if progress:
            tqdm.write(f"voldata ingest: {message}", file=sys.stderr)

    # One writer at a time; every working copy lives in the run's private folder.
    try:
        with writer_lock(store, command="voldata ingest"):
            remove_leftovers(store)
            with private_work(store) as work:
                build = partial(_build, raw_paths, store, key=key, note=note, progress=progress)
                report = build_atomically(store, build, work=work)
    except FolderBusy as error:
        raise IngestError(str(error)) from None
    totals = report["totals"]
    note(
        f"{totals['rows_read']:,} rows read, {totals['rows_stored']:,} stored, "
        f"{totals['rows_quarantined']:,} quarantined → {store}"
    )
    return report


def _build(raw_paths: list, store: Path, root: Path, scratch: Path, *, key: bytes, note: Callable, progress: bool):
    """Build a complete store for ``store`` in ``root`` (a new folder, ``scratch`` beside it); return the report."""
    # 1. Find the files.
    sources, skipped = discover(raw_paths, exclude=store)
    if skipped:
        note(f"skipped {len(skipped)} file(s) that are not .csv or .xlsx: {', '.join(skipped)}")

    # 2. Recognise, read and clean each file into staged tables, two files at a time (see BENCHMARKS.md), in batches.
    staged: dict[str, list[Path]] = {name: [] for name in TABLE_ORDER}
    plans: list[Plan] = []
    fault_lists: list[str] = []
    masked: dict[int, dict[str, int]] = {}
    # (map: an error cancels the files not begun; ``stopped``, set when the loop ends early (an error, Ctrl-C), stops
    # a file being read at its next batch, so the run ends in seconds, not when that file is done.)
    stopped, today = threading.Event(), dt.date.today()  # (one ingest date for every file and batch)
    with ThreadPoolExecutor(2) as pool:
        staging = pool.map(
            lambda source: _stage_file(source, key=key, scratch=scratch, stopped=stopped, today=today), sources
        )
        try:
            for source in tqdm(sources, desc="reading", unit="file", disable=not progress, file=sys.stderr):
                plan, masked[source.order], paths = next(staging)
                if plan is None:
                    fault_lists.append(source.relpath)
                    continue
                plans.append(plan)
                staged[plan.table.name] += paths
        finally:
            stopped.set()
    if fault_lists:
        note(f"skipped {len(fault_lists)} demo fault list(s), not exports: {', '.join(fault_lists)}")
        skipped = sorted(skipped + fault_lists)
    if not plans:
        raise IngestError(f"no export files (.csv, .xlsx) in {', '.join(str(p) for p in raw_paths)}")
    skipped_sheets = [
        {"file": plan.source.relpath, "sheet": mask_personal_numbers(name)[0]}
        for plan in plans
        for name in plan.skipped_sheets
    ]
    for entry in skipped_sheets:
        note(f"{entry['file']}: skipped sheet {entry['sheet']!r}, not an export table")
    for plan in plans:
        ignored = sorted({h for part in plan.parts for h in part.ignored})
        if ignored:
            note(f"{plan.source.relpath}: ignored columns not in the contract: {', '.join(ignored)}")
    for name in TABLE_ORDER:
        for parent_table in sorted({t for t, _ in TABLES[name].references.values()}):
            if staged[name] and not staged[parent_table]:
                note(f"no {parent_table} export among the inputs: every {name} row referring to one is an orphan")

    # 3. Per table, parents first: duplicates and orphans, then the sorted, partitioned write.
    relpaths = [s.relpath for s in sources]  # indexed by Source.order
    parents: dict[str, pl.Series] = {}
    stored_rows = {name: 0 for name in TABLE_ORDER}
    quarantined: list[pl.DataFrame] = [pl.DataFrame(schema=QUARANTINE_COLUMNS)]
    counts: list[pl.DataFrame] = []
    tables = [name for name in TABLE_ORDER if staged[name]]
    for name in tqdm(tables, desc="storing", unit="table", disable=not progress, file=sys.stderr):
        spec = TABLES[name]
        # Only the (few) positions a check across rows fails are held; the queries below filter on staged
        # columns (not derived ones), so the filter applies as the files are read, never holding the table.
        staged_rows = pl.scan_parquet(staged[name], row_index_name="_position")
        failed = mark_across_rows(spec, staged_rows, parents)
        found = pl.col("_position").replace_strict(failed["_position"], failed["_check"], default=None)
        check = found.cast(pl.UInt8).alias("_check")
        rejected = pl.col("_reason").is_not_null() | pl.col("_position").is_in(failed["_position"].implode())
        counted = with_reason(spec, staged_rows.select("_file", "_reason", "_position").with_columns(check))
        counts.append(counted.group_by("_file", "reason").len().collect(engine="streaming"))
        rejected_rows = with_reason(spec, staged_rows.filter(rejected).with_columns(check))
        quarantined.append(quarantine_rows(spec, rejected_rows, relpaths))
        stored = staged_rows.filter(~rejected)
        stored_rows[name] = write_table(stored, spec, root)
        for column in [c for table, c in _PARENT_KEYS if table == name]:
            parents[f"{name}.{column}"] = stored.select(column).collect(engine="streaming").to_series()
        for path in staged[name]:
            path.unlink()

    # 4. The quarantine (files in input order, rows in sheet and row order) and the report.
    quarantine = pl.concat(quarantined).sort("_file", maintain_order=True).drop("_file")
    write_quarantine(quarantine, root)
    report = _report(plans, pl.concat(counts), masked, skipped, skipped_sheets, stored_rows)
    write_report(report, root)
    return report


def _stage_file(source: Source, *, key: bytes, scratch: Path, stopped: threading.Event, today: dt.date) -> tuple:
    """Step 2 for one file: its plan (None: a fault list), the numbers masked, its staged files (so far, if stopped)."""
    plan, masked, paths = _naming_the_file(source, plan_source, source), {}, []
    batches = read_batches(plan, key=key, workdir=scratch, rows=BATCH_ROWS) if plan else iter(())
    while not stopped.is_set() and (raw := _naming_the_file(source, next, batches, None)) is not None:
        rows, found = stage(plan.table, raw, today=today, control_free=plan.control_free)
        masked = {kind: n for kind in KINDS if (n := masked.get(kind, 0) + found.get(kind, 0))}
        # (Parquet, not Arrow IPC, which is memory-mapped when scanned: see BENCHMARKS.md.)
        paths.append(scratch / f"staged-{source.order}-{len(paths)}.parquet")
        rows.write_parquet(paths[-1], compression="lz4", statistics=False)
    return plan, masked, paths


def _report(
    plans: list[Plan],
    counts: pl.DataFrame,
    masked: dict[int, dict[str, int]],
    skipped: list[str],
    skipped_sheets: list[dict],
    stored_rows: dict[str, int],
) -> dict:
    """The ingest report: per file (input order) rows read, stored and quarantined by reason, and the totals."""
    files = []
    for plan in plans:
        mine = counts.filter(pl.col("_file") == plan.source.order)
        reasons = dict(mine.drop_nulls("reason").select("reason", "len").iter_rows())
        with open(plan.source.path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        files.append(
            {
                "file": plan.source.relpath,
                "table": plan.table.name,
                "sha256": digest,
                "rows_read": int(mine["len"].sum()),
                "rows_stored": int(mine.filter(pl.col("reason").is_null())["len"].sum()),
                "rows_quarantined": sum(reasons.values()),
                "reasons": {reason: reasons[reason] for reason in REASONS if reasons.get(reason)},
                "numbers_masked": masked[plan.source.order],
            }
        )
    totals = {"files": len(files)} | {
        field: sum(entry[field] for entry in files) for field in ("rows_read", "rows_stored", "rows_quarantined")
    }
    totals["reasons"] = {
        reason: n for reason in REASONS if (n := sum(entry["reasons"].get(reason, 0) for entry in files))
    }
    return {
        "voldata_version": voldata.__version__,
        "files": files,
        "skipped_files": skipped,
        "skipped_sheets": skipped_sheets,
        "totals": totals,
        "tables": stored_rows,
    }


def _naming_the_file(source: Source, action: Callable, *args, **kwargs):
    """``action(*args, **kwargs)``, with any error but an IngestError turned into one naming the file."""
    try:
        return action(*args, **kwargs)
    except IngestError:
        raise
    except Exception as error:  # polars / calamine / OS errors on a malformed or unreadable file
        raise IngestError(f"{source.relpath}: cannot read ({type(error).__name__}: {error})") from None
