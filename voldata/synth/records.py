"""Service records: each active volunteer's records of a year, drawn chunk by chunk.

A record goes to an activity of the volunteer's own district (mostly), chosen
in proportion to the activity's weight among the activities that end on or
after the volunteer registered, and is dated inside the activity's dates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voldata.synth.activity import Activities
from voldata.synth.calendar import DAY_SECONDS, year_bounds
from voldata.synth.population import Volunteers

__all__ = ["ActivityIndex", "Records", "draw_records", "METHOD_LABELS", "STATUS_LABELS", "digital_share"]

METHOD_LABELS = np.array(["扫码签到", "定位签到", "人工录入", "补录"])
STATUS_LABELS = np.array(["已审核", "已通过", "待审核", "已驳回", "不通过"])
_STATUS_P = np.array([0.925, 0.02, 0.035, 0.015, 0.005])
OWN_DISTRICT = 0.85


def digital_share(year: int) -> float:
    """Share of records checked in by QR code or location, rising year by year."""
    return float(np.clip(0.35 + 0.13 * (year - 2018), 0.05, 0.95))


class ActivityIndex:
    """Activities of a year grouped by district and sorted by end day, with cumulative weights."""

    def __init__(self, acts: Activities, n_districts: int):
        self.acts = acts
        end_day = acts.end_day
        self.groups = []
        for d in range(n_districts + 1):  # the last group is the whole city (fallback)
            members = np.flatnonzero(acts.district == d) if d < n_districts else np.arange(len(acts))
            members = members[np.argsort(end_day[members], kind="stable")]
            self.groups.append((members, end_day[members], np.cumsum(acts.weight[members])))
        counts = np.bincount(acts.district, minlength=n_districts).astype(float)
        self.district_p = counts / counts.sum()

    def pick(self, rng: np.random.Generator, group: int, min_day: np.ndarray) -> np.ndarray:
        """An activity (index) ending on or after ``min_day`` for each entry, -1 where there is none."""
        members, ends, cumulative = self.groups[group]
        if len(members) == 0:
            return np.full(len(min_day), -1)
        lo = np.searchsorted(ends, min_day, side="left")
        base = np.where(lo > 0, cumulative[np.maximum(lo - 1, 0)], 0.0)
        u = base + rng.random(len(min_day)) * (cumulative[-1] - base)
        j = np.minimum(np.searchsorted(cumulative, u, side="right"), len(members) - 1)
        j = np.maximum(j, lo)
        return np.where(lo < len(members), members[np.minimum(j, len(members) - 1)], -1)


@dataclass
class Records:
    volunteer: np.ndarray
    activity: np.ndarray
    service_day: np.ndarray
    sign_in_sec: np.ndarray
    sign_out_sec: np.ndarray
    hours: np.ndarray
    method: np.ndarray
    status: np.ndarray

    def __len__(self) -> int:
        return len(self.volunteer)


def draw_records(
    rng: np.random.Generator,
    *,
    year: int,
    volunteers: Volunteers,
    chunk: np.ndarray,
    counts: np.ndarray,
    index: ActivityIndex,
) -> Records:
    """Records of the volunteers ``chunk`` (indices) with ``counts`` records each."""
    acts = index.acts
    first, _ = year_bounds(year)
    volunteer = np.repeat(chunk, counts)
    n = len(volunteer)
    min_day = np.maximum(volunteers.registered_day[volunteer], first)
    own = rng.random(n) < OWN_DISTRICT
    district = np.where(own, volunteers.district[volunteer], rng.choice(len(index.district_p), n, p=index.district_p))
    activity = np.full(n, -1)
    for d in range(len(index.district_p)):
        mask = district == d
        if mask.any():
            activity[mask] = index.pick(rng, d, min_day[mask])
    missing = activity < 0
    if missing.any():
        activity[missing] = index.pick(rng, len(index.groups) - 1, min_day[missing])
    keep = activity >= 0  # registered after the year's last activity ended: no record
    volunteer, activity, min_day = volunteer[keep], activity[keep], min_day[keep]
    n = len(volunteer)

    start_day, end_day = acts.start_day[activity], acts.end_day[activity]
    low = np.maximum(start_day, min_day)
    single = (acts.end_sec[activity] - acts.start_sec[activity]) < DAY_SECONDS
    service_day = np.where(single, start_day, low + (rng.random(n) * (end_day - low + 1)).astype(np.int64))
    hours = np.clip(np.round(rng.lognormal(np.log(2.6), 0.5, n) * 2) / 2, 0.5, 8.0)
    hours = np.where(rng.random(n) < 0.004, rng.integers(17, 25, n) / 2, hours)  # a few long shifts, 8.5-12 h
    session_hours = (acts.end_sec[activity] - acts.start_sec[activity]) / 3600
    hours = np.where(single, np.maximum(np.minimum(hours, np.floor(session_hours * 2) / 2), 0.5), hours)
    jitter = 60 * rng.integers(-20, 16, n)
    latest_hour = np.maximum(8, 22 - np.ceil(hours).astype(np.int64))
    free_hour = 8 + (rng.random(n) * (latest_hour - 8 + 1)).astype(np.int64)
    free_start = service_day * DAY_SECONDS + free_hour * 3600 + 60 * rng.integers(0, 60, n)
    sign_in = np.where(single, acts.start_sec[activity] + jitter, free_start)
    sign_in = np.maximum(sign_in, service_day * DAY_SECONDS)  # stay on the service date
    sign_out = sign_in + (hours * 3600).astype(np.int64)

    digital = rng.random(n) < digital_share(year)
    method = np.where(digital, rng.choice(2, n, p=[0.7, 0.3]), rng.choice([2, 3], n, p=[0.75, 0.25]))
    status = rng.choice(len(STATUS_LABELS), n, p=_STATUS_P)

    # The same volunteer, activity and sign-in twice would be a duplicate: keep the first.
    order = np.lexsort((sign_in, activity, volunteer))
    key_repeats = np.zeros(n, dtype=bool)
    key_repeats[order[1:]] = (
        (volunteer[order[1:]] == volunteer[order[:-1]])
        & (activity[order[1:]] == activity[order[:-1]])
        & (sign_in[order[1:]] == sign_in[order[:-1]])
    )
    keep = ~key_repeats & (service_day >= min_day)
    # Export order: by sign-in time.
    order = np.flatnonzero(keep)[np.argsort(sign_in[keep], kind="stable")]
    return Records(
        volunteer=volunteer[order],
        activity=activity[order],
        service_day=service_day[order],
        sign_in_sec=sign_in[order],
        sign_out_sec=sign_out[order],
        hours=hours[order],
        method=method[order],
        status=status[order],
    )
