"""Models on tiny, degenerate and left-truncated stores: they say 未估计 instead of raising, and the
data window is handled (a planted left-truncated cohort gives back its true median engagement)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import make_store

from voldata import models, store

WINDOW_START = dt.date(2018, 1, 1)
DATA_END = dt.date(2020, 12, 31)
TRUE_MEDIAN_DAYS = 400.0


ALL_MODELS = [
    ("participation", lambda t, y: models.participation_intensity(t, year=y)),
    ("retention", lambda t, y: models.retention_model(t, year=y)),
    ("cox", lambda t, y: models.lapse_hazard(t, year=y)),
    ("kaplan_meier", lambda t, y: models.engagement_km(t, year=y)),
]


@pytest.fixture(scope="module")
def five_people(tmp_path_factory):
    """5 volunteers registered in the window, each with two records in 2019 and none after: all lapse."""
    volunteers = pd.DataFrame(
        {
            "volunteer_id": [f"V{i}" for i in range(5)],
            "registered_at": [dt.datetime(2019, 1, 1)] * 5,
            "political_status": ["party_member", "masses", "masses", "party_member", "masses"],
            "gender": ["M", "F", "M", "F", "M"],
        }
    )
    records = pd.DataFrame(
        {
            "volunteer_id": [f"V{i}" for i in range(5) for _ in range(2)] + ["V0"],
            "service_date": [dt.date(2019, 1, 1), dt.date(2019, 3, 1)] * 5 + [dt.date(2020, 12, 31)],
        }
    )
    return make_store(tmp_path_factory.mktemp("five"), volunteers, records)


@pytest.mark.parametrize("engine", ["pandas", "polars"])
@pytest.mark.parametrize(("name", "fit"), ALL_MODELS)
def test_five_people_are_not_estimated(five_people, engine, name, fit):
    result = fit(store.tables(five_people, engine=engine), 2020)
    assert not result.ok and result.table.empty
    assert result.message.startswith(models.THIN_DATA) and result.reason


@pytest.fixture(scope="module")
def one_level(tmp_path_factory):
    """60 volunteers alike in every covariate (one district, one gender, one age band, no party member)."""
    n = 60
    rng = np.random.default_rng(7)
    volunteers = pd.DataFrame(
        {"volunteer_id": [f"V{i:03d}" for i in range(n)], "registered_at": [dt.datetime(2018, 1, 1)] * n}
    )
    ids = rng.integers(0, n, 400)
    records = pd.DataFrame(
        {
            "volunteer_id": [f"V{i:03d}" for i in ids],
            "service_date": [WINDOW_START + dt.timedelta(days=int(d)) for d in rng.integers(0, 1095, len(ids))],
        }
    )
    return make_store(tmp_path_factory.mktemp("one_level"), volunteers, records)


@pytest.mark.parametrize(("name", "fit"), ALL_MODELS[:3])
def test_a_covariate_with_one_level_is_not_estimated(one_level, name, fit):
    result = fit(store.tables(one_level, engine="polars"), 2020)
    assert not result.ok and result.table.empty
    assert "未估计" in result.message


@pytest.fixture(scope="module")
def separated(tmp_path_factory):
    """Party members all lapse within a month of starting; the others all serve to the data's end.

    The Cox likelihood has no maximum (the party hazard ratio runs off to infinity): the old
    code exponentiated the interval bounds with math.exp and ended the build with an OverflowError.
    """
    n = 200
    party = np.arange(n) % 2 == 0
    volunteers = pd.DataFrame(
        {
            "volunteer_id": [f"V{i:03d}" for i in range(n)],
            "registered_at": [dt.datetime(2018, 1, 1)] * n,
            "political_status": np.where(party, "party_member", "masses"),
        }
    )
    rows = []
    for i in range(n):
        start = WINDOW_START + dt.timedelta(days=i)
        end = start + dt.timedelta(days=20) if party[i] else DATA_END - dt.timedelta(days=i % 30)
        rows += [(f"V{i:03d}", start), (f"V{i:03d}", end)]
    records = pd.DataFrame(rows, columns=["volunteer_id", "service_date"])
    return make_store(tmp_path_factory.mktemp("separated"), volunteers, records)


def test_separation_is_not_estimated_and_does_not_overflow(separated):
    tables = store.tables(separated, engine="polars")
    result = models.lapse_hazard(tables, year=2020)
    assert not result.ok and result.table.empty
    assert result.message.startswith(models.NOT_ESTIMATED + "：")
    # the survival curve of the same spells is fine
    assert models.engagement_km(tables, year=2020).ok


def test_ratio_intervals_never_overflow():
    """A coefficient of 800 (exp overflows a float) gives missing bounds and a reading with "—", no exception."""
    names = ["const", "party"]
    result = SimpleNamespace(
        params=np.array([0.1, 800.0]),
        bse=np.array([0.1, 5.0]),
        pvalues=np.array([0.5, 0.9]),
        model=SimpleNamespace(exog_names=names),
    )
    labels = {"party": (models.Said("党员", "party members"), models.Said("非党员", "non-members"), "party")}
    table = models._ratio_table(result, labels, models.Said("参与次数", "number of records"))
    row = table.iloc[0]
    assert np.isnan(row["estimate"]) and np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
    assert "95%置信区间—" in row["reading"] and "—倍" in row["reading"]
    assert "95% confidence interval —" in row["reading_en"] and "about — times" in row["reading_en"]


@pytest.fixture(scope="module")
def truncated_cohort(tmp_path_factory):
    """Volunteers registered 2014–2020, each serving every 30 days for a Weibull spell with median
    400 days from the registration day; the store keeps only the records of 2018–2020 (the window).

    Those registered before 2018 are seen only if still serving in 2018, and only from 2018 on:
    left-truncated. The anchor V_ANCHOR (registered 2013) opens and closes the window.
    """
    rng = np.random.default_rng(20180101)
    n = 4000
    first_day, last_day = pd.Timestamp(2014, 1, 1), pd.Timestamp(DATA_END)
    registered = first_day + pd.to_timedelta(rng.integers(0, (last_day - first_day).days + 1, n), unit="D")
    # Weibull with shape 0.7 (a hazard of stopping that falls with time, as in volunteering): not
    # memoryless, so the spells seen from the window's start differ from spells seen from their start
    shape = 0.7
    lengths = np.round(TRUE_MEDIAN_DAYS / np.log(2) ** (1 / shape) * rng.weibull(shape, n)).astype(int)
    rows = []
    for i, (start, length) in enumerate(zip(registered, lengths)):
        offsets = np.unique(np.append(np.arange(0, length, 30), length))
        dates = start + pd.to_timedelta(offsets, unit="D")
        dates = dates[(dates >= pd.Timestamp(WINDOW_START)) & (dates <= last_day)]
        rows += [(f"V{i:05d}", d.date()) for d in dates]
    rows += [("V_ANCHOR", WINDOW_START), ("V_ANCHOR", DATA_END)]
    volunteers = pd.DataFrame(
        {
            "volunteer_id": [f"V{i:05d}" for i in range(n)] + ["V_ANCHOR"],
            "registered_at": list(registered.to_pydatetime()) + [dt.datetime(2013, 1, 1)],
        }
    )
    records = pd.DataFrame(rows, columns=["volunteer_id", "service_date"])
    return make_store(tmp_path_factory.mktemp("truncated"), volunteers, records)


def test_planted_left_truncated_cohort_gives_back_its_median(truncated_cohort):
    from statsmodels.duration.survfunc import SurvfuncRight

    from voldata.indicators import engagement_spells

    tables = store.tables(truncated_cohort, engine="polars")
    result = models.engagement_km(tables, year=2020)
    assert result.ok and result.details["truncation"] == "restricted"
    median = result.table.set_index("term").loc["median_days"]
    assert median["ci_low"] <= TRUE_MEDIAN_DAYS <= median["ci_high"]
    assert median["estimate"] == pytest.approx(TRUE_MEDIAN_DAYS, rel=0.1)
    # every volunteer registered before 2018 and seen in the window is left out, and said so
    spells = engagement_spells(tables, year=2020).collect().to_pandas()
    before = spells["registered_at"] < pd.Timestamp(WINDOW_START)
    assert result.details["left_truncated"] == int(before.sum()) > 500
    assert f"其{int(before.sum())}段参与记录未纳入" in result.message
    # ignoring the truncation (the old way) is far off: the planted cohort does discriminate
    naive = SurvfuncRight(spells["days"].astype(float), spells["lapsed"].astype(float)).quantile(0.5)
    assert abs(naive - TRUE_MEDIAN_DAYS) > 0.25 * TRUE_MEDIAN_DAYS
    # the curve stops where fewer than 10 remain at risk; intervals on the log(-log) scale stay in [0, 1]
    curve = result.curve
    assert curve["at_risk"].min() >= models.MIN_AT_RISK
    assert ((0 <= curve["ci_low"]) & (curve["ci_low"] <= curve["survival"]) & (curve["ci_high"] <= 1)).all()
