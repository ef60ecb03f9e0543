"""Value rules: raw export text → canonical values (input/expected pairs)."""

from __future__ import annotations

import datetime as dt
from functools import partial

import polars as pl
import pytest

from voldata.ingest import values as v


def _one(parser, text, **kwargs):
    value, status = parser(pl.Series("x", [text], dtype=pl.String), **kwargs)
    return value[0], status[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-03-05", dt.datetime(2020, 3, 5)),
        ("2020/3/5", dt.datetime(2020, 3, 5)),
        ("2020.3.5", dt.datetime(2020, 3, 5)),
        ("2020年3月5日", dt.datetime(2020, 3, 5)),
        ("20200305", dt.datetime(2020, 3, 5)),
        ("2020-03-05 08:30:00", dt.datetime(2020, 3, 5, 8, 30)),
        ("2020-03-05 08:30", dt.datetime(2020, 3, 5, 8, 30)),
        ("2020/3/5 18:30", dt.datetime(2020, 3, 5, 18, 30)),
        ("2020-03-05T18:30:15", dt.datetime(2020, 3, 5, 18, 30, 15)),
        ("2020年3月5日 8时30分", dt.datetime(2020, 3, 5, 8, 30)),
        ("2020年3月5日18:30", dt.datetime(2020, 3, 5, 18, 30)),
        ("20200305083000", dt.datetime(2020, 3, 5, 8, 30)),
        ("２０２０－０３－０５　０８：３０", dt.datetime(2020, 3, 5, 8, 30)),
        (" 2020-03-05 ", dt.datetime(2020, 3, 5)),
        ("2020-03-05 08:30:00.250", dt.datetime(2020, 3, 5, 8, 30)),
    ],
)
def test_datetime_forms(text, expected):
    assert _one(v.parse_datetime, text) == (expected, v.OK)


# A bare number is no date in text (Excel serials are read from workbook cells only: see test_readers).
@pytest.mark.parametrize(
    "text", ["2020-02-30", "2020-13-01", "abc", "1850-01-01", "2020-03-05 25:00", "0", "12345", "43895.5"]
)
def test_bad_datetimes_are_flagged(text):
    assert _one(v.parse_datetime, text) == (None, v.BAD)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_blank_datetime_is_null_not_bad(text):
    assert _one(v.parse_datetime, text) == (None, v.OK)


def test_dates_drop_the_time_of_day():
    assert _one(v.parse_date, "2020/3/5 23:59") == (dt.date(2020, 3, 5), v.OK)
    assert _one(v.parse_date, "43896") == (None, v.BAD)
    assert _one(v.parse_date, "2020-02-30") == (None, v.BAD)


def test_mixed_datetime_column_keeps_row_alignment():
    raw = pl.Series(["2020-03-05 08:00:00", "2020/3/5 9:00", None, "bad", "2020-03-05 10:00:00", "20200305"])
    value, status = v.parse_datetime(raw)
    assert value.to_list() == [
        dt.datetime(2020, 3, 5, 8),
        dt.datetime(2020, 3, 5, 9),
        None,
        None,
        dt.datetime(2020, 3, 5, 10),
        dt.datetime(2020, 3, 5),
    ]
    assert status.to_list() == [v.OK, v.OK, v.OK, v.BAD, v.OK, v.OK]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.5", (2.5, v.OK)),
        ("2.5小时", (2.5, v.OK)),
        ("2小时30分", (2.5, v.OK)),
        ("2小时30分钟", (2.5, v.OK)),
        ("30分钟", (0.5, v.OK)),
        ("２．５", (2.5, v.OK)),
        ("２小时", (2.0, v.OK)),
        ("3h", (3.0, v.OK)),
        ("2:30", (2.5, v.OK)),
        ("24", (24.0, v.OK)),
        ("0", (None, v.OUT_OF_RANGE)),
        ("24.5", (None, v.OUT_OF_RANGE)),
        ("-1", (None, v.OUT_OF_RANGE)),
        ("abc", (None, v.BAD)),
        ("-abc", (None, v.BAD)),
        ("", (None, v.OK)),
    ],
)
def test_hours(text, expected):
    assert _one(v.parse_hours, text) == expected


@pytest.mark.parametrize(
    ("text", "minimum", "expected"),
    [
        ("3", 1, (3, v.OK)),
        ("3.0", 1, (3, v.OK)),
        ("３", 1, (3, v.OK)),
        ("3积分", 1, (3, v.OK)),
        ("1.5", 1, (None, v.OUT_OF_RANGE)),
        ("0", 1, (None, v.OUT_OF_RANGE)),
        ("0", 0, (0, v.OK)),
        ("12人", 0, (12, v.OK)),
        ("-1", 0, (None, v.OUT_OF_RANGE)),
        ("十", 0, (None, v.BAD)),
    ],
)
def test_whole_numbers(text, minimum, expected):
    assert _one(v.parse_whole, text, minimum=minimum) == expected


@pytest.mark.parametrize(
    ("vocabulary", "text", "expected"),
    [
        ("status", "已审核", ("approved", v.OK)),
        ("status", " 已通过 ", ("approved", v.OK)),
        ("status", "不通过", ("rejected", v.OK)),
        ("status", "未知", (None, v.BAD)),
        ("status", "", (None, v.OK)),
        ("record_method", "补录", ("manual", v.OK)),
        ("txn_type", "转赠", ("transfer", v.OK)),
        ("category", "疫情防控", ("epidemic_prevention", v.OK)),
        ("category", "赏花", (None, v.BAD)),
        ("target_group", "老年人", ("elderly", v.OK)),
        ("education", "中专", ("senior_high", v.OK)),
        ("education", "文盲", ("unknown", v.OK)),
        ("education", "", ("unknown", v.OK)),
        ("political_status", "", ("other", v.OK)),
        ("political_status", "其他", ("other", v.OK)),
        ("political_status", "中共预备党员", ("probationary_party_member", v.OK)),
        ("team_type", "某某队", ("other", v.OK)),
        ("id_type", "护照", ("other_id", v.OK)),
        ("id_type", "居民身份证", ("resident_id", v.OK)),
        ("id_type", "军官证", ("other_id", v.OK)),
        ("gender", "男", ("M", v.OK)),
        ("gender", "未说明", (None, v.OK)),
    ],
)
def test_vocabularies(vocabulary, text, expected):
    assert _one(v.parse_code, text, vocabulary=vocabulary) == expected


# District codes from full names, names without 区, English names (any case), historical names.
parse_district = partial(v.parse_code, vocabulary="district_code")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("天河区", "440106"),
        ("天河", "440106"),
        ("Tianhe", "440106"),
        ("TIANHE", "440106"),
        (" 天 河 区 ", "440106"),
        ("东山区", "440104"),
        ("芳村", "440103"),
        ("萝岗区", "440112"),
        ("从化市", "440117"),
        ("增城市", "440118"),
        ("440113", "440113"),
    ],
)
def test_districts(text, expected):
    assert _one(parse_district, text) == (expected, v.OK)


def test_unknown_and_blank_districts():
    assert _one(parse_district, "火星区") == (None, v.BAD)
    assert _one(parse_district, "") == (None, v.OK)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("是", True), ("有", True), ("某慈善基金会", True), ("否", False), ("无", False), ("", False), (None, False)],
)
def test_partner_flags(text, expected):
    assert v.parse_flag(pl.Series([text], dtype=pl.String))[0] is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-03-07", (1990, v.OK)),
        ("1990", (1990, v.OK)),
        ("1990年", (1990, v.OK)),
        ("19900307", (1990, v.OK)),
        ("x", (None, v.BAD)),
    ],
)
def test_birth_year(text, expected):
    assert _one(v.parse_birth_year, text) == expected


def test_identifiers_are_normalised():
    raw = pl.Series([" V001 ", "Ｖ００２", "", None])
    assert v.clean_identifier(raw).to_list() == ["V001", "V002", None, None]


@pytest.mark.parametrize("majority", ["2020-03-05 08:00:00", "2020/3/5 8:00", "2020-03-05 08:00", "2020/3/5 8:00:00"])
def test_datetime_columns_parse_the_same_whichever_shape_leads(rng, majority):
    """The shape most of a column has is tried first; every value still parses as it does alone."""
    others = [
        "2020-03-05 09:15:00",
        "2020/3/5 9:15",
        "2020-03-05 9:15",
        "2020/3/5 9:15:30",
        "2020年3月5日9时",
        "43895.5",
        "2020-1-5 7:05:00",
        "2020/13/5 8:00",
        "bad",
        None,
        " ",
        "1899-12-31 23:00:00",
        "2020-03-05 08:00:60",
        "+2020-03-05 08:00:00",
        "2020/3/5 8:60",
    ]
    texts = [majority] * 1500 + others * 20
    texts = [texts[i] for i in rng.permutation(len(texts))]
    value, status = v.parse_datetime(pl.Series(texts, dtype=pl.String))
    expected = [v.parse_datetime_text(t) if t is not None else None for t in texts]
    assert value.to_list() == expected
    bad = [t is not None and t.strip() != "" and e is None for t, e in zip(texts, expected)]
    assert status.to_list() == [v.BAD if b else v.OK for b in bad]
