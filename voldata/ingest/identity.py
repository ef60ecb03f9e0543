"""Pseudonymisation: ID numbers become keyed person keys and never go further.

``person_key`` = HMAC-SHA256 (hex) of the normalised ID number (NFKC, no whitespace, upper-case ``X``) under a secret
key the user supplies. The same key gives the same person key in every table and year, so sources link without the ID
number being stored. There is no default key: without one, ingest refuses to run.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import polars as pl

from voldata.ingest.values import clean_identifier
from voldata.personal import check_characters

__all__ = ["KEY_ENV", "KEY_MINIMUM", "load_key", "pseudonymise", "resident_id_valid", "ID_NUMBER"]

KEY_ENV = "VOLDATA_KEY"
# Characters a key needs at least (a 32-character hex key holds 16 random bytes): a short key can be guessed.
KEY_MINIMUM = 32
ID_NUMBER = "_id_number"  # the raw ID number's column between reading and pseudonymising


def load_key(key_file: str | Path | None = None, *, environ: dict | None = None) -> bytes:
    """The pseudonymisation key: the stripped text of ``key_file``, else ``$VOLDATA_KEY``.

    Raises
    ------
    ValueError
        No key anywhere, an unreadable key file, or a key shorter than
        :data:`KEY_MINIMUM` characters. There is never a default key.
    """
    if key_file is None:
        text = (os.environ if environ is None else environ).get(KEY_ENV, "").strip()
        if not text:
            raise ValueError(
                f"no pseudonymisation key: set ${KEY_ENV} or pass --key-file FILE "
                "(keep the key secret and keep it: the same key links people across ingests)"
            )
        return _as_bytes(text)
    path = Path(key_file)
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read the key file {path}: {error}") from None
    if not text:
        raise ValueError(f"the key file {path} is empty")
    return _as_bytes(text)


def _as_bytes(key: str | bytes) -> bytes:
    """The key as bytes, refused when empty or shorter than :data:`KEY_MINIMUM` characters."""
    key = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not key.strip():
        raise ValueError("the pseudonymisation key is empty")
    length = len(key.decode("utf-8", errors="replace"))
    if length < KEY_MINIMUM:
        raise ValueError(
            f"the pseudonymisation key has {length} characters, fewer than {KEY_MINIMUM}: a short key can be "
            "guessed and the ID numbers recovered; make a good one with: "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return key


def _hmac_many(key: bytes, values: list[str]) -> list[str]:
    """HMAC-SHA256 hex of many short values, as ``hmac.new(key, v, sha256).hexdigest()`` gives them; the padded key
    blocks are hashed once and copied (see BENCHMARKS.md: twice as fast)."""
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


def _resident_id_facts(ids: pl.Series) -> pl.DataFrame:
    """GB 11643 validity (``id_valid``), and gender and birth year from the numbers that pass (``_id_gender``, ...)."""
    shaped = ids.str.contains(r"^[0-9]{17}[0-9X]$").fill_null(False)  # (``\d`` would take other scripts' digits too)
    # The first 17 characters of a well-shaped number as one integer, and its digits.
    first17 = ids.str.slice(0, 17).cast(pl.Int64, strict=False).fill_null(0).to_numpy()
    digits = first17[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64) % 10
    check = pl.Series(check_characters(digits).view("S1").astype(str))
    ok = shaped & (ids.str.slice(17).fill_null("") == check)
    gender = pl.Series("_id_gender", np.where(digits[:, 16] % 2 == 1, "M", "F"))
    year = pl.Series("_id_birth_year", digits[:, 6:10] @ np.array([1000, 100, 10, 1]), dtype=pl.Int16)
    return pl.select(
        pl.when(ids.is_not_null()).then(ok).alias("id_valid"), pl.when(ok).then(gender), pl.when(ok).then(year)
    )


def resident_id_valid(ids: pl.Series) -> pl.Series:
    """GB 11643 check of normalised ID numbers: 18 characters, 17 digits, the right check character (null: null)."""
    return _resident_id_facts(ids).get_column("id_valid")


def pseudonymise(frame: pl.DataFrame, *, key: bytes) -> pl.DataFrame:
    """Replace the raw ID numbers (text column ``_id_number``) by ``person_key`` and what they say.

    Adds ``person_key`` (HMAC hex of the number as an identifier is cleaned, ``x`` upper-cased; null when blank),
    ``id_valid`` (GB 11643 check; null when blank), ``_id_gender`` ("M"/"F", 17th digit) and ``_id_birth_year`` (digits
    7-10), both only from numbers that pass the check. The ID number column is dropped: nothing after this sees it.
    (Whether the document is a 居民身份证 is the caller's to apply.)
    """
    ids = clean_identifier(frame.get_column(ID_NUMBER)).str.to_uppercase()
    present = ids.is_not_null().arg_true()
    hashed = pl.Series(_hmac_many(key, ids.gather(present).to_list()), dtype=pl.String)
    person_key = pl.repeat(None, len(ids), dtype=pl.String, eager=True).scatter(present, hashed)
    return frame.drop(ID_NUMBER).with_columns(person_key.alias("person_key")).hstack(_resident_id_facts(ids))
