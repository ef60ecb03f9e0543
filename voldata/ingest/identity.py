"""Pseudonymisation: ID numbers become keyed person keys and never go further.

``person_key`` = HMAC-SHA256 (hex) of the normalised ID number (NFKC, no
whitespace, upper-case ``X``) under a secret key the user supplies. The same
key gives the same person key in every table and year, so sources link
without the ID number being stored. There is no default key: without one,
ingest refuses to run.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import polars as pl

__all__ = [
    "KEY_ENV",
    "load_key",
    "key_fingerprint",
    "pseudonymise",
    "resident_id_valid",
    "ID_NUMBER",
]

KEY_ENV = "VOLDATA_KEY"
# Internal column holding the raw ID number between reading and pseudonymising.
ID_NUMBER = "_id_number"
# GB 11643-1999: weights of the first 17 digits and the check character for (sum mod 11).
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_RESIDENT_ID_PATTERN = r"^\d{17}[\dX]$"


def load_key(key_file: str | Path | None = None, *, environ: dict | None = None) -> bytes:
    """The pseudonymisation key: the stripped text of ``key_file``, else ``$VOLDATA_KEY``.

    Raises
    ------
    ValueError
        No key anywhere, an empty key, or an unreadable key file. There is
        never a default key.
    """
    environ = os.environ if environ is None else environ
    if key_file is not None:
        path = Path(key_file)
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"cannot read the key file {path}: {error}") from None
        if not text:
            raise ValueError(f"the key file {path} is empty")
        return text.encode("utf-8")
    text = environ.get(KEY_ENV, "").strip()
    if not text:
        raise ValueError(
            f"no pseudonymisation key: set ${KEY_ENV} or pass --key-file FILE "
            "(keep the key secret and keep it: the same key links people across ingests)"
        )
    return text.encode("utf-8")


def _as_bytes(key: str | bytes) -> bytes:
    key = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not key.strip():
        raise ValueError("the pseudonymisation key is empty")
    return key


def key_fingerprint(key: str | bytes) -> str:
    """First 8 hex digits of HMAC(key, "voldata"): tells stores built with different keys apart."""
    return hmac.new(_as_bytes(key), b"voldata", hashlib.sha256).hexdigest()[:8]


def _hmac_many(key: bytes, values: list[str]) -> list[str]:
    """HMAC-SHA256 hex of many short values.

    Equivalent to ``hmac.new(key, v, sha256).hexdigest()``; the padded key
    blocks are hashed once and copied, which halves the cost per value.
    """
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    out = []
    for value in values:
        h = inner.copy()
        h.update(value.encode("utf-8"))
        o = outer.copy()
        o.update(h.digest())
        out.append(o.hexdigest())
    return out


def normalise_id_number(series: pl.Series) -> pl.Series:
    """NFKC, all whitespace removed, ``x`` upper-cased; blank becomes null."""
    plain = series.str.contains(r"^[0-9A-Za-z]*$").fill_null(True)
    if not plain.all():
        # Full-width digits and spaces are rare: only then pay for NFKC.
        series = series.str.normalize("NFKC").str.replace_all(r"\s+", "")
    series = series.str.to_uppercase()
    return series.to_frame("id").select(
        pl.when(pl.col("id").str.len_bytes() > 0).then(pl.col("id")).alias(series.name)
    ).to_series()


def resident_id_valid(ids: pl.Series) -> pl.Series:
    """GB 11643 check of normalised ID numbers: 18 characters, 17 digits, the right check character.

    Null in, null out.
    """
    frame = ids.to_frame("id")
    shaped = pl.col("id").str.contains(_RESIDENT_ID_PATTERN)
    digits = [pl.col("id").str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(_WEIGHTS)]
    expected = pl.lit(_CHECK_CHARS).str.slice((pl.sum_horizontal(digits) % 11).cast(pl.Int64), 1)
    valid = (
        pl.when(pl.col("id").is_null())
        .then(None)
        .when(shaped)
        .then(pl.col("id").str.slice(17, 1) == expected)
        .otherwise(False)
    )
    return frame.select(valid.alias("id_valid")).to_series()


def pseudonymise(frame: pl.DataFrame, *, key: bytes, id_type: pl.Series | None = None) -> pl.DataFrame:
    """Replace the raw ID number column by ``person_key`` and what it says.

    Adds ``person_key`` (HMAC hex, null when the ID number is blank),
    ``id_valid`` (GB 11643 check; null for ID types other than 居民身份证 and
    for blank numbers), ``_id_gender`` ("M"/"F" from the 17th digit) and
    ``_id_birth_year`` (digits 7-10), both only from numbers that pass the
    check. Drops the ID number column: nothing after this sees it.

    Parameters
    ----------
    frame : polars.DataFrame
        Holds the raw ID numbers in column ``_id_number`` (text).
    key : bytes
        The pseudonymisation key.
    id_type : polars.Series, optional
        Canonical ID types ({"resident_id", "other_id"} or null) per row; rows
        with "other_id" are not checked against GB 11643.
    """
    ids = normalise_id_number(frame.get_column(ID_NUMBER))
    unique_ids = ids.drop_nulls().unique()
    hashed = pl.Series(_hmac_many(key, unique_ids.to_list()), dtype=pl.String)
    person_key = ids.replace_strict(unique_ids, hashed, default=None, return_dtype=pl.String)
    valid = resident_id_valid(ids)
    if id_type is not None:
        valid = pl.select(pl.when(id_type == "other_id").then(None).otherwise(valid)).to_series()
    trusted = valid.fill_null(False)
    gender_digit = ids.str.slice(16, 1).cast(pl.Int32, strict=False)
    gender = pl.select(
        pl.when(trusted & gender_digit.is_not_null())
        .then(pl.when(gender_digit % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F")))
        .otherwise(None)
    ).to_series()
    birth_year = pl.select(
        pl.when(trusted).then(ids.str.slice(6, 4).cast(pl.Int16, strict=False)).otherwise(None)
    ).to_series()
    return frame.drop(ID_NUMBER).with_columns(
        person_key.alias("person_key"),
        valid.alias("id_valid"),
        gender.alias("_id_gender"),
        birth_year.alias("_id_birth_year"),
    )
