"""Personal numbers: the GB 11643 check character worked by hand, every written form found and masked,
the rest of the text kept."""

import numpy as np
import polars as pl
import pytest

from voldata import personal
from voldata.personal import ID_NUMBER, LANDLINE_NUMBER, MASK, MOBILE_NUMBER

# 4·7+4·9+0·10+1·5+0·8+6·4+1·2+9·1+9·6+0·3+0·7+3·9+0·10+7·5+1·8+2·4+3·2 = 242; 242 mod 11 = 0 -> "1".
ID = "440106199003071231"


def test_check_character_worked_examples():
    assert personal.id_check_digit("44010619900307123") == "1"
    # The example number of the standard itself ends in X.
    assert personal.is_valid_id_number("11010519491231002X")
    assert personal.is_valid_id_number("11010519491231002x")
    assert not personal.is_valid_id_number("440106199003071232")
    assert not personal.is_valid_id_number("4401061990030712")
    # Other scripts' digits are not GB 11643 digits.
    assert not personal.is_valid_id_number("٤40106199003071231")
    digits = np.array([[int(c) for c in "44010619900307123"], [int(c) for c in "11010519491231002"]])
    assert bytes(personal.check_characters(digits)).decode() == "1X"


def test_fold_makes_every_digit_ascii():
    assert personal.fold("１３８\u200b１２３\u3000٤") == "138123 4"


@pytest.mark.parametrize(
    ("text", "masked", "counts"),
    [
        ("电话13812345678报名", f"电话{MASK}报名", {MOBILE_NUMBER: 1}),
        ("联系：（＋８６）１３８－１２３４－５６７８。", f"联系：{MASK}。", {MOBILE_NUMBER: 1}),
        ("0086 138 1234 5678/020-8888 1234", f"{MASK}/{MASK}", {MOBILE_NUMBER: 1, LANDLINE_NUMBER: 1}),
        (f"身份证{ID}，旧证440106900307123", f"身份证{MASK}，旧证{MASK}", {ID_NUMBER: 2}),
        ("身份证 4401 0619 9003 0712 31 号", f"身份证 {MASK} 号", {ID_NUMBER: 1}),
        # Tabs (text pasted from a spreadsheet), and any dash or a dot after the area code.
        ("电话\t138\t1234\t5678", f"电话\t{MASK}", {MOBILE_NUMBER: 1}),
        ("座机 020—8888 1234；020.8888.1234", f"座机 {MASK}；{MASK}", {LANDLINE_NUMBER: 2}),
        ("关爱长者 2020年3月5日 第12345678次", "关爱长者 2020年3月5日 第12345678次", {}),
        ("记录 R20200000001 与 440106199003071232", "记录 R20200000001 与 440106199003071232", {}),
    ],
)
def test_mask_keeps_the_rest_of_the_text(text, masked, counts):
    assert personal.mask_personal_numbers(text) == (masked, counts)
    assert personal.find_personal_numbers(text) == counts


def test_mask_series_counts_rows():
    series = pl.Series("title", ["敬老", None, "电话 138 1234 5678", "电话 138 1234 5678", f"{ID}"])
    masked, counts = personal.mask_series(series)
    assert masked.to_list() == ["敬老", None, f"电话 {MASK}", f"电话 {MASK}", MASK]
    assert counts == {ID_NUMBER: 1, MOBILE_NUMBER: 2}
    assert series[2] == "电话 138 1234 5678"  # the input is not changed
