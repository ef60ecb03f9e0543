"""One table's raw text → a staged table: typed canonical columns, with the first problem of each row.

The rules come from the data contract; :mod:`voldata.ingest.values` does the parsing. A row's reason is the first
problem met, column by column in store order, then the checks across columns (end before start, a missing counterparty).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import polars as pl

from voldata.ingest import values as v
from voldata.personal import KINDS, mask_series
from voldata.schema import Column, Table

__all__ = ["stage", "header_of", "label", "raw_column", "is_free_text", "CONTROL_CHARACTERS"]

# Control characters (C0 but tab and line breaks, DEL, C1): never text an export means to hold.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_SERIAL_LIKE = r"^\s*[0-9]{1,6}(?:\.[0-9]+)?\s*$"  # where a date belongs: an Excel serial, read from workbooks only


def header_of(column: Column) -> str:
    """The Chinese header of a canonical column (the first the contract lists)."""
    return column.headers[0] if column.headers else column.name


def raw_column(name: str) -> str:
    """The staged column holding a canonical column's raw export text (kept for the quarantine)."""
    return f"_raw_{name}"


def label(*columns: Column) -> str:
    """How messages name columns: ``开始时间 (start_at) + ...``."""
    return " + ".join(f"{header_of(column)} ({column.name})" for column in columns)


def _value_detail(column: Column, what: str = "") -> pl.Expr:
    suffix = f" {what}" if what else ""
    return pl.format(f"{label(column)} = '{{}}'{suffix}", pl.col(column.name))


def is_free_text(column: Column) -> bool:
    """Titles, names, streets, service items: text that is not an identifier or a code."""
    return column.kind == "str" and not column.name.endswith("_id") and not column.derived_from_id


def _parse_column(column: Column, series: pl.Series) -> tuple[pl.Series, pl.Series | None, str | None]:
    """Typed values of one column, the parse status per row, and the reason a BAD status means."""
    name, kind = column.name, column.kind
    if kind == "str":
        return (v.clean_identifier(series) if name.endswith("_id") else v.clean_text(series)), None, None
    if kind == "code":
        unknown = "unknown_district" if column.vocabulary == "district_code" else "unknown_value"
        return *v.parse_code(series, vocabulary=column.vocabulary), unknown
    if kind == "bool":
        return v.parse_flag(series), None, None
    if kind == "int":
        return *v.parse_whole(series, minimum=1 if name == "points" else 0), "bad_number"
    if kind == "float":
        return *v.parse_hours(series), "bad_number"
    parse_dates = {"year": v.parse_birth_year, "date": v.parse_date, "datetime": v.parse_datetime}[kind]
    return *parse_dates(series), "bad_date"


def stage(spec: Table, raw: pl.DataFrame, *, today: dt.date, control_free: bool = False) -> tuple[pl.DataFrame, dict]:
    """One file's rows, read (:func:`voldata.ingest.readers.read_source`), as a staged table, and the numbers masked.

    The staged table holds where each row came from (``_file``, ``_sheet``, ``_row``), the typed canonical columns in
    store order, the row's first value problem (``_reason``, ``_detail``; null if none) and, for the quarantine, the raw
    text of every column read from a header (:func:`raw_column`). A date after ``today`` (the run's) is out of range.
    ``control_free``: the file is known to hold no control character, so its cells are not looked into for one. The
    numbers masked are how many ID and phone numbers the free text had, by kind.
    """
    typed: dict[str, pl.Series] = {}
    problems: list[tuple[pl.Expr, pl.Expr]] = []
    masked: Counter = Counter()

    def flag(mask: pl.Series, reason: str, detail: pl.Expr | str) -> None:
        """One kind of problem: its reason and detail where ``mask``; none if no row has it (details cost per row)."""
        if mask.any():
            detail = pl.lit(detail) if isinstance(detail, str) else detail
            problems.append((pl.when(pl.lit(mask)).then(pl.lit(reason)), pl.when(pl.lit(mask)).then(detail)))

    # Control characters (NUL included) in any cell read, the ID number's included: the row is not stored.
    for column in () if control_free else [c for c in spec.columns if c.name == "person_key" or not c.derived_from_id]:
        if column.name == "person_key":
            bad = raw.get_column("_id_control")
        else:
            bad = raw.get_column(column.name).str.contains(CONTROL_CHARACTERS).fill_null(False)
        flag(bad, "control_character", f"{label(column)} holds a control character")
    parsed = {c.name: _parse_column(c, raw.get_column(c.name)) for c in spec.columns if not c.derived_from_id}
    for column in spec.columns:
        name = column.name
        if column.derived_from_id:
            typed[name] = raw.get_column(name)
            if name == "person_key" and column.required:
                flag(typed[name].is_null(), "missing_value", f"{label(column)} is blank")
            continue
        typed[name], status, bad_reason = parsed[name]
        if is_free_text(column):
            typed[name], found = mask_series(typed[name])
            masked.update(found)
        if column.kind == "int":
            # A shifted row can put a phone or ID number where a count belongs, and it would parse: not stored.
            scrubbed, found = mask_series(raw.get_column(name))
            if found:
                holds = (scrubbed != raw.get_column(name)).fill_null(False)
                flag(holds, "out_of_range", _value_detail(column, "is an ID or phone number, not a count"))
        if column.required:
            # Every parser gives null with an OK status exactly for blank text.
            blank = typed[name].is_null() if status is None else (typed[name].is_null() & (status == v.OK))
            flag(blank, "missing_value", f"{label(column)} is blank")
        if status is not None and column.kind in ("date", "datetime", "year"):
            serial = (status == v.BAD) & raw.get_column(name).str.contains(_SERIAL_LIKE).fill_null(False)
            what = "is a number, not a date (serial dates are read from workbook cells)"
            flag(serial, "bad_date", _value_detail(column, what))
            if column.kind == "year":  # a birth year after this year
                later = typed[name] > today.year
            else:
                later = (typed[name].dt.date() if column.kind == "datetime" else typed[name]) > today
            flag(later.fill_null(False), "out_of_range", _value_detail(column, f"is after the ingest date {today}"))
        if status is not None:
            flag(status == v.BAD, bad_reason, _value_detail(column))
            flag(status == v.OUT_OF_RANGE, "out_of_range", _value_detail(column, "out of range"))

    # Only 居民身份证 numbers are checked (other documents have no check digit), and only they tell gender and year.
    other = (typed["id_type"] == "other_id").fill_null(False) if "id_type" in typed else pl.lit(False)
    if "id_valid" in typed:
        typed["id_valid"] = raw.select(pl.when(~other).then(pl.col("id_valid"))).to_series()
    for name in ("gender", "birth_year"):
        if name in typed:
            typed[name] = typed[name].fill_null(raw.select(pl.when(~other).then(pl.col(f"_id_{name}"))).to_series())
    if spec.name == "activities":
        backwards = (typed["end_at"] < typed["start_at"]).fill_null(False)
        text = "结束时间 (end_at) = '{}' is before 开始时间 (start_at) = '{}'"
        flag(backwards, "out_of_range", pl.format(text, pl.col("end_at"), pl.col("start_at")))
    if spec.name == "timebank_transactions":
        needs = typed["txn_type"].is_in(("deposit", "withdrawal", "transfer")).fill_null(False)
        lacking = needs & typed["counterparty_account_id"].is_null()
        flag(lacking, "missing_value", "对方账户编号 (counterparty_account_id) is blank")

    problems = problems or [(pl.repeat(None, raw.height, dtype=pl.String),) * 2]
    reason = pl.coalesce([p[0] for p in problems]).alias("_reason")
    detail = pl.coalesce([p[1] for p in problems]).alias("_detail")
    raw_text = [pl.col(c.name).alias(raw_column(c.name)) for c in spec.columns if c.headers and not c.derived_from_id]
    typed_columns = [typed[name].alias(name) for name in spec.column_names]
    staged = raw.select("_file", "_sheet", "_row", *typed_columns, reason, detail, *raw_text)
    return staged, {kind: masked[kind] for kind in KINDS if masked[kind]}
