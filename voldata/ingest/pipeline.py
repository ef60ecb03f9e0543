"""``ingest``: platform exports → the canonical, pseudonymised store (see /spec/data-contract.md)."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl
from tqdm.auto import tqdm

import voldata
from voldata.folders import FolderBusy, private_work, writer_lock
from voldata.ingest.canonical import canonicalise
from voldata.ingest.identity import _as_bytes
from voldata.ingest.quarantine import (
    REASONS,
    SeenKeys,
    known_references,
    mark_duplicates,
    mark_orphans,
    quarantine_rows,
)
from voldata.ingest.readers import IngestError, Plan, Source, discover, plan_source, read_source, utf8_copy
from voldata.ingest.writer import (
    build_atomically,
    check_store_target,
    remove_leftovers,
    write_quarantine,
    write_report,
    write_table,
)
from voldata.personal import mask_personal_numbers
from voldata.schema import TABLE_ORDER, TABLES, Table

__all__ = ["ingest", "WORKBOOK_BYTES_HELD", "WORKBOOK_THREADS"]

# A workbook is parsed whole even to read its header, so it is read while it
# is being recognised and kept in memory until its table's turn; beyond this
# many bytes of .xlsx files (about 3 million rows), further workbooks are
# parsed again when their turn comes.
WORKBOOK_BYTES_HELD = 200 << 20
# Workbooks recognised side by side (the parser runs without the GIL).
WORKBOOK_THREADS = 2
# CSV files read ahead while the workbooks are parsed, in the order they will
# be checked, up to this many bytes of files (at least one file).
PREFETCH_BYTES = 1 << 30


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _idle_priority() -> None:
    """Give the calling thread the lowest CPU priority (Linux; elsewhere nothing changes).

    Work that is needed only at the end of an ingest (checksums of the
    inputs) then runs on CPU time the checks leave idle, instead of taking
    it from them.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def _reason_counts(counts: dict[str, int]) -> dict[str, int]:
    return {reason: counts[reason] for reason in REASONS if counts.get(reason)}


def ingest(
    raw_paths: str | Path | Sequence[str | Path],
    *,
    store: str | Path,
    key: str | bytes,
    progress: bool = True,
) -> dict:
    """Read platform exports into a new canonical store, replacing ``store`` atomically.

    Parameters
    ----------
    raw_paths : path or sequence of paths
        Export files (``.csv`` in UTF-8, UTF-8 with BOM or GB18030/GBK;
        ``.xlsx``) or folders searched recursively for them. Other files are
        skipped and listed in the report.
    store : str or Path
        The store folder. It is rebuilt from the inputs alone (the same
        inputs and key give byte-identical files) and only replaced once the
        new store is complete.
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
        An argument or an input file cannot be used (unknown table, missing
        required column, unreadable file); the store is left untouched.
    """
    try:
        key = _as_bytes(key)
    except (TypeError, ValueError) as error:
        raise IngestError(str(error)) from None
    if isinstance(raw_paths, (str, Path)):
        raw_paths = [raw_paths]
    raw_paths = list(raw_paths)
    if not raw_paths:
        raise IngestError("no RAW files or folders given")
    store = Path(store)
    check_store_target(store)
    # One writer at a time; every working copy lives in the run's private folder.
    try:
        with writer_lock(store, command="voldata ingest"):
            remove_leftovers(store)
            with private_work(store) as work:
                return _ingest_locked(raw_paths, store=store, key=key, progress=progress, work=work)
    except FolderBusy as error:
        raise IngestError(str(error)) from None


def _ingest_locked(raw_paths: list, *, store: Path, key: bytes, progress: bool, work: Path) -> dict:
    """:func:`ingest` holding the store's writer lock, with ``work`` the run's private folder."""

    def note(message: str) -> None:
        if progress:
            tqdm.write(f"voldata ingest: {message}", file=sys.stderr)

    sources, skipped = discover(raw_paths, exclude=store)
    if skipped:
        note(f"skipped {len(skipped)} file(s) that are not .csv or .xlsx: {', '.join(skipped)}")
    # One background reader for the whole ingest (see ``build``). A CSV is
    # recognised from its first lines, a workbook only by parsing it whole:
    # CSVs are planned first, and the UTF-8 CSV files are read while the
    # workbooks are parsed. (Other encodings are transcoded into
    # the store's work folder, which does not exist yet.)
    reader = ThreadPoolExecutor(max_workers=1)
    # Workbook cells and ID numbers make millions of short-lived Python
    # objects: the cyclic garbage collector, which would run every few
    # hundred of them, is paused and run once per file checked instead
    # (see ``build``; BENCHMARKS.md says what it saves).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _ingest_planned(
            sources,
            skipped,
            raw_paths=raw_paths,
            store=store,
            key=key,
            progress=progress,
            note=note,
            reader=reader,
            work=work,
        )
    finally:
        # After a failure, files not yet read are not read at all.
        reader.shutdown(wait=True, cancel_futures=True)
        if collecting:
            gc.enable()


def _ingest_planned(
    sources: list[Source],
    skipped: list[str],
    *,
    raw_paths: list,
    store: Path,
    key: bytes,
    progress: bool,
    note: Callable[[str], None],
    reader: ThreadPoolExecutor,
    work: Path,
) -> dict:
    """:func:`ingest` once the files are found: plan them, then build the store (reading with ``reader``)."""
    planned_by_order: dict[int, Plan | None] = {}
    prefetched: dict[int, Future] = {}
    held_bytes = 0  # workbooks read while planning, kept until their table's turn
    workbooks = ThreadPoolExecutor(max_workers=WORKBOOK_THREADS)
    planning: dict[int, Future] = {}
    csv_first = sorted(sources, key=lambda s: s.path.suffix.lower() == ".xlsx")  # (stable: input order within each)
    try:
        for source in csv_first:
            if source.path.suffix.lower() != ".xlsx":
                planned_by_order[source.order] = _plan(source, None)
                continue
            if not prefetched:
                # In the order the tables will be read in (the reader runs ahead of the checks anyway).
                csv_plans = sorted(
                    (plan for plan in planned_by_order.values() if plan is not None),
                    key=lambda plan: (TABLE_ORDER.index(plan.table.name), plan.source.order),
                )
                # Only the first files, up to PREFETCH_BYTES: each read file is held until its turn.
                budget = PREFETCH_BYTES
                for plan in csv_plans:
                    size = plan.source.path.stat().st_size
                    if plan.needs_transcoding or (prefetched and size > budget):
                        break
                    prefetched[plan.source.order] = reader.submit(_read, plan, key, None)
                    budget -= size
            read_now = held_bytes < WORKBOOK_BYTES_HELD
            if read_now:
                held_bytes += source.path.stat().st_size
            planning[source.order] = workbooks.submit(_plan, source, key if read_now else None)
        for source in tqdm(csv_first, desc="recognising", unit="file", disable=not progress, file=sys.stderr):
            if source.order in planning:
                planned_by_order[source.order] = planning.pop(source.order).result()
    finally:
        workbooks.shutdown(wait=True, cancel_futures=True)
    planned = [(source, planned_by_order[source.order]) for source in sources]
    fault_lists = [s.relpath for s, plan in planned if plan is None]
    if fault_lists:
        note(f"skipped {len(fault_lists)} demo fault list(s), not exports: {', '.join(fault_lists)}")
        skipped = sorted(skipped + fault_lists)
    plans = [plan for _, plan in planned if plan is not None]
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
    by_table: dict[str, list[Plan]] = {name: [] for name in TABLE_ORDER}
    for plan in plans:
        by_table[plan.table.name].append(plan)
    for name in TABLE_ORDER:
        for parent_table in sorted({t for t, _ in TABLES[name].references.values()}):
            if by_table[name] and not by_table[parent_table]:
                note(f"no {parent_table} export among the inputs: every {name} row referring to one is an orphan")

    relpaths = [s.relpath for s in sources]  # indexed by Source.order
    report: dict = {}

    def build(root: Path, workdir: Path) -> None:
        # Hashing big files releases the GIL: checksums are computed alongside
        # the checks, on whatever CPU time they leave idle.
        checksums = ThreadPoolExecutor(max_workers=1, initializer=_idle_priority)
        digests = {plan.source.order: checksums.submit(_sha256, plan.source.path) for plan in plans}
        checksums.shutdown(wait=False)
        entries = {
            plan.source.order: {
                "file": plan.source.relpath,
                "table": plan.table.name,
                "sha256": "",
                "rows_read": 0,
                "rows_stored": 0,
                "rows_quarantined": 0,
                "reasons": {},
                "numbers_masked": {},
            }
            for plan in plans
        }
        stored_rows = {name: 0 for name in TABLE_ORDER}
        parents: dict[str, pl.Series] = {}
        quarantined: list[pl.DataFrame] = []
        bar = tqdm(total=len(plans), desc="ingesting", unit="file", disable=not progress, file=sys.stderr)
        # Files are checked one at a time (duplicates are looked for across a
        # table's files with the keys seen so far), so only one file's raw text
        # is held. Each file's rows are written in the background while the
        # next file is read and checked. Parents are checked before children.
        names = [name for name in TABLE_ORDER if by_table[name]]
        queue = [plan for name in names for plan in by_table[name]]
        pool = ThreadPoolExecutor(max_workers=1)

        # Transcoding needs no memory (the UTF-8 copy goes to the work folder)
        # and runs without the GIL: every copy is made as early as possible.
        transcoder = ThreadPoolExecutor(max_workers=1)
        copies = {
            plan.source.order: transcoder.submit(_copy, plan, workdir) for plan in queue if plan.needs_transcoding
        }

        def read(plan: Plan) -> pl.DataFrame:
            if plan.source.order in copies:
                plan.utf8_copy = copies.pop(plan.source.order).result()
            return _read(plan, key, workdir)

        def fetch(position: int) -> Future | None:
            if position >= len(queue):
                return None
            plan = queue[position]
            early = prefetched.pop(plan.source.order, None)
            return early if early is not None else reader.submit(read, plan)

        try:
            writes: list[Future] = []
            ahead = fetch(0)
            position = 0
            for name in names:
                spec = TABLES[name]
                # Only the key hashes of earlier files stay in memory.
                seen = SeenKeys(spec, spill=workdir / f"keys-{name}")
                parent_columns = [column for table, column in _PARENT_KEYS if table == name]
                kept: dict[str, list[pl.Series]] = {column: [] for column in parent_columns}
                for plan in by_table[name]:
                    bar.set_postfix_str(f"{name}: reading {plan.source.relpath}")
                    raw = ahead.result()
                    position += 1
                    bar.update()
                    stored, rejected, counts, masked = _check_table(
                        spec,
                        raw,
                        parents=parents,
                        relpaths=relpaths,
                        bar=bar,
                        seen=seen,
                        control_free=plan.control_free,
                    )
                    del raw
                    # Only what was made since the last file (the young generation, while paused).
                    gc.collect(0)
                    ahead = fetch(position)
                    seen.commit(more_files=plan is not by_table[name][-1])
                    # Each file's rows are written while the next file is checked.
                    writes.append(pool.submit(write_table, stored, spec, root))
                    stored_rows[name] += stored.height
                    for column in parent_columns:
                        kept[column].append(stored.get_column(column))
                    quarantined.append(rejected)
                    entries[plan.source.order]["numbers_masked"] = masked
                    for file_order, why, n in counts.iter_rows():
                        entry = entries[file_order]
                        entry["rows_read"] += n
                        if why is None:
                            entry["rows_stored"] += n
                        else:
                            entry["rows_quarantined"] += n
                            entry["reasons"][why] = entry["reasons"].get(why, 0) + n
                    del stored, rejected
                del seen
                for column, pieces in kept.items():
                    parents[f"{name}.{column}"] = pl.concat(pieces) if len(pieces) > 1 else pieces[0]
            bar.set_postfix_str("writing")
            for write in writes:
                write.result()  # re-raises a failed write
        finally:
            # After a failure, files not yet read are not read at all.
            reader.shutdown(wait=True, cancel_futures=True)
            transcoder.shutdown(wait=True, cancel_futures=True)
            pool.shutdown(wait=True, cancel_futures=True)
        bar.set_postfix_str("writing quarantine and report")
        quarantine = pl.concat(quarantined, how="vertical")
        # Input order: files in order; within a file rows are already in sheet and row order.
        quarantine = quarantine.sort("_file", maintain_order=True).drop("_file")
        write_quarantine(quarantine, root)
        files = [entries[order] for order in sorted(entries)]
        for order, entry in zip(sorted(entries), files):
            entry["sha256"] = digests[order].result()
            entry["reasons"] = _reason_counts(entry["reasons"])
        totals: dict = {"files": len(files)}
        for field in ("rows_read", "rows_stored", "rows_quarantined"):
            totals[field] = sum(e[field] for e in files)
        all_reasons: dict[str, int] = {}
        for entry in files:
            for why, n in entry["reasons"].items():
                all_reasons[why] = all_reasons.get(why, 0) + n
        totals["reasons"] = _reason_counts(all_reasons)
        report.update(
            {
                "voldata_version": voldata.__version__,
                "files": files,
                "skipped_files": skipped,
                "skipped_sheets": skipped_sheets,
                "totals": totals,
                "tables": stored_rows,
            }
        )
        write_report(report, root)
        bar.set_postfix_str("done")
        bar.close()

    build_atomically(store, build, work=work)
    note(
        f"{report['totals']['rows_read']:,} rows read, {report['totals']['rows_stored']:,} stored, "
        f"{report['totals']['rows_quarantined']:,} quarantined → {store}"
    )
    return report


_PARENT_KEYS = sorted({(p, c) for spec in TABLES.values() for p, c in spec.references.values()})


def _check_table(
    spec: Table,
    raw: pl.DataFrame,
    *,
    parents: dict[str, pl.Series],
    relpaths: list[str],
    bar: tqdm,
    seen: SeenKeys | None = None,
    control_free: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, int]]:
    """Sort one file's rows (as :func:`_read` gives them) into stored and quarantined.

    ``seen`` holds the keys of the table's files checked before (call
    ``seen.commit`` afterwards to add this file's).

    Returns the stored rows (canonical columns), the quarantine entries,
    counts per file and reason (reason null = stored), and the ID and phone
    numbers masked in its free text, by kind.
    """
    bar.set_postfix_str(f"{spec.name}: checking {raw.height:,} rows")
    typed, reason, detail, masked = canonicalise(spec, raw, control_free=control_free)
    # Reference lookups do not depend on the duplicates: they run side by side.
    with ThreadPoolExecutor(max_workers=1) as pool:
        known = pool.submit(known_references, spec, typed, parents)
        reason, detail = mark_duplicates(spec, typed, reason, detail, seen=seen)
        reason, detail = mark_orphans(spec, typed, reason, detail, known.result())
    # (A clean table, the usual case, is stored without copying it.)
    stored = typed if reason.null_count() == len(reason) else typed.filter(reason.is_null())
    del typed
    rejected = quarantine_rows(spec, raw, reason, detail, relpaths)
    counts = (
        raw.select(pl.col("_file"), reason.alias("reason"))
        .group_by(["_file", "reason"])
        .len()
        .sort(["_file", "reason"], nulls_last=True)
    )
    return stored, rejected, counts, masked


def _naming_the_file(relpath: str, action: Callable, *args, **kwargs):
    """``action(*args, **kwargs)``, with any error but an IngestError turned into one naming the file."""
    try:
        return action(*args, **kwargs)
    except IngestError:
        raise
    except Exception as error:  # polars / calamine / OS errors on a malformed or unreadable file
        raise IngestError(f"{relpath}: cannot read ({type(error).__name__}: {error})") from None


def _plan(source: Source, key: bytes | None) -> Plan | None:
    return _naming_the_file(source.relpath, plan_source, source, key=key)


def _copy(plan: Plan, workdir: Path) -> Path:
    return _naming_the_file(plan.source.relpath, utf8_copy, plan, workdir)


def _read(plan: Plan, key: bytes, workdir: Path | None) -> pl.DataFrame:
    return _naming_the_file(plan.source.relpath, read_source, plan, key=key, workdir=workdir)
