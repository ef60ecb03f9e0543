"""Fake personal details for demo exports: names, ID numbers, phones, employers.

Everything is vectorised over numpy arrays: a city's worth of people is made in
a few seconds. None of it belongs to a real person; the ID numbers are built
from a seeded generator and only *look* valid (GB 11643 check digit, birth date
and gender consistent with the number).
"""

from __future__ import annotations

import numpy as np

from voldata.personal import check_characters

__all__ = [
    "check_digits",
    "id_numbers",
    "id_key",
    "unique_id_keys",
    "chinese_names",
    "mobile_numbers",
    "landline_numbers",
    "employers",
    "other_id_numbers",
]

# GB 11643 check characters (uint8 ASCII) of an (n, 17) array of digits: the rule of voldata.personal.
check_digits = check_characters

# Birth-place codes: Guangzhou districts weigh most, then the rest of Guangdong,
# then the provinces most Guangzhou migrants come from.
REGION_CODES = np.array(
    [
        440103,
        440104,
        440105,
        440106,
        440111,
        440112,
        440113,
        440114,
        440115,
        440117,
        440118,
        440303,
        440402,
        440604,
        441302,
        441402,
        441481,
        445102,
        445202,
        440882,
        441702,
        440981,
        430104,
        430521,
        450103,
        360111,
        420106,
        510107,
        410102,
        350203,
        522101,
        362101,
    ],
    dtype=np.int64,
)
REGION_WEIGHTS = np.array([4.0] * 11 + [1.2] * 11 + [0.8] * 10)
REGION_WEIGHTS = REGION_WEIGHTS / REGION_WEIGHTS.sum()


def id_key(region: np.ndarray, birth_ymd: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    """The first 17 digits of an ID number as one int64 (region, yyyymmdd, 3-digit sequence)."""
    return region.astype(np.int64) * 10**11 + birth_ymd.astype(np.int64) * 1000 + sequence.astype(np.int64)


def unique_id_keys(rng: np.random.Generator, birth_ymd: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Random, pairwise distinct 17-digit keys for people born on ``birth_ymd`` (int yyyymmdd).

    The sequence's last digit is odd for men and even for women, as in a real number.
    """
    n = len(birth_ymd)
    region = REGION_CODES[rng.choice(len(REGION_CODES), size=n, p=REGION_WEIGHTS)]
    sequence = 2 * rng.integers(0, 500, size=n) + male.astype(np.int64)
    keys = id_key(region, birth_ymd, sequence)
    for _ in range(50):
        _, first_index = np.unique(keys, return_index=True)
        repeated = np.ones(n, dtype=bool)
        repeated[first_index] = False
        if not repeated.any():
            return keys
        k = int(repeated.sum())
        sequence[repeated] = 2 * rng.integers(0, 500, size=k) + male[repeated].astype(np.int64)
        region[repeated] = REGION_CODES[rng.choice(len(REGION_CODES), size=k, p=REGION_WEIGHTS)]
        keys[repeated] = id_key(region[repeated], birth_ymd[repeated], sequence[repeated])
    raise RuntimeError("could not draw distinct ID numbers")


def id_numbers(keys: np.ndarray) -> np.ndarray:
    """18-character 居民身份证 numbers (str array) from 17-digit int64 keys."""
    powers = 10 ** np.arange(16, -1, -1, dtype=np.int64)
    digits = (keys[:, None] // powers) % 10
    out = np.empty((len(keys), 18), dtype=np.uint8)
    out[:, :17] = digits + ord("0")
    out[:, 17] = check_digits(digits)
    return out.view("S18").ravel().astype("U18")


def other_id_numbers(rng: np.random.Generator, kinds: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Numbers for the other document kinds (0 HK/Macau permit, 1 Taiwan permit, 2 passport, 3 other).

    ``serial`` makes them distinct.
    """
    prefix = np.array(["H", "", "E", "QT"])[kinds]
    body = (10_000_000 + (serial * 7919 + rng.integers(0, 7919, size=len(serial))) % 89_999_999).astype("U8")
    return np.strings.add(prefix, body)


_SURNAMES = list("陈李黄张梁林刘吴罗何郑杨谢周王叶邓冯赵朱曾彭蔡潘许苏卢钟郭胡莫古廖温邱江麦余方谭欧区徐孙马")
_SURNAME_WEIGHTS = np.array(
    [
        9.0,
        6.5,
        6.5,
        5.5,
        4.6,
        4.3,
        4.2,
        3.6,
        3.0,
        3.0,
        2.8,
        2.6,
        2.4,
        2.3,
        2.2,
        2.1,
        2.0,
        1.8,
        1.7,
        1.7,
        1.6,
        1.5,
        1.5,
        1.4,
        1.3,
        1.2,
        1.2,
        1.1,
        1.1,
        1.0,
        1.0,
        0.9,
        0.8,
        0.7,
        0.7,
        0.7,
        0.6,
        0.6,
        0.6,
        0.5,
        0.5,
        0.4,
        0.4,
        0.4,
        0.3,
        0.3,
    ][: len(_SURNAMES)]
)
_SURNAME_WEIGHTS = _SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum()
_GIVEN_COMMON = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉宇俊浩婷雪琳晶欣怡佳嘉颖锦荣志健")
_GIVEN_FEMALE = list("芳娜敏静丽艳娟秀霞桂英玉兰萍红婷雪琳晶欣怡佳颖慧淑燕美倩蕾")
_GIVEN_MALE = list("伟强磊军洋勇杰涛明超刚华建文辉宇俊浩锦荣志健斌鹏飞龙伦坤")


def chinese_names(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    """Fake Chinese names (surname + one or two given characters), loosely gendered."""
    n = len(male)
    surname = np.array(_SURNAMES)[rng.choice(len(_SURNAMES), size=n, p=_SURNAME_WEIGHTS)]
    male_chars = np.array(_GIVEN_MALE + _GIVEN_COMMON)
    female_chars = np.array(_GIVEN_FEMALE + _GIVEN_COMMON)
    first = np.where(
        male, male_chars[rng.integers(0, len(male_chars), n)], female_chars[rng.integers(0, len(female_chars), n)]
    )
    second = np.where(
        male, male_chars[rng.integers(0, len(male_chars), n)], female_chars[rng.integers(0, len(female_chars), n)]
    )
    second = np.where(rng.random(n) < 0.72, second, "")
    return np.strings.add(np.strings.add(surname, first), second)


_MOBILE_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        134,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        153,
        155,
        156,
        157,
        158,
        159,
        180,
        181,
        182,
        183,
        184,
        185,
        186,
        187,
        188,
        189,
        191,
        193,
        195,
        198,
        199,
    ],
    dtype=np.int64,
)


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """11-digit mobile numbers starting 13, 15, 18 or 19."""
    prefix = _MOBILE_PREFIXES[rng.integers(0, len(_MOBILE_PREFIXES), n)]
    return (prefix * 10**8 + rng.integers(0, 10**8, n)).astype("U11")


def landline_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Contact numbers: mostly mobiles, some Guangzhou landlines (020-8xxxxxxx / 020-3xxxxxxx)."""
    mobile = mobile_numbers(rng, n)
    first = np.where(rng.random(n) < 0.7, 8, 3)
    landline = np.strings.add("020-", (first * 10**7 + rng.integers(0, 10**7, n)).astype("U8"))
    return np.where(rng.random(n) < 0.35, landline, mobile)


_ORG_WORDS = list("华广穗粤珠城南越羊云天海恒信达泰新康宏盛嘉")
_ORG_KINDS = np.array(
    ["科技有限公司", "贸易有限公司", "建设集团有限公司", "信息技术有限公司", "咨询服务有限公司", "物业管理有限公司"]
)
_PUBLIC_BODIES = np.array(
    [
        "市财政局",
        "市教育局",
        "市卫生健康委员会",
        "市税务局",
        "市第一人民医院",
        "市第一中学",
        "市中级人民法院",
        "市市场监督管理局",
        "市住房和城乡建设局",
        "市文化广电旅游局",
        "供电局有限公司",
        "地铁集团有限公司",
        "市规划和自然资源局",
        "市民政局",
        "市城市管理和综合执法局",
        "图书馆",
        "市人民检察院",
        "市交通运输局",
    ]
)


def employers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Fake work units of in-service party members (public bodies and companies)."""
    words = np.array(_ORG_WORDS)
    company = np.strings.add(
        np.strings.add(
            "广州", np.strings.add(words[rng.integers(0, len(words), n)], words[rng.integers(0, len(words), n)])
        ),
        _ORG_KINDS[rng.integers(0, len(_ORG_KINDS), n)],
    )
    public = np.strings.add("广州", _PUBLIC_BODIES[rng.integers(0, len(_PUBLIC_BODIES), n)])
    return np.where(rng.random(n) < 0.6, public, company)
