"""Models on a simulated store with known effects, and on data too thin to fit."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import make_store

from voldata import models, store

PARTY_EFFECT = 1.8  # true incidence-rate ratio of party members in the simulation


@pytest.fixture(scope="module")
def simulated_store(tmp_path_factory):
    """2,000 volunteers over 2019–2021: party members serve 1.8 times as often; hours peak in summer."""
    rng = np.random.default_rng(seed=20200305)
    n = 2000
    party = rng.random(n) < 0.3
    volunteers = pd.DataFrame(
        {
            "volunteer_id": [f"V{i:05d}" for i in range(n)],
            "id_type": "resident_id",
            "person_key": [f"P{i:05d}" for i in range(n)],
            "id_valid": True,
            "gender": rng.choice(["M", "F"], n),
            "birth_year": rng.integers(1945, 2003, n).astype("int64"),
            "political_status": np.where(party, "party_member", "masses"),
            "education": "bachelor",
            "district_code": rng.choice(["440103", "440104", "440105"], n),
            "street": "s",
            "community": "c",
            # 40% registered before the data window (their spells are left-truncated), 60% on its first day
            "registered_at": np.where(rng.random(n) < 0.4, dt.datetime(2018, 6, 1), dt.datetime(2019, 1, 1)),
        }
    )
    month_weights = np.array([1, 1, 2, 2, 3, 4, 5, 4, 3, 2, 1, 1], dtype=float)
    records = []
    for year in (2019, 2020, 2021):
        mean = 2.0 * np.where(party, PARTY_EFFECT, 1.0)
        counts = rng.poisson(mean * rng.gamma(2.0, 0.5, n))
        ids = np.repeat(np.arange(n), counts)
        months = rng.choice(np.arange(1, 13), len(ids), p=month_weights / month_weights.sum())
        days = rng.integers(1, 29, len(ids))
        records.append(
            pd.DataFrame(
                {
                    "volunteer_id": [f"V{i:05d}" for i in ids],
                    "service_date": [dt.date(year, m, d) for m, d in zip(months, days)],
                }
            )
        )
    # the data window opens on 2019-01-01
    records.append(pd.DataFrame({"volunteer_id": ["V00000"], "service_date": [dt.date(2019, 1, 1)]}))
    records = pd.concat(records, ignore_index=True)
    return make_store(tmp_path_factory.mktemp("simulated_store"), volunteers, records)


@pytest.fixture(scope="module", params=["polars", "pandas"])
def simulated(simulated_store, request):
    return store.tables(simulated_store, engine=request.param)


def _check_table(result):
    assert list(result.table.columns) == [
        "term",
        "label_zh",
        "label_en",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "reading",
        "reading_en",
    ]
    assert (result.table["ci_low"] <= result.table["estimate"]).all()
    assert (result.table["estimate"] <= result.table["ci_high"]).all()


def test_negative_binomial_recovers_the_party_effect(simulated):
    result = models.participation_intensity(simulated, year=2020)
    assert result.ok and result.measure == "IRR" and result.n == 2000
    _check_table(result)
    party = result.table.set_index("term").loc["party"]
    assert party["ci_low"] < PARTY_EFFECT < party["ci_high"]
    # an adjusted association, said so
    assert party["reading"].startswith("在控制年龄、性别和所在区后，党员的参与次数（按注册天数折算）约为非党员的")
    assert party["reading"].endswith("这是统计关联，不表示因果关系")
    assert "95%置信区间" in party["reading"]
    assert "alpha" in result.message and "暴露量" in result.message
    # three districts are fewer streets than cluster-robust errors need: said, not hidden
    assert result.details["clusters"] == 3 and not result.details["cluster_robust"]
    assert "未做聚类调整" in result.message
    # the same reading and note in English
    assert (
        party["reading_en"].startswith("Taking age, gender and district into account, party members had about ")
        and " times the rate of participation (records per year registered) of non-members (95% confidence interval "
        in (party["reading_en"])
    )
    assert party["reading_en"].endswith("this is an association, not evidence of a cause")
    assert party["label_en"] == "party members (vs non-members)"
    assert "alpha = " in result.message_en and "not adjusted for clustering" in result.message_en


def test_logit_retention_gives_odds_ratios(simulated):
    result = models.retention_model(simulated, year=2020)
    assert result.ok and result.measure == "OR"
    _check_table(result)
    assert "log_hours" in set(result.table["term"])
    # 2019 active volunteers who served more are more likely to return
    assert result.table.set_index("term").loc["log_hours", "estimate"] > 1


def test_cox_lapse_hazard(simulated):
    result = models.lapse_hazard(simulated, year=2021)
    assert result.ok and result.measure == "HR"
    _check_table(result)


def test_kaplan_meier_curve(simulated):
    result = models.engagement_km(simulated, year=2021)
    assert result.ok
    curve = result.curve
    assert curve["survival"].is_monotonic_decreasing
    assert ((curve["ci_low"] <= curve["survival"]) & (curve["survival"] <= curve["ci_high"])).all()


def test_stl_finds_the_summer_peak(simulated):
    result = models.seasonal_decomposition(simulated)
    assert result.ok and result.n == 36
    table = result.table.set_index("term")
    assert table.loc["peak_month", "estimate"] in (6.0, 7.0, 8.0)
    assert 0 < table.loc["seasonal_strength", "estimate"] <= 1


@pytest.mark.parametrize(
    "fit",
    [
        lambda t: models.participation_intensity(t, year=2020),
        lambda t: models.retention_model(t, year=2020),
        lambda t: models.lapse_hazard(t, year=2020),
        lambda t: models.seasonal_decomposition(t),
    ],
)
def test_thin_data_says_so_instead_of_raising(tables, fit):
    # the hand-made fixture store has 8 volunteers and 21 months
    result = fit(tables)
    assert not result.ok
    assert result.table.empty
    assert result.message.startswith("样本不足，未估计：")
    assert result.reason and result.reason in result.message
    assert result.message_en.startswith("Too little data; not estimated: ") and result.message_en.endswith(")")


def test_models_agree_across_engines(simulated_store):
    polars_tables = store.tables(simulated_store, engine="polars")
    pandas_tables = store.tables(simulated_store, engine="pandas")
    for fit in (models.participation_intensity, models.retention_model, models.lapse_hazard):
        a, b = fit(polars_tables, year=2020), fit(pandas_tables, year=2020)
        pd.testing.assert_frame_equal(a.table, b.table, rtol=1e-6)


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_models_sample_the_same_rows_as_pandas_sample(simulated_store, engine):
    from voldata.indicators import Context

    ctx = Context(store.tables(simulated_store, engine=engine))
    frame = models._registered_frame(ctx, 2020)
    sampled, note = models._collect_sample(frame, 300, seed=7)
    # positions 0..n-1 of the sorted frame (pandas keeps the labels of the unsorted store partitions)
    expected = frame.collect().to_pandas().reset_index(drop=True).sample(n=300, random_state=7)
    pd.testing.assert_frame_equal(sampled, expected)
    assert note == ("随机抽取300行（种子7，总体2000行）", "a random sample of 300 rows (seed 7, of 2,000)")
    whole, note = models._collect_sample(frame, 5000, seed=7)
    pd.testing.assert_frame_equal(whole, frame.collect().to_pandas())
    assert note is None


def test_kaplan_meier_from_grouped_spells_equals_the_person_level_fit(simulated):
    from statsmodels.duration.survfunc import SurvfuncRight

    from voldata.indicators import engagement_spells

    spells = engagement_spells(simulated, year=2020).collect().to_pandas()
    truncated = spells["left_truncated"].to_numpy(dtype=bool)
    assert 0 < truncated.sum() < len(spells)
    spells = spells[~truncated]
    expected = SurvfuncRight(spells["days"].astype("float64"), spells["lapsed"].astype("float64"))
    result = models.engagement_km(simulated, year=2020)
    assert result.n == len(spells) and result.details["left_truncated"] == truncated.sum()
    kept = expected.n_risk >= models.MIN_AT_RISK
    np.testing.assert_array_equal(result.curve["survival"], expected.surv_prob[kept])
    np.testing.assert_array_equal(result.curve["at_risk"], expected.n_risk[kept])
    # log(-log) intervals, computed independently of models._log_log_interval
    prob, se = expected.surv_prob, expected.surv_prob_se
    kept = expected.n_risk >= models.MIN_AT_RISK
    inside = (prob > 0) & (prob < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = 1.959963984540054 * se / (prob * np.abs(np.log(prob)))
    low = np.where(inside, prob ** np.exp(spread), np.where(prob >= 1, 1.0, 0.0))[kept]
    np.testing.assert_allclose(result.curve["ci_low"], low, rtol=1e-12)
