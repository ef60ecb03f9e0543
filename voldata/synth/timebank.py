"""广州公益时间银行: accounts from the 2019-08-26 launch (海珠 first) and their transactions.

Members are providers (young-old 60-69 above all, some younger) or receivers
(70+). Providers deposit whole points for service given to receivers (1 hour =
1 point), now and then donate or transfer some; receivers withdraw points they
were given. A handful of very active providers pass the 1,500-point cap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voldata.synth.calendar import DAY_SECONDS, day, year_bounds
from voldata.synth.places import Places
from voldata.synth.population import CITY, Volunteers

__all__ = ["Accounts", "Transactions", "draw_accounts", "draw_transactions", "LAUNCH", "TXN_LABELS", "SERVICE_ITEMS"]

LAUNCH = "2019-08-26"
PILOT_DISTRICT = "440105"  # 海珠区
TXN_LABELS = np.array(["存入", "支取", "转赠", "捐赠"])
SERVICE_ITEMS = np.array(
    [
        "陪同就医",
        "上门探访",
        "助餐配餐",
        "家居清洁",
        "代购代办",
        "康乐活动",
        "心理慰藉",
        "义务理发",
        "电话问候",
        "助浴服务",
    ]
)
_POINTS = np.array([1, 2, 3, 4])
_POINTS_P = np.array([0.3, 0.35, 0.2, 0.15])


@dataclass
class Accounts:
    opened_sec: np.ndarray
    district: np.ndarray
    birth_day: np.ndarray
    male: np.ndarray
    provider: np.ndarray
    rate: np.ndarray  # deposits (providers) or withdrawals (receivers) per month
    volunteer: np.ndarray  # index of the volunteer with the same ID number, -1 for none
    id_key: np.ndarray

    def __len__(self) -> int:
        return len(self.opened_sec)


def account_count(years: list[int], scale: float) -> int:
    last = years[-1]
    if last < 2019:
        return 0
    launch = day(LAUNCH)
    share = min((year_bounds(last)[1] - launch) / (year_bounds(2020)[1] - launch), 1 + 0.4 * (last - 2020))
    return max(int(round(CITY["timebank_accounts"] * scale * share)), 12)


def draw_accounts(
    rng: np.random.Generator, *, years: list[int], scale: float, geo: Places, volunteers: Volunteers
) -> Accounts:
    n = account_count(years, scale)
    launch = day(LAUNCH)
    last_sec = (year_bounds(years[-1])[1] + 1) * DAY_SECONDS - 1
    pilot = int(np.flatnonzero(geo.codes == PILOT_DISTRICT)[0])
    # The pilot district opens first; the others join over the following months.
    district_start = launch + np.sort(rng.integers(60, 320, len(geo.codes)))
    district_start = rng.permutation(district_start)
    district_start[pilot] = launch
    weights = geo.population.copy()
    weights[pilot] *= 3
    district = rng.choice(len(weights), size=n, p=weights / weights.sum())
    provider = rng.random(n) < 0.65
    last_year = years[-1]
    age_band = rng.choice(3, size=n, p=[0.55, 0.20, 0.25])
    age = np.where(
        provider,
        np.choose(age_band, [rng.integers(60, 70, n), rng.integers(45, 60, n), rng.integers(18, 45, n)]),
        rng.integers(70, 93, n),
    )
    birth_year = (last_year - age - 1970).astype("datetime64[Y]")
    birth_day = birth_year.astype("datetime64[D]").astype(np.int64) + rng.integers(0, 365, n)
    male = rng.random(n) < 0.42
    volunteer = np.full(n, -1)
    # About a third of providers are registered volunteers too (same ID number).
    residents = np.flatnonzero(volunteers.id_type == 0)
    vol_age = last_year - (volunteers.birth_day[residents] // 365.25 + 1970)
    candidates = residents[(vol_age >= 45) & (vol_age < 70)]
    linked = np.flatnonzero(provider & (rng.random(n) < 0.35))
    linked = linked[: len(candidates)]
    if len(linked):
        w = np.where(last_year - (volunteers.birth_day[candidates] // 365.25 + 1970) >= 60, 3.0, 1.0)
        chosen = candidates[rng.choice(len(candidates), size=len(linked), replace=False, p=w / w.sum())]
        volunteer[linked] = chosen
        district[linked] = volunteers.district[chosen]
        birth_day[linked] = volunteers.birth_day[chosen]
        male[linked] = volunteers.male[chosen]
    start = district_start[district] * DAY_SECONDS
    # Openings pick up after each district's start (density rising over time).
    opened_sec = start + (rng.random(n) ** 0.8 * (last_sec - start)).astype(np.int64)
    opened_sec = opened_sec // 60 * 60
    rate = np.where(provider, 1.6 * rng.lognormal(0.0, 0.7, n), 0.8 * rng.lognormal(0.0, 0.5, n))
    # A few tireless early providers: their balances pass the 1,500-point storage cap.
    early = opened_sec - start < 150 * DAY_SECONDS
    tireless = provider & early & (rng.random(n) < 0.03)
    rate = np.where(tireless, 70.0, rate)
    order = np.argsort(opened_sec, kind="stable")
    return Accounts(
        opened_sec=opened_sec[order],
        district=district[order],
        birth_day=birth_day[order],
        male=male[order],
        provider=provider[order],
        rate=rate[order],
        volunteer=volunteer[order],
        id_key=np.zeros(n, dtype=np.int64),
    )


@dataclass
class Transactions:
    account: np.ndarray
    txn_type: np.ndarray
    points: np.ndarray
    counterparty: np.ndarray  # -1 for donations
    item: np.ndarray  # index into SERVICE_ITEMS, -1 transfer, -2 donation
    txn_sec: np.ndarray

    def __len__(self) -> int:
        return len(self.account)


class _ByOpening:
    """Accounts of one kind grouped by district and sorted by opening time."""

    def __init__(self, accounts: Accounts, members: np.ndarray, n_districts: int):
        self.groups = []
        for d in range(n_districts + 1):
            m = members[accounts.district[members] == d] if d < n_districts else members
            m = m[np.argsort(accounts.opened_sec[m], kind="stable")]
            self.groups.append((m, accounts.opened_sec[m]))

    def pick(self, rng, district: np.ndarray, at_sec: np.ndarray) -> np.ndarray:
        """An account open at ``at_sec``, in the same district if there is one, -1 if none at all."""
        out = np.full(len(district), -1)
        for d in range(len(self.groups) - 1):
            mask = district == d
            if mask.any():
                out[mask] = self._pick(rng, d, at_sec[mask])
        missing = out < 0
        if missing.any():
            out[missing] = self._pick(rng, len(self.groups) - 1, at_sec[missing])
        return out

    def _pick(self, rng, group, at_sec):
        members, opened = self.groups[group]
        count = np.searchsorted(opened, at_sec, side="right")
        j = (rng.random(len(at_sec)) * count).astype(np.int64)
        return np.where(count > 0, members[np.minimum(j, max(len(members) - 1, 0))] if len(members) else -1, -1)


def _times(rng, accounts, holder, year):
    first, last = year_bounds(year)
    low = np.maximum(accounts.opened_sec[holder], first * DAY_SECONDS)
    low_day = low // DAY_SECONDS
    when_day = low_day + (rng.random(len(holder)) * (last - low_day + 1)).astype(np.int64)
    when = when_day * DAY_SECONDS + rng.integers(8 * 3600, 20 * 3600, len(holder)) // 60 * 60
    return np.maximum(when, low + 60)


def draw_transactions(
    rng: np.random.Generator, *, year: int, accounts: Accounts, balance: np.ndarray, n_districts: int
) -> Transactions:
    """One year's transactions; ``balance`` (per account) is updated in place."""
    first, last = year_bounds(year)
    end_sec = (last + 1) * DAY_SECONDS
    open_now = accounts.opened_sec < end_sec - 3600
    months = np.where(
        open_now, (end_sec - np.maximum(accounts.opened_sec, first * DAY_SECONDS)) / (30.44 * DAY_SECONDS), 0.0
    )
    providers = np.flatnonzero(accounts.provider)
    receivers = np.flatnonzero(~accounts.provider)
    to_receiver = _ByOpening(accounts, receivers, n_districts)
    to_provider = _ByOpening(accounts, providers, n_districts)
    n = len(accounts)

    # Deposits: providers served a receiver.
    n_dep = np.where(accounts.provider & open_now, rng.poisson(accounts.rate * months), 0)
    dep_holder = np.repeat(np.arange(n), n_dep)
    dep_time = _times(rng, accounts, dep_holder, year)
    dep_points = _POINTS[rng.choice(len(_POINTS), len(dep_holder), p=_POINTS_P)]
    dep_counter = to_receiver.pick(rng, accounts.district[dep_holder], dep_time)
    dep_counter = np.where(dep_counter == dep_holder, -1, dep_counter)
    ok = dep_counter >= 0
    dep_holder, dep_time, dep_points, dep_counter = dep_holder[ok], dep_time[ok], dep_points[ok], dep_counter[ok]
    deposited = np.bincount(dep_holder, weights=dep_points, minlength=n).astype(np.int64)

    # Some providers donate part of the year's points to the public pool, some give points to a receiver.
    donate = np.flatnonzero((deposited >= 5) & (rng.random(n) < 0.12))
    don_points = np.maximum(1, (deposited[donate] * rng.uniform(0.1, 0.3, len(donate))).astype(np.int64))
    # Transfers go to elderly members (often a provider's own parents), who spend them on services.
    transfer = np.flatnonzero((deposited >= 6) & (rng.random(n) < 0.2))
    transfer = transfer[~np.isin(transfer, donate)]
    tr_points = np.maximum(1, (deposited[transfer] * rng.uniform(0.2, 0.5, len(transfer))).astype(np.int64))
    tr_time = _times(rng, accounts, transfer, year)
    tr_counter = to_receiver.pick(rng, accounts.district[transfer], tr_time)
    ok = (tr_counter >= 0) & (tr_counter != transfer)
    transfer, tr_points, tr_time, tr_counter = transfer[ok], tr_points[ok], tr_time[ok], tr_counter[ok]
    received = np.bincount(tr_counter, weights=tr_points, minlength=n).astype(np.int64)

    # Withdrawals: receivers were served by a provider, paid with points they hold.
    available = np.maximum(balance + received, 0)
    n_wd = np.where(~accounts.provider & open_now, np.minimum(rng.poisson(accounts.rate * months), available // 3), 0)
    wd_holder = np.repeat(np.arange(n), n_wd)
    wd_points = rng.integers(1, 4, len(wd_holder))
    wd_time = _times(rng, accounts, wd_holder, year)
    wd_counter = to_provider.pick(rng, accounts.district[wd_holder], wd_time)
    ok = (wd_counter >= 0) & (wd_counter != wd_holder)
    wd_holder, wd_points, wd_time, wd_counter = wd_holder[ok], wd_points[ok], wd_time[ok], wd_counter[ok]

    don_time = _times(rng, accounts, donate, year)
    account = np.concatenate([dep_holder, wd_holder, transfer, donate])
    kind = np.concatenate(
        [np.full(len(dep_holder), 0), np.full(len(wd_holder), 1), np.full(len(transfer), 2), np.full(len(donate), 3)]
    )
    points = np.concatenate([dep_points, wd_points, tr_points, don_points])
    counterparty = np.concatenate([dep_counter, wd_counter, tr_counter, np.full(len(donate), -1)])
    item = np.concatenate(
        [
            rng.integers(0, len(SERVICE_ITEMS), len(dep_holder) + len(wd_holder)),
            np.full(len(transfer), -1),
            np.full(len(donate), -2),
        ]
    )
    when = np.concatenate([dep_time, wd_time, tr_time, don_time])
    sign = np.array([1, -1, -1, -1])[kind]
    np.add.at(balance, account, sign * points)
    np.add.at(balance, tr_counter, tr_points)
    order = np.lexsort((account, when))
    return Transactions(account[order], kind[order], points[order], counterparty[order], item[order], when[order])
