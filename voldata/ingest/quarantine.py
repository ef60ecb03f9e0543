"""Checks across rows (duplicates, orphans) and the quarantine table.

Quarantine ``reason`` codes (the demo generator's fault list uses the same):

``control_character`` a cell holds a control character (NUL, escape ...)
``missing_value``     a required value is blank
``bad_date``          a date or datetime that cannot be read
``bad_number``        hours, points or a head count that is not a number
``out_of_range``      hours not in (0, 24], points not a whole number > 0,
                      planned volunteers < 0 or not whole, a count that is
                      an ID or phone number, end before start,
                      a date after the ingest date
``unknown_district``  a district name or code not in the reference table
``unknown_value``     a vocabulary word with no fall-back in the contract
                      (category, target_group, record_method, status, txn_type)
``duplicate``         the key or an alternate key was already seen (the first
                      occurrence in input order is kept)
``orphan``            a referenced id does not exist in the parent table
"""

from __future__ import annotations

import functools
import operator
import uuid
from pathlib import Path

import polars as pl

from voldata.ingest.canonical import header_of
from voldata.personal import mask_series
from voldata.schema import Table

__all__ = [
    "REASONS",
    "strictly_increasing",
    "SeenKeys",
    "mark_duplicates",
    "known_references",
    "mark_orphans",
    "quarantine_rows",
]

REASONS = (
    "control_character",
    "missing_value",
    "bad_date",
    "bad_number",
    "out_of_range",
    "unknown_district",
    "unknown_value",
    "duplicate",
    "orphan",
)


def _label(spec: Table, names: tuple[str, ...]) -> str:
    return " + ".join(f"{header_of(spec.column(n))} ({n})" for n in names)


def _as_text(dtype: pl.DataType, name: str) -> pl.Expr:
    if dtype == pl.Datetime:
        return pl.col(name).dt.to_string("%Y-%m-%d %H:%M:%S")
    return pl.col(name).cast(pl.String)


def strictly_increasing(column: pl.Series) -> bool:
    """Whether every value is greater than the one before (no nulls): then all are distinct and sorted."""
    if column.null_count() or column.dtype == pl.Boolean:
        return False
    if len(column) < 2:
        return True
    return bool((column.slice(1) > column.slice(0, len(column) - 1)).all())


class _Seen:
    """The key rows one earlier file added to a key, their hashes, and (spilled) where the rows are."""

    def __init__(self, keys: pl.DataFrame, hashes: pl.Series | None, spill: Path | None):
        self.hashes = hashes
        self.bounds = _bounds(keys)
        self.path: Path | None = None
        self.frame: pl.DataFrame | None = keys
        if spill is not None:
            # Only the hashes stay in memory; the rows are read back in the
            # rare case that a later key's hash matches one of them.
            spill.mkdir(parents=True, exist_ok=True)
            self.path = spill / f"{uuid.uuid4().hex}.arrow"
            keys.write_ipc(self.path, compression="uncompressed")
            self.frame = None

    def rows(self) -> pl.DataFrame:
        return self.frame if self.frame is not None else pl.read_ipc(self.path)

    def key_hashes(self) -> pl.Series:
        if self.hashes is None:
            self.hashes = _key_hashes(self.rows())
        return self.hashes


class SeenKeys:
    """The keys of one table seen in its earlier files, so files can be checked one at a time.

    For each key (position 0 = ``spec.key``, then the alternate keys) it
    holds, per earlier file, the key values of the rows that counted as seen
    (the stored rows, and the few rows quarantined later for another
    reason) with their hashes. With ``spill``, a folder, the key values are
    written there and only the hashes kept in memory. A single-column key
    that keeps increasing from file to file (yearly exports with
    year-numbered keys) is checked against its last value only, and hashed
    only if the chain breaks.
    """

    def __init__(self, spec: Table, *, spill: Path | None = None):
        self.keys = (spec.key, *spec.alternate_keys)
        self.spill = spill
        self.entries: list[list[_Seen]] = [[] for _ in self.keys]
        # Per key: last value of a strictly increasing chain of single-column keys; _BROKEN once it breaks.
        self.last: list[object] = [None] * len(self.keys)
        # Per key, for the file being checked: the key values and hashes (or None) of the rows not repeating.
        self._contributed: list[tuple[pl.DataFrame, pl.Series | None] | None] = [None] * len(self.keys)

    def commit(self, *, more_files: bool = True) -> None:
        """Remember the keys of the file just checked (nothing to remember if no file of the table follows)."""
        for position, contributed in enumerate(self._contributed):
            self._contributed[position] = None
            if contributed is not None and more_files and contributed[0].height:
                self.entries[position].append(_Seen(*contributed, self.spill))

    def repeats(self, position: int, keys: pl.DataFrame) -> pl.Series:
        """Rows of ``keys`` (the file's rows still fine) whose key was seen before, in this file or an earlier one."""
        names = keys.columns
        last = self.last[position]
        column = keys.get_column(names[0]) if len(names) == 1 else None
        increasing = column is not None and column.dtype == pl.String and strictly_increasing(column)
        hashes = None
        if increasing and (
            not self.entries[position] or (last is not None and last is not _BROKEN and column[0] > last)
        ):
            # Exports usually list rows by their key: then no key repeats, and
            # one comparison of neighbours (and with the last file's last key)
            # proves it far faster than hashing.
            repeat = pl.repeat(False, keys.height, eager=True)
            chained = True
        else:
            hashes = _key_hashes(keys)
            repeat = self._repeats_after(position, keys, hashes)
            chained = False
        if column is not None:
            self.last[position] = column[-1] if chained else _BROKEN
        if repeat.any():
            keys, hashes = keys.filter(~repeat), None if hashes is None else hashes.filter(~repeat)
        self._contributed[position] = (keys, hashes)
        return repeat

    def _repeats_after(self, position: int, keys: pl.DataFrame, hashes: pl.Series) -> pl.Series:
        names = keys.columns
        # An earlier file whose values of some key column all lie outside this
        # file's range (yearly exports: sign-in times of another year) cannot
        # hold a repeat: its hashes are not even looked at.
        bounds = _bounds(keys)
        earlier = [entry for entry in self.entries[position] if _overlap(entry.bounds, bounds)]
        # Sorting tells whether any hash repeats within the file several times
        # faster than counting them; usually none does.
        ordered = hashes.sort()
        if len(ordered) > 1 and (ordered.slice(1) == ordered.slice(0, len(ordered) - 1)).any():
            repeating = ~hashes.is_unique()
        else:
            repeating = pl.repeat(False, len(hashes), eager=True)
        del ordered
        if earlier:
            seen = pl.concat([entry.key_hashes() for entry in earlier])
            repeating |= hashes.is_in(seen.implode())
        candidates = repeating.arg_true()
        repeat = pl.repeat(False, keys.height, eager=True)
        if len(candidates) == 0:
            return repeat
        # Rows whose hash repeats are compared exactly, so a hash collision
        # can never make a row a duplicate. Earlier files' rows are distinct
        # from each other and all come first.
        wanted = hashes.gather(candidates).implode()
        previous = [entry.rows().filter(entry.key_hashes().is_in(wanted)) for entry in earlier]
        combined = pl.concat([*previous, keys.gather(candidates)], how="vertical")
        first = combined.select(pl.struct(names).is_first_distinct()).to_series().tail(len(candidates))
        return repeat.scatter(candidates.filter(~first), True)


_BROKEN = object()


def _bounds(keys: pl.DataFrame) -> list[tuple]:
    """Smallest and largest value of each key column."""
    return [(column.min(), column.max()) for column in keys.get_columns()]


def _overlap(these: list[tuple], those: list[tuple]) -> bool:
    """Whether two sets of key rows can share a key: every column's ranges meet."""
    return all(
        low is not None and other_low is not None and low <= other_high and other_low <= high
        for (low, high), (other_low, other_high) in zip(these, those)
    )


# Odd 64-bit multipliers that mix the column hashes of a key (wrapping arithmetic).
_MIXERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5)


def _key_hashes(keys: pl.DataFrame) -> pl.Series:
    """A 64-bit hash per key row (equal keys, equal hashes; rows are compared exactly where hashes meet).

    Column hashes mixed by multiply-and-xor cost a quarter of hashing the
    rows as structs.
    """
    mixed = [
        pl.col(name).hash(seed=position) * pl.lit(_MIXERS[position % len(_MIXERS)], dtype=pl.UInt64)
        for position, name in enumerate(keys.columns)
    ]
    return keys.select(functools.reduce(operator.xor, mixed).alias("h")).get_column("h")


def mark_duplicates(
    spec: Table, frame: pl.DataFrame, reason: pl.Series, detail: pl.Series, *, seen: SeenKeys | None = None
) -> tuple[pl.Series, pl.Series]:
    """Mark repeats of the key and of each alternate key among rows still fine.

    ``frame`` is in input order, so the first occurrence is the one kept.
    Alternate keys only count when all their parts are present (two manual
    records of one volunteer at one activity without sign-in times are not
    duplicates of each other). With ``seen``, keys of the table's earlier
    files count as seen too (call ``seen.commit`` once the file is checked).
    """
    if seen is None:
        seen = SeenKeys(spec)
    for position, names in enumerate((spec.key, *spec.alternate_keys)):
        fine = reason.is_null()
        if position > 0:
            for name in names:
                fine = fine & frame.get_column(name).is_not_null()
        rows = fine.arg_true()
        if len(rows) == 0:
            continue
        keys = frame.select(list(names))
        if len(rows) < frame.height:
            keys = keys.gather(rows)
        repeat = seen.repeats(position, keys)
        repeat_rows = rows.filter(repeat)
        if len(repeat_rows) == 0:
            continue
        shown = [n for n in names if n != "person_key"]  # a pseudonym says nothing to the reader
        if shown == list(names):
            text = (
                keys.filter(repeat)
                .select(
                    pl.format(
                        f"{_label(spec, names)} = " + ", ".join("'{}'" for _ in names) + " seen before",
                        *[_as_text(keys.schema[n], n) for n in names],
                    )
                )
                .to_series()
            )
        else:
            text = pl.Series([f"{_label(spec, names)} seen before"] * len(repeat_rows))
        reason = reason.scatter(repeat_rows, "duplicate")
        detail = detail.scatter(repeat_rows, text)
    return reason, detail


def known_references(spec: Table, frame: pl.DataFrame, parents: dict[str, pl.Series]) -> dict[str, pl.Series]:
    """For each reference column, whether each row's value exists among the parent's stored keys.

    ``parents`` maps a parent ``"table.column"`` to its stored key values.
    Blank references count as known (a donation has no counterparty).
    Independent of the other checks, so it can run while duplicates are marked.
    """
    known = {}
    for column, (parent_table, parent_column) in spec.references.items():
        values = frame.get_column(column)
        keys = parents.get(f"{parent_table}.{parent_column}", pl.Series([], dtype=pl.String))
        # A (parallel) semi-join finds the rows whose value exists several
        # times faster than ``is_in`` over millions of parent keys.
        found = (
            values.to_frame("value")
            .with_row_index("row")
            .join(keys.rename("value").to_frame(), on="value", how="semi")
            .get_column("row")
        )
        known[column] = values.is_null() | pl.repeat(False, len(values), eager=True).scatter(found, True)
    return known


def mark_orphans(
    spec: Table,
    frame: pl.DataFrame,
    reason: pl.Series,
    detail: pl.Series,
    known: dict[str, pl.Series],
) -> tuple[pl.Series, pl.Series]:
    """Mark rows still fine whose references do not exist in the parent table (see :func:`known_references`)."""
    for column, (parent_table, _) in spec.references.items():
        orphan = reason.is_null() & ~known[column]
        rows = orphan.arg_true()
        if len(rows) == 0:
            continue
        text = (
            frame.get_column(column)
            .gather(rows)
            .to_frame("v")
            .select(pl.format(f"{_label(spec, (column,))} = '{{}}' not in {parent_table}", pl.col("v")))
            .to_series()
        )
        reason = reason.scatter(rows, "orphan")
        detail = detail.scatter(rows, text)
    return reason, detail


def quarantine_rows(
    spec: Table,
    raw: pl.DataFrame,
    reason: pl.Series,
    detail: pl.Series,
    relpaths: list[str],
) -> pl.DataFrame:
    """The quarantine entries of one table: where each rejected row was, why, and its raw non-PII values.

    ``values`` is a JSON object keyed by the Chinese header, holding only the
    canonical non-PII columns (the ID number was dropped when the file was
    read; names, phones and unknown columns were never selected). Every
    value and the detail have their ID and phone numbers masked: a row whose
    cells are shifted (a missing name) carries them in other columns.
    """
    rows = reason.is_not_null()
    if not rows.any():
        return pl.DataFrame(
            schema={
                "table": pl.String,
                "file": pl.String,
                "sheet": pl.String,
                "row_number": pl.Int64,
                "reason": pl.String,
                "detail": pl.String,
                "values": pl.String,
                "_file": pl.UInt32,
            }
        )
    raw_columns = [c for c in spec.columns if c.headers and not c.derived_from_id]
    picked = raw.filter(rows).with_columns(reason.filter(rows).alias("_reason"), detail.filter(rows).alias("_detail"))
    picked = picked.with_columns(
        mask_series(picked.get_column(name))[0] for name in ["_sheet", "_detail", *(c.name for c in raw_columns)]
    )
    files = pl.Series("relpath", relpaths, dtype=pl.String)
    return picked.select(
        pl.lit(spec.name).alias("table"),
        pl.col("_file").map_batches(lambda s: files.gather(s), return_dtype=pl.String).alias("file"),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").alias("row_number"),
        pl.col("_reason").alias("reason"),
        pl.col("_detail").fill_null("").alias("detail"),
        pl.struct([pl.col(c.name).fill_null("").alias(header_of(c)) for c in raw_columns])
        .struct.json_encode()
        .alias("values"),
        pl.col("_file"),
    )
