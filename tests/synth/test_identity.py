import numpy as np

from voldata.synth.identity import check_digits, id_numbers, mobile_numbers, unique_id_keys
from voldata.synth.population import birth_ymd


def test_check_digit_of_the_standard_example():
    # GB 11643 worked example: 11010519491231002 -> check character X.
    digits = np.array([[int(c) for c in "11010519491231002"]])
    assert bytes(check_digits(digits)).decode() == "X"


def test_id_numbers_carry_birth_date_gender_and_check_digit(rng):
    birth = np.array([19491231, 20000229, 19851001])
    male = np.array([False, True, True])
    numbers = id_numbers(unique_id_keys(rng, birth, male))
    assert [n[6:14] for n in numbers] == ["19491231", "20000229", "19851001"]
    assert [int(n[16]) % 2 == 1 for n in numbers] == [False, True, True]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for number in numbers:
        assert len(number) == 18
        assert number[17] == "10X98765432"[sum(int(c) * w for c, w in zip(number[:17], weights)) % 11]


def test_keys_are_distinct_even_when_collisions_are_likely(rng):
    # 3,000 people born on the same day in few regions: collisions must be redrawn.
    keys = unique_id_keys(rng, np.full(3000, 19900101), np.arange(3000) % 2 == 0)
    assert len(np.unique(keys)) == 3000


def test_birth_ymd_and_mobiles(rng):
    days = np.array([0, 18_326])  # 1970-01-01, 2020-03-05
    assert birth_ymd(days).tolist() == [19700101, 20200305]
    phones = mobile_numbers(rng, 500)
    assert all(len(p) == 11 and p[:2] in {"13", "15", "18", "19"} for p in phones)
