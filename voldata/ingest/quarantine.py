"""Checks across rows (duplicates, orphans) and the quarantine table.

A table's staged rows (:func:`voldata.ingest.canonical.stage`) hold each row's value problem in ``_reason`` and
``_detail``; the checks across rows add ``_check``, the position in :func:`row_checks` of the first one a row fails.
"""

from __future__ import annotations

import polars as pl

from voldata.ingest.canonical import header_of, label, raw_column
from voldata.personal import mask_series
from voldata.schema import Table

__all__ = ["REASONS", "QUARANTINE_COLUMNS", "row_checks", "mark_across_rows", "with_reason", "quarantine_rows"]

# The quarantine's reason codes, in the report's order (the demo generator's fault list uses the same).
REASONS = (
    "control_character",  # a cell holds a control character (NUL, escape ...)
    "missing_value",  # a required value is blank
    "bad_date",  # a date or datetime that cannot be read
    "bad_number",  # hours, points or a head count that is not a number
    # Hours not in (0, 24], points not a whole number > 0, planned volunteers < 0 or not whole, a count that is an ID
    # or phone number, end before start, a date after the ingest date.
    "out_of_range",
    "unknown_district",  # a district name or code not in the reference table
    # A vocabulary word with no fall-back in the contract (category, target_group, record_method, status, txn_type).
    "unknown_value",
    "duplicate",  # the key or an alternate key was already seen (the first occurrence in input order is kept)
    "orphan",  # a referenced id does not exist in the parent table
)
QUARANTINE_COLUMNS = {
    "table": pl.String,
    "file": pl.String,
    "sheet": pl.String,
    "row_number": pl.Int64,
    "reason": pl.String,
    "detail": pl.String,
    "values": pl.String,
    "_file": pl.UInt32,
}


def row_checks(spec: Table) -> list[tuple[str, tuple[str, ...], str | None]]:
    """The checks across rows, in the order they apply: ``(reason, columns, parent "table.column" or None)``; first the
    key and each alternate key (``duplicate``), then each reference (``orphan``)."""
    duplicates = [("duplicate", names, None) for names in (spec.key, *spec.alternate_keys)]
    orphans = [("orphan", (column,), f"{t}.{c}") for column, (t, c) in spec.references.items()]
    return duplicates + orphans


def mark_across_rows(spec: Table, rows: pl.LazyFrame, parents: dict[str, pl.Series]) -> pl.DataFrame:
    """The staged rows that fail a check across rows: their ``_position`` and ``_check``, the first check each fails.

    ``rows`` are a table's staged rows in input order, numbered by ``_position``. Only rows without a value problem are
    checked, each check on the rows the checks before it left. A repeated key keeps its first occurrence; an alternate
    key only counts with all its parts present (manual records without a sign-in time are no duplicates). A reference is
    known when blank (a donation has no counterparty) or among ``parents`` (``"table.column"`` → its stored values).

    Each check reads only its key columns and streams: keys are hashed, and only the few rows whose hash repeats are
    compared by value, so the whole table is never held.
    """
    failed = pl.DataFrame(schema={"_position": pl.UInt32, "_check": pl.UInt8})
    for position, (reason, names, parent) in enumerate(row_checks(spec)):
        left = rows.filter(pl.col("_reason").is_null() & ~pl.col("_position").is_in(failed["_position"].implode()))
        if reason == "duplicate":
            if position > 0:
                left = left.filter(pl.all_horizontal(pl.col(n).is_not_null() for n in names))
            hashes = left.select("_position", pl.struct(names).hash().alias("_hash")).collect(engine="streaming")
            repeats = hashes.filter(pl.col("_hash").is_duplicated())["_position"]
            del hashes
            candidates = left.filter(pl.col("_position").is_in(repeats.implode())).select("_position", *names)
            candidates = candidates.collect(engine="streaming").sort("_position")
            found = candidates.filter(~pl.struct(names).is_first_distinct())
        else:
            known = parents.get(parent, pl.Series([], dtype=pl.String))
            column = pl.col(names[0])
            found = left.filter(column.is_not_null() & ~column.is_in(known.implode())).collect(engine="streaming")
        found = found.select(pl.col("_position").cast(pl.UInt32), pl.lit(position, dtype=pl.UInt8).alias("_check"))
        failed = pl.concat([failed, found])
    return failed.sort("_position")


def with_reason(spec: Table, rows: pl.LazyFrame) -> pl.LazyFrame:
    """Staged rows with ``_check`` → the same rows with ``reason``: a row's first problem, null if stored."""
    late = {position: reason for position, (reason, _, _) in enumerate(row_checks(spec))}
    found = pl.col("_check").replace_strict(late, default=None, return_dtype=pl.String)
    return rows.with_columns(pl.coalesce("_reason", found).alias("reason"))


def quarantine_rows(spec: Table, rows: pl.LazyFrame, relpaths: list[str]) -> pl.DataFrame:
    """The quarantine entries of one table's rows (with ``reason``): where each rejected row was, why, its values.

    ``values`` is a JSON object keyed by the Chinese header, of the raw text of the canonical non-PII columns only (the
    ID number was dropped when read; names, phones and unknown columns were never read). Values, sheet name and detail
    have ID and phone numbers masked: a row with shifted cells (a missing name) carries them in other columns. ``_file``
    (input order) is kept for sorting.
    """
    # The detail of a duplicate or orphan (made for the quarantined rows only), from ``_check`` and the typed values.
    schema = rows.collect_schema()
    detail = pl.lit(None, dtype=pl.String)
    for position, (reason, names, parent) in reversed(list(enumerate(row_checks(spec)))):
        named = label(*map(spec.column, names))
        if reason == "orphan":
            text = pl.format(f"{named} = '{{}}' not in {parent.split('.')[0]}", pl.col(names[0]))
        elif "person_key" in names:  # a pseudonym says nothing to the reader
            text = pl.lit(f"{named} seen before")
        else:
            quoted = ", ".join("'{}'" for _ in names)
            texts = [pl.col(n).dt.to_string("%Y-%m-%d %H:%M:%S") if schema[n] == pl.Datetime else n for n in names]
            text = pl.format(f"{named} = {quoted} seen before", *texts)
        detail = pl.when(pl.col("_check") == position).then(text).otherwise(detail)
    raw_columns = [c for c in spec.columns if c.headers and not c.derived_from_id]
    picked = (
        rows.filter(pl.col("reason").is_not_null())
        .with_columns(pl.coalesce("_detail", detail).alias("_detail"))
        .select("_file", "_sheet", "_row", "reason", "_detail", *(raw_column(c.name) for c in raw_columns))
        .collect(engine="streaming")
    )
    picked = picked.with_columns(
        mask_series(picked.get_column(name))[0]
        for name in ["_sheet", "_detail", *(raw_column(c.name) for c in raw_columns)]
    )
    return picked.select(
        pl.lit(spec.name).alias("table"),
        pl.col("_file").replace_strict(dict(enumerate(relpaths)), return_dtype=pl.String).alias("file"),
        pl.col("_sheet").alias("sheet"),
        pl.col("_row").alias("row_number"),
        pl.col("reason"),
        pl.col("_detail").fill_null("").alias("detail"),
        pl.struct([pl.col(raw_column(c.name)).fill_null("").alias(header_of(c)) for c in raw_columns])
        .struct.json_encode()
        .alias("values"),
        pl.col("_file"),
    ).cast(QUARANTINE_COLUMNS)
