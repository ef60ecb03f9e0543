"""One table's raw text → typed canonical columns, with the first problem of each row.

The rules come from the data contract; :mod:`voldata.ingest.values` does the
parsing. A row's reason is the first problem met, column by column in store
order, then the checks across columns (end before start, a missing
counterparty).
"""
from __future__ import annotations

import polars as pl

from voldata.ingest import values as v
from voldata.schema import Column, Table

__all__ = ["canonicalise", "header_of"]

_POINTS_MINIMUM = {"points": 1, "planned_volunteers": 0}
# Transaction types that need a counterparty account.
_NEEDS_COUNTERPARTY = ("deposit", "withdrawal", "transfer")


def header_of(column: Column) -> str:
    """The Chinese header of a canonical column (the first the contract lists)."""
    return column.headers[0] if column.headers else column.name


def _label(column: Column) -> str:
    return f"{header_of(column)} ({column.name})"


def _problem(mask: pl.Series, reason: str, detail: pl.Expr | str) -> tuple[pl.Expr, pl.Expr]:
    detail = pl.lit(detail) if isinstance(detail, str) else detail
    return pl.when(pl.lit(mask)).then(pl.lit(reason)), pl.when(pl.lit(mask)).then(detail)


def _value_detail(column: Column, raw: str, what: str = "") -> pl.Expr:
    suffix = f" {what}" if what else ""
    return pl.format(f"{_label(column)} = '{{}}'{suffix}", pl.col(raw))


def canonicalise(spec: Table, raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series, pl.Series]:
    """Typed canonical columns of ``spec`` from its raw text, and each row's first problem.

    Parameters
    ----------
    spec : Table
        The canonical table.
    raw : polars.DataFrame
        As :func:`voldata.ingest.readers.read_source` returns it.

    Returns
    -------
    (DataFrame, Series, Series)
        The canonical columns in store order (plus ``_id_*`` helpers dropped);
        ``reason`` (null when the row is fine) and ``detail`` per row.
    """
    typed: dict[str, pl.Series] = {}
    problems: list[tuple[pl.Expr, pl.Expr]] = []
    for column in spec.columns:
        name = column.name
        if column.derived_from_id:
            if name == "person_key":
                typed[name] = raw.get_column("person_key")
                if column.required:
                    problems.append(
                        _problem(typed[name].is_null(), "missing_value", f"{_label(column)} is blank")
                    )
            else:
                typed[name] = raw.get_column(name)
            continue
        series = raw.get_column(name)
        status = None
        if column.kind == "str":
            typed[name] = v.clean_identifier(series) if name.endswith("_id") else v.clean_text(series)
        elif column.kind == "code" and column.vocabulary == "district_code":
            typed[name], status = v.parse_district(series)
            bad_reason = "unknown_district"
        elif column.kind == "code":
            typed[name], status = v.parse_code(series, vocabulary=column.vocabulary)
            bad_reason = "unknown_value"
        elif column.kind == "bool":
            typed[name] = v.parse_flag(series)
        elif column.kind == "int":
            typed[name], status = v.parse_whole(series, minimum=_POINTS_MINIMUM.get(name, 0))
            bad_reason = "bad_number"
        elif column.kind == "float":
            typed[name], status = v.parse_hours(series)
            bad_reason = "bad_number"
        elif column.kind == "year":
            typed[name], status = v.parse_birth_year(series)
            bad_reason = "bad_date"
        elif column.kind == "date":
            typed[name], status = v.parse_date(series)
            bad_reason = "bad_date"
        elif column.kind == "datetime":
            typed[name], status = v.parse_datetime(series)
            bad_reason = "bad_date"
        else:  # pragma: no cover - schema kinds are fixed
            raise ValueError(f"unknown kind {column.kind!r}")
        if column.required:
            blank = (series.str.strip_chars().str.len_bytes() == 0).fill_null(True)
            problems.append(_problem(blank, "missing_value", f"{_label(column)} is blank"))
        if status is not None:
            problems.append(_problem(status == v.BAD, bad_reason, _value_detail(column, name)))
            problems.append(_problem(status == v.OUT_OF_RANGE, "out_of_range", _value_detail(column, name, "out of range")))

    columns = set(spec.column_names)
    if "id_type" in columns:
        # Only 居民身份证 numbers are checked: other documents have no check digit.
        other = (typed["id_type"] == "other_id").fill_null(False)
        typed["id_valid"] = typed["id_valid"].to_frame().select(pl.when(~pl.lit(other)).then(pl.col("id_valid"))).to_series()
    else:
        other = pl.Series([False] * raw.height)
    if "gender" in columns:
        from_id = raw.get_column("_id_gender").to_frame().select(pl.when(~pl.lit(other)).then(pl.col("_id_gender"))).to_series()
        typed["gender"] = typed["gender"].fill_null(from_id)
    if "birth_year" in columns:
        from_id = raw.get_column("_id_birth_year").to_frame().select(pl.when(~pl.lit(other)).then(pl.col("_id_birth_year"))).to_series()
        typed["birth_year"] = typed["birth_year"].fill_null(from_id)
    if spec.name == "activities":
        backwards = (typed["end_at"] < typed["start_at"]).fill_null(False)
        problems.append(
            _problem(
                backwards,
                "out_of_range",
                pl.format("结束时间 (end_at) = '{}' is before 开始时间 (start_at) = '{}'", pl.col("end_at"), pl.col("start_at")),
            )
        )
    if spec.name == "timebank_transactions":
        needs = typed["txn_type"].is_in(_NEEDS_COUNTERPARTY).fill_null(False)
        lacking = needs & typed["counterparty_account_id"].is_null()
        problems.append(_problem(lacking, "missing_value", "对方账户编号 (counterparty_account_id) is blank"))

    frame = pl.DataFrame([typed[name].alias(name) for name in spec.column_names])
    if not problems:
        none = pl.Series("reason", [None] * raw.height, dtype=pl.String)
        return frame, none, none.alias("detail")
    checked = raw.select(
        pl.coalesce([p[0] for p in problems]).alias("reason"),
        pl.coalesce([p[1] for p in problems]).alias("detail"),
    )
    return frame, checked.get_column("reason"), checked.get_column("detail")
