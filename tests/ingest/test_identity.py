"""Pseudonymisation and ID checks."""

from __future__ import annotations

import hashlib
import hmac

import polars as pl
import pytest

from voldata.ingest import identity
from voldata.ingest.identity import ID_NUMBER, load_key, pseudonymise, resident_id_valid

SECRET = "a-secret-of-thirty-two-characters"


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("11010519491231002X", True),  # the standard's own example
        ("440106199003070017", None),  # filled in below from the check-digit rule
        ("11010519491231002Y", False),
        ("110105194912310021", False),  # wrong check digit
        ("1101051949123100", False),  # too short
        ("E1234567", False),
    ],
)
def test_gb11643_check(number, expected):
    if expected is None:
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        expected = "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], weights)) % 11] == number[17]
    assert resident_id_valid(pl.Series([number]))[0] is expected


def test_person_key_is_hmac_of_the_normalised_number():
    frame = pl.DataFrame(
        {ID_NUMBER: ["11010519491231002x", " １１０１０５１９４９１２３１００２Ｘ ", "11010519491231002X"]}
    )
    out = pseudonymise(frame, key=b"k")
    expected = hmac.new(b"k", b"11010519491231002X", hashlib.sha256).hexdigest()
    assert out["person_key"].to_list() == [expected] * 3
    assert ID_NUMBER not in out.columns


def test_long_keys_are_hashed_like_hmac_does():
    key = b"x" * 100
    assert identity._hmac_many(key, ["abc"]) == [hmac.new(key, b"abc", hashlib.sha256).hexdigest()]


def test_gender_and_birth_year_come_only_from_valid_numbers():
    frame = pl.DataFrame({ID_NUMBER: ["11010519491231002X", "110105194912310021", None]})
    out = pseudonymise(frame, key=b"k")
    assert out["id_valid"].to_list() == [True, False, None]
    assert out["_id_gender"].to_list() == ["F", None, None]
    assert out["_id_birth_year"].to_list() == [1949, None, None]
    assert out["person_key"][2] is None


def test_digits_of_other_scripts_are_not_id_digits():
    # U+0660 ARABIC-INDIC DIGIT ZERO: a digit to Unicode, untouched by NFKC, not one of GB 11643.
    frame = pl.DataFrame({ID_NUMBER: ["\u06601010519491231002X", "11010519491231002X"]})
    out = pseudonymise(frame, key=b"k")
    assert out["id_valid"].to_list() == [False, True]
    assert out["_id_birth_year"].to_list() == [None, 1949]


def test_many_numbers_agree_with_the_rule_digit_by_digit(rng):
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    numbers = []
    for _ in range(2000):
        body = "".join(str(d) for d in rng.integers(0, 10, 17))
        tail = "0123456789X"[rng.integers(0, 11)]
        numbers.append(body + tail if rng.random() > 0.1 else body[: rng.integers(0, 17)])
    numbers[5] = None
    out = pseudonymise(pl.DataFrame({ID_NUMBER: numbers}), key=b"k")
    for number, valid, gender, year in zip(numbers, out["id_valid"], out["_id_gender"], out["_id_birth_year"]):
        if not number:  # blank: unknown
            assert (valid, gender, year) == (None, None, None)
            continue
        passes = (
            len(number) == 18
            and "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], weights)) % 11] == number[17]
        )
        assert valid is passes
        assert gender == (("M" if int(number[16]) % 2 else "F") if passes else None)
        assert year == (int(number[6:10]) if passes else None)


def test_key_from_file_and_environment(tmp_path):
    key_file = tmp_path / "key.txt"
    key_file.write_text(f"  {SECRET}\n", encoding="utf-8")
    assert load_key(key_file, environ={}) == SECRET.encode()
    assert load_key(None, environ={"VOLDATA_KEY": "env-" + SECRET}) == b"env-" + SECRET.encode()
    assert load_key(key_file, environ={"VOLDATA_KEY": "other-" + SECRET}) == SECRET.encode()


@pytest.mark.parametrize("environ", [{}, {"VOLDATA_KEY": "  "}])
def test_no_key_is_refused(environ):
    with pytest.raises(ValueError, match="no pseudonymisation key"):
        load_key(None, environ=environ)


def test_empty_or_missing_key_file_is_refused(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ValueError, match="empty"):
        load_key(empty, environ={})
    with pytest.raises(ValueError, match="cannot read"):
        load_key(tmp_path / "missing.txt", environ={})


@pytest.mark.parametrize("short", ["a", "x" * 31, "全" * 31])
def test_a_short_key_is_refused_with_the_command_that_makes_a_good_one(tmp_path, short):
    key_file = tmp_path / "key.txt"
    key_file.write_text(short, encoding="utf-8")
    for load in (lambda: load_key(key_file, environ={}), lambda: load_key(None, environ={"VOLDATA_KEY": short})):
        with pytest.raises(ValueError, match="fewer than 32") as error:
            load()
        assert "python3 -c 'import secrets; print(secrets.token_hex(32))'" in str(error.value)
    assert load_key(None, environ={"VOLDATA_KEY": "x" * 32}) == b"x" * 32
