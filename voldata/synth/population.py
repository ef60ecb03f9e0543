"""The people behind the demo exports: volunteers, reporting party members, time-bank members.

All arrays, one entry per person; nothing here writes files. City-scale
targets (``CITY``) are multiplied by ``scale``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voldata.synth.calendar import DAY_SECONDS, day, day_weights
from voldata.synth.identity import unique_id_keys
from voldata.synth.places import Places

__all__ = [
    "CITY",
    "Volunteers",
    "draw_volunteers",
    "POLITICAL_LABELS",
    "EDUCATION_LABELS",
    "ID_TYPE_LABELS",
    "birth_ymd",
    "PARTY_LABELS",
]

# City-scale targets at scale 1.0 (the last year of the run), from the reference facts:
# 4 million registered volunteers, ~10 million service records a year, 260,000
# reporting in-service party members, 1,925 party member service teams running
# ~6,800 activities, a time bank of tens of thousands of accounts.
CITY = {
    "volunteers": 4_000_000,
    "records_per_year": 10_000_000,
    "records_per_activity": 50,
    "active_share": 0.33,
    "teams": 25_000,
    "party_teams": 1_925,
    "party_team_activities": 6_800,
    "party_reporters": 260_000,
    "timebank_accounts": 40_000,
}

POLITICAL_LABELS = np.array(["中共党员", "中共预备党员", "共青团员", "民主党派成员", "群众", "其他", ""])
PARTY_LABELS = (0, 1)
# Rows: age at registration <18, 18-27, 28-34, 35-59, 60+.
_POLITICAL_P = np.array(
    [
        [0.0, 0.0, 0.72, 0.0, 0.26, 0.01, 0.01],
        [0.05, 0.012, 0.55, 0.001, 0.367, 0.01, 0.01],
        [0.09, 0.006, 0.12, 0.003, 0.761, 0.01, 0.01],
        [0.11, 0.003, 0.0, 0.006, 0.861, 0.01, 0.01],
        [0.12, 0.0, 0.0, 0.006, 0.854, 0.01, 0.01],
    ]
)
EDUCATION_LABELS = np.array(
    ["小学及以下", "初中", "高中", "中专", "职高", "技校", "大专", "本科", "硕士", "博士", "研究生", ""]
)
_EDUCATION_P = np.array(
    [
        [0.02, 0.55, 0.36, 0.04, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.02],
        [0.0, 0.03, 0.12, 0.06, 0.01, 0.01, 0.24, 0.42, 0.06, 0.005, 0.015, 0.02],
        [0.0, 0.05, 0.12, 0.06, 0.01, 0.01, 0.24, 0.39, 0.08, 0.01, 0.01, 0.02],
        [0.02, 0.12, 0.18, 0.08, 0.02, 0.02, 0.22, 0.27, 0.04, 0.01, 0.0, 0.02],
        [0.15, 0.30, 0.24, 0.08, 0.0, 0.01, 0.11, 0.08, 0.01, 0.0, 0.0, 0.02],
    ]
)
ID_TYPE_LABELS = np.array(["居民身份证", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "护照", "其他"])
_ID_TYPE_P = np.array([0.965, 0.02, 0.003, 0.007, 0.005])
# Age at registration: some under 18, mostly 18-59, a solid 60-69 group, some 70+.
_AGE_BANDS = np.array([[14, 18], [18, 35], [35, 60], [60, 70], [70, 85]])
_AGE_P = np.array([0.06, 0.50, 0.28, 0.12, 0.04])


def _choose(rng: np.random.Generator, probabilities: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One category per person from per-row probability tables (vectorised inverse CDF)."""
    cumulative = np.cumsum(probabilities / probabilities.sum(axis=1, keepdims=True), axis=1)[rows]
    u = rng.random(len(rows))
    return np.minimum((u[:, None] > cumulative).sum(axis=1), probabilities.shape[1] - 1)


def birth_ymd(birth_day: np.ndarray) -> np.ndarray:
    """Days since 1970 -> int yyyymmdd."""
    dates = birth_day.astype("datetime64[D]")
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    return year * 10_000 + month * 100 + dom


def age_band_rows(age: np.ndarray) -> np.ndarray:
    """Row of the political/education tables for an age."""
    return np.searchsorted(np.array([18, 28, 35, 60]), age, side="right")


@dataclass
class Volunteers:
    """One entry per volunteer, sorted by registration time (the volunteer id order)."""

    registered_sec: np.ndarray
    birth_day: np.ndarray
    male: np.ndarray
    district: np.ndarray
    street: np.ndarray
    community: np.ndarray
    political: np.ndarray
    education: np.ndarray
    id_type: np.ndarray
    propensity: np.ndarray  # latent activity, standard normal
    id_key: np.ndarray  # 17-digit key of a resident ID number (unused for other document kinds)

    @property
    def registered_day(self) -> np.ndarray:
        return self.registered_sec // DAY_SECONDS

    @property
    def party(self) -> np.ndarray:
        return np.isin(self.political, PARTY_LABELS)

    def __len__(self) -> int:
        return len(self.registered_sec)


def registrations_per_year(n_total: int, years: list[int]) -> tuple[int, np.ndarray]:
    """Volunteers registered before the first year, and new registrations per year (growing ~12% a year)."""
    growth = 1.12 ** np.arange(len(years))
    base_share = float(np.clip(0.65 - 0.05 * len(years), 0.15, 0.6))
    new = np.floor(n_total * (1 - base_share) * growth / growth.sum()).astype(np.int64)
    return int(n_total - new.sum()), new


def draw_volunteers(rng: np.random.Generator, *, years: list[int], scale: float, geo: Places) -> Volunteers:
    n_total = max(int(round(CITY["volunteers"] * scale)), 60)
    n_before, new = registrations_per_year(n_total, years)
    first = day(f"{years[0]}-01-01")
    origin = day("2012-01-01")
    # Registrations before the first year grow over time (density rising linearly).
    parts = [origin + ((first - origin) * np.sqrt(rng.random(n_before))).astype(np.int64)]
    for year, k in zip(years, new):
        days, p = day_weights(year, "registration")
        parts.append(rng.choice(days, size=int(k), p=p))
    reg_day = np.concatenate(parts)
    n = len(reg_day)
    registered_sec = np.sort(reg_day * DAY_SECONDS + rng.integers(8 * 3600, 22 * 3600, n))

    band = rng.choice(len(_AGE_P), size=n, p=_AGE_P)
    age = _AGE_BANDS[band, 0] + rng.random(n) * (_AGE_BANDS[band, 1] - _AGE_BANDS[band, 0])
    birth_day = registered_sec // DAY_SECONDS - (age * 365.25).astype(np.int64)
    male = rng.random(n) < 0.48
    weights = geo.population * rng.lognormal(0.0, 0.15, len(geo.population))
    district = rng.choice(len(weights), size=n, p=weights / weights.sum())
    street = geo.random_street(rng, district)
    community = geo.random_community(rng, street)
    rows = age_band_rows(age)
    political = _choose(rng, _POLITICAL_P, rows)
    education = _choose(rng, _EDUCATION_P, rows)
    id_type = rng.choice(len(_ID_TYPE_P), size=n, p=_ID_TYPE_P)
    propensity = rng.standard_normal(n)
    return Volunteers(
        registered_sec=registered_sec,
        birth_day=birth_day,
        male=male,
        district=district,
        street=street,
        community=community,
        political=political,
        education=education,
        id_type=id_type,
        propensity=propensity,
        id_key=np.zeros(n, dtype=np.int64),
    )


def assign_id_keys(rng: np.random.Generator, birth_days: list[np.ndarray], males: list[np.ndarray]) -> list[np.ndarray]:
    """Distinct ID-number keys for several groups of people at once (so no two people share one)."""
    sizes = [len(b) for b in birth_days]
    keys = unique_id_keys(rng, birth_ymd(np.concatenate(birth_days)), np.concatenate(males))
    return np.split(keys, np.cumsum(sizes)[:-1])
