"""Teams, activities and service records: who serves, when, where and for how long.

Calibration (see ``population.CITY``):

* activities per year = records per year / 50; the party member service teams
  run ``party_team_activities`` of them in the last year (70% of that the year
  before, and so on);
* each registered volunteer is active in a year with a logistic probability of
  latent propensity, last year's activity (lapse and return), party
  membership, age and being new; the intercept is solved so that about a third
  are active;
* an active volunteer gives 1 + Poisson(mu) records, mu proportional to
  exp(1.5 * propensity + 0.7 * party), solved so that the year has its
  target number of records: the top 10% of active volunteers give about half
  of all hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voldata import reference
from voldata.synth.calendar import (
    DAY_SECONDS,
    EPIDEMIC_START_YEAR,
    day,
    day_weights,
    year_bounds,
)
from voldata.synth.places import Places
from voldata.synth.population import CITY, Volunteers

__all__ = [
    "Teams",
    "Activities",
    "draw_teams",
    "draw_activities",
    "ActivityModel",
    "TEAM_TYPE_LABELS",
    "records_target",
]

TEAM_TYPE_LABELS = np.array(
    [
        "党员志愿服务队",
        "社区志愿服务队",
        "社工站志愿服务队",
        "青年志愿服务队",
        "巾帼志愿服务队",
        "企业志愿服务队",
        "学校志愿服务队",
        "其他",
    ]
)
_OTHER_TEAM_P = np.array([0.0, 0.38, 0.08, 0.16, 0.06, 0.11, 0.13, 0.08])
PARTY_TEAM = 0
SOCIAL_WORK_TEAM = 2

# Relative frequency of the service categories (codes of data/reference/service_categories.csv).
_CATEGORY_WEIGHTS = {
    "community_service": 22,
    "poverty_relief": 3,
    "education_support": 7,
    "health": 5,
    "legal_aid": 2,
    "environment": 8,
    "science_popularisation": 3,
    "culture_arts": 6,
    "public_safety": 5,
    "civility": 14,
    "traffic_guidance": 6,
    "fire_safety": 2,
    "emergency_rescue": 1.5,
    "drug_prevention": 2,
    "sports": 2,
    "tourism": 1.5,
    "special_groups": 7,
    "major_events": 2,
    "overseas": 0.1,
    "tax_service": 0.5,
    "epidemic_prevention": 0,
    "other": 3,
}
_TARGET_WEIGHTS = {
    "children": 12,
    "women": 4,
    "elderly": 20,
    "disabled": 6,
    "veterans_and_dependants": 2,
    "low_income_families": 4,
    "special_groups": 4,
    "patients": 3,
    "rural_residents": 3,
    "urban_residents": 12,
    "general_public": 26,
    "taxpayers": 0.5,
    "other": 3,
}
_SOCIAL_WORK_ORGS = np.array(
    [
        f"广州市{a}{b}社会工作服务中心"
        for a in "启创 阳光 北斗星 扬爱 和众 穗星 金丝带 康园 同心 海星".split()
        for b in ("", "综合")
    ]
)
_CHARITY_NAMES = np.array(
    ["广州市慈善会", "广州市青少年发展基金会", "广州市红十字会", "广州市社区慈善基金", "广州公益慈善联合会"]
)
_TITLE_TEMPLATES = np.array(
    ["{c}志愿服务活动", "{c}进社区", "{c}主题志愿服务", "“{t}”关爱行动·{c}", "{c}常态化志愿服务"]
)


def records_target(year: int, years: list[int], scale: float) -> float:
    """Service records in ``year``: the city's ~10 million in the last year, 8% fewer each year before."""
    return CITY["records_per_year"] * scale * 0.92 ** (years[-1] - year)


@dataclass
class Teams:
    founded_day: np.ndarray
    team_type: np.ndarray
    district: np.ndarray
    street: np.ndarray
    community: np.ndarray
    weight: np.ndarray  # how many activities the team runs, relative

    def __len__(self) -> int:
        return len(self.founded_day)


def draw_teams(rng: np.random.Generator, *, years: list[int], scale: float, geo: Places) -> Teams:
    n_party = max(int(round(CITY["party_teams"] * scale)), 1)
    n_other = max(int(round((CITY["teams"] - CITY["party_teams"]) * scale)), 11)
    last_day = year_bounds(years[-1])[1]
    # Party member service teams: a quarter before the first year, the rest founded over the years.
    first_day = year_bounds(years[0])[0]
    early = rng.random(n_party) < 0.25
    party_founded = np.where(
        early,
        day("2016-01-01") + (rng.random(n_party) * (first_day - day("2016-01-01"))).astype(np.int64),
        first_day + (np.sqrt(rng.random(n_party)) * (last_day - first_day + 1)).astype(np.int64),
    )
    origin = day("2010-01-01")
    other_founded = origin + (np.sqrt(rng.random(n_other)) * (last_day - origin + 1)).astype(np.int64)
    founded = np.concatenate([party_founded, other_founded])
    team_type = np.concatenate([np.full(n_party, PARTY_TEAM), rng.choice(len(_OTHER_TEAM_P), n_other, p=_OTHER_TEAM_P)])
    order = np.argsort(founded, kind="stable")
    founded, team_type = founded[order], team_type[order]
    n = len(founded)
    weights = geo.population / geo.population.sum()
    district = rng.choice(len(weights), size=n, p=weights)
    street = geo.random_street(rng, district)
    community = geo.random_community(rng, street)
    return Teams(founded, team_type, district, street, community, rng.lognormal(0.0, 1.0, n))


@dataclass
class Activities:
    """One year's activities, sorted by start time (the activity id order)."""

    year: int
    team: np.ndarray
    category: np.ndarray  # index into reference.categories()
    target: np.ndarray  # index into reference.target_groups()
    district: np.ndarray
    street: np.ndarray
    community: np.ndarray
    start_sec: np.ndarray
    end_sec: np.ndarray
    social_work: np.ndarray  # partner name or ""
    charity: np.ndarray  # 是/有/name or 否/无/""
    planned: np.ndarray
    weight: np.ndarray  # share of the year's records it draws, relative
    template: np.ndarray

    def __len__(self) -> int:
        return len(self.start_sec)

    @property
    def start_day(self) -> np.ndarray:
        return self.start_sec // DAY_SECONDS

    @property
    def end_day(self) -> np.ndarray:
        return self.end_sec // DAY_SECONDS


def _weights(table, weights: dict) -> np.ndarray:
    w = np.array([weights.get(code, 1.0) for code in table["code"]], dtype=float)
    return w / w.sum()


def draw_activities(
    rng: np.random.Generator, *, year: int, years: list[int], scale: float, teams: Teams, geo: Places
) -> Activities:
    first, last = year_bounds(year)
    categories = reference.categories()
    epidemic_code = int(np.flatnonzero(categories["code"].to_numpy() == "epidemic_prevention")[0])
    n_total = max(int(round(records_target(year, years, scale) / CITY["records_per_activity"])), 20)
    existing = teams.founded_day <= last
    party_teams = np.flatnonzero(existing & (teams.team_type == PARTY_TEAM))
    other_teams = np.flatnonzero(existing & (teams.team_type != PARTY_TEAM))
    n_party = int(round(CITY["party_team_activities"] * scale * 0.7 ** (years[-1] - year))) if len(party_teams) else 0
    n_party = min(n_party, n_total // 2)
    n_other = n_total - n_party

    def pick(candidates, k):
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        # A team founded during the year runs activities only for the part of the year it exists.
        w = teams.weight[candidates] * np.clip((last - teams.founded_day[candidates] + 1) / 365.0, 0.0, 1.0)
        return candidates[rng.choice(len(candidates), size=k, p=w / w.sum())]

    team = np.concatenate([pick(party_teams, n_party), pick(other_teams, n_other)])
    n = len(team)
    if year >= EPIDEMIC_START_YEAR:
        epidemic_share = 0.18 if year == EPIDEMIC_START_YEAR else 0.08
    else:
        epidemic_share = 0.0
    epidemic = rng.random(n) < epidemic_share
    category = rng.choice(len(categories), size=n, p=_weights(categories, _CATEGORY_WEIGHTS))
    category = np.where(epidemic, epidemic_code, category)
    days, p = day_weights(year, "ordinary")
    start_day = rng.choice(days, size=n, p=p)
    if epidemic.any():
        e_days, e_p = day_weights(year, "epidemic")
        start_day[epidemic] = rng.choice(e_days, size=int(epidemic.sum()), p=e_p)
    # A team cannot run an activity before it was founded.
    founded = teams.founded_day[team]
    too_early = np.flatnonzero(start_day < founded)
    if len(too_early):
        # Redraw from the same seasons, restricted to the days after the founding.
        cdf = np.cumsum(p)
        offset = np.clip(founded[too_early] - first, 0, len(days) - 1)
        below = np.where(offset > 0, cdf[np.maximum(offset - 1, 0)], 0.0)
        u = below + rng.random(len(too_early)) * (1.0 - below)
        start_day[too_early] = days[np.minimum(np.searchsorted(cdf, u, side="right"), len(days) - 1)]
        start_day[too_early] = np.maximum(start_day[too_early], founded[too_early])
    start_hour = rng.choice(np.arange(8, 20), size=n, p=_normalise([6, 10, 8, 4, 3, 7, 8, 6, 3, 2, 3, 2]))
    start_sec = start_day * DAY_SECONDS + start_hour * 3600 + 60 * rng.choice([0, 0, 15, 30, 30, 45], size=n)
    kind = rng.choice(3, size=n, p=[0.72, 0.20, 0.08])  # one session, a few days to a month, a long project
    duration_hours = np.where(kind == 0, rng.integers(2, 6, n), 0)
    span_days = np.where(kind == 1, rng.integers(1, 31, n), np.where(kind == 2, rng.integers(30, 151, n), 0))
    end_sec = np.where(
        kind == 0,
        start_sec + duration_hours * 3600,
        (start_day + span_days) * DAY_SECONDS + rng.integers(16, 22, n) * 3600,
    )
    end_sec = np.minimum(end_sec, last * DAY_SECONDS + 22 * 3600)
    end_sec = np.maximum(end_sec, start_sec + 3600)

    local = rng.random(n) < 0.92
    district = np.where(local, teams.district[team], rng.choice(len(geo.codes), size=n))
    street = np.where(local, teams.street[team], geo.random_street(rng, district))
    community = np.where(local & (rng.random(n) < 0.7), teams.community[team], geo.random_community(rng, street))

    targets = reference.target_groups()
    target = rng.choice(len(targets), size=n, p=_weights(targets, _TARGET_WEIGHTS))
    public = int(np.flatnonzero(targets["code"].to_numpy() == "general_public")[0])
    target = np.where(epidemic & (rng.random(n) < 0.8), public, target)

    # 社工+慈善+志愿服务: partnerships become more common every year.
    trend = year - 2018
    p_social = np.clip(0.14 + 0.05 * trend, 0.05, 0.6)
    social = rng.random(n) < np.where(teams.team_type[team] == SOCIAL_WORK_TEAM, 0.85, p_social)
    social_work = np.where(social, _SOCIAL_WORK_ORGS[rng.integers(0, len(_SOCIAL_WORK_ORGS), n)], "")
    charity_yes = rng.random(n) < np.clip(0.10 + 0.03 * trend + 0.1 * social, 0.02, 0.6)
    yes_words = np.concatenate([np.array(["是", "有", "是"]), _CHARITY_NAMES])
    no_words = np.array(["否", "无", "", "否"])
    charity = np.where(
        charity_yes,
        yes_words[rng.integers(0, len(yes_words), n)],
        no_words[rng.integers(0, len(no_words), n)],
    )
    weight = rng.lognormal(0.0, 0.6, n) * (1.0 + (end_sec - start_sec) / DAY_SECONDS) ** 0.35
    # Some activities are cancelled or nobody's hours get reported: they draw no records.
    weight = np.where(rng.random(n) < 0.05, 0.0, weight)
    planned = np.maximum(1, np.round(np.maximum(weight, 0.3) / weight.mean() * 25 * rng.uniform(0.6, 1.4, n))).astype(
        np.int64
    )
    planned = np.where(rng.random(n) < 0.05, 0, planned)  # "不限" exported as 0
    template = rng.integers(0, len(_TITLE_TEMPLATES), n)

    order = np.argsort(start_sec, kind="stable")
    return Activities(
        year=year,
        team=team[order],
        category=category[order],
        target=target[order],
        district=district[order],
        street=street[order],
        community=community[order],
        start_sec=start_sec[order],
        end_sec=end_sec[order],
        social_work=social_work[order],
        charity=charity[order],
        planned=planned[order],
        weight=weight[order],
        template=template[order],
    )


def activity_titles(acts: Activities, geo: Places) -> np.ndarray:
    """Titles such as ``XX社区文明风尚志愿服务活动``."""
    category = reference.categories()["name_zh"].to_numpy(dtype=str)[acts.category]
    target = reference.target_groups()["name_zh"].to_numpy(dtype=str)[acts.target]
    place = geo.community_names[acts.community]
    titles = np.empty(len(acts), dtype=object)
    for k, template in enumerate(_TITLE_TEMPLATES):  # a handful of templates, vectorised within each
        mask = acts.template == k
        head, _, tail = template.partition("{c}")
        head_parts = head.split("{t}")
        text = np.strings.add(place[mask], category[mask])
        if len(head_parts) == 2:
            text = np.strings.add(np.strings.add(np.strings.add(head_parts[0], target[mask]), head_parts[1]), text)
        else:
            text = np.strings.add(head, text)
        titles[mask] = np.strings.add(text, tail)
    return titles.astype(str)


def _normalise(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return values / values.sum()


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class ActivityModel:
    """Who is active each year and how many records each active volunteer gives.

    Keeps last year's activity per volunteer, so volunteers lapse and return.
    """

    PROPENSITY_SIGMA = 1.5
    PARTY_RECORDS = 0.7

    def __init__(self, volunteers: Volunteers):
        self.volunteers = volunteers
        self.previous = np.zeros(len(volunteers), dtype=bool)
        self._started = False

    def _logit(self, year: int, registered: np.ndarray, new: np.ndarray) -> np.ndarray:
        v = self.volunteers
        age = year - (v.birth_day[registered] // 365.25 + 1970)
        years_since = year - (v.registered_day[registered] // 365.25 + 1970)
        return (
            0.9 * v.propensity[registered]
            + 1.8 * self.previous[registered]
            + 0.7 * v.party[registered]
            + 1.0 * new
            - 0.08 * years_since
            + np.where((age >= 60) & (age < 70), 0.25, 0.0)
            - np.where(age >= 70, 0.4, 0.0)
            - np.where(age < 18, 0.2, 0.0)
        )

    def year(self, rng: np.random.Generator, year: int, target_records: float) -> tuple[np.ndarray, np.ndarray]:
        """Registered volunteers' indices (a prefix) and their record counts in ``year`` (0 = inactive)."""
        v = self.volunteers
        first, last = year_bounds(year)
        n_registered = int(np.searchsorted(v.registered_day, last, side="right"))
        registered = np.arange(n_registered)
        new = v.registered_day[registered] >= first
        if not self._started:
            # Burn-in: last year's activity for the people registered before the first year.
            base = self._logit(year, registered, np.zeros(n_registered, dtype=bool))
            alpha = _solve_intercept(base, CITY["active_share"] * 0.9)
            self.previous[registered] = rng.random(n_registered) < _sigmoid(alpha + base)
            self.previous[registered[new]] = False
            self._started = True
        logit = self._logit(year, registered, new)
        alpha = _solve_intercept(logit, CITY["active_share"])
        active = rng.random(n_registered) < _sigmoid(alpha + logit)
        exposure = np.where(new, np.maximum((last - v.registered_day[registered]) / 365.0, 0.02), 1.0)
        intensity = np.exp(self.PROPENSITY_SIGMA * v.propensity[registered] + self.PARTY_RECORDS * v.party[registered])
        intensity *= exposure
        n_active = int(active.sum())
        extra = max(target_records - n_active, 0.0)
        beta = extra / max(float(intensity[active].sum()), 1e-9)
        counts = np.where(active, 1 + rng.poisson(beta * intensity), 0)
        self.previous[:n_registered] = active
        return registered, counts


def _solve_intercept(logit: np.ndarray, share: float) -> float:
    """The intercept that makes the mean activity probability equal ``share`` (bisection)."""
    lo, hi = -12.0, 12.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if _sigmoid(mid + logit).mean() < share:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2
